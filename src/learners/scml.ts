import { checkOptions } from '../options';
import type { Rng } from '../random';
import { symEig } from '../ops/eigen';
import { MahalanobisLearner, TupleLearner } from './base';
import { knnTriplets, rngOf } from './constraints';
import { componentsFromMetric } from './dense';
import { gatherTuples, toLabels, toMatrix, toTuples, uniqueInverse, type Tuples } from './input';
import { ldaScalings } from './lda';
import { kmeans } from '../metrics/kmeans';

export interface SCMLOptions {
  beta?: number;
  basis?: 'triplet_diffs' | number[][];
  nBasis?: number | null;
  gamma?: number;
  maxIter?: number;
  outputIter?: number;
  batchSize?: number;
  verbose?: boolean;
  randomState?: number | null;
}
export interface SCMLSupervisedOptions extends Omit<SCMLOptions, 'basis'> {
  kGenuine?: number;
  kImpostor?: number;
  basis?: 'triplet_diffs' | 'lda' | number[][];
}

const SPEC = { beta: 'number', basis: [['triplet_diffs'], 'array'], nBasis: ['integer', 'null'], gamma: 'number', maxIter: 'integer', outputIter: 'integer', batchSize: 'integer', verbose: 'boolean', randomState: ['integer', 'null'] } as const;

/**
 * Sparse Compositional Metric Learning (Shi et al. 2014), metric-learn's global form: M =
 * Σ wᵢ bᵢbᵢᵀ over a basis of rank-one directions, w ≥ 0 learned by regularised dual
 * averaging (AdaGrad) on the triplet hinge 1 + d(a, p) − d(a, n) with an l1 weight beta;
 * the best iterate of every outputIter-th is kept.
 */
function fitScml(o: SCMLSupervisedOptions & { randomState: number | null }, fn: string, t: Tuples, basisIn: Float64Array | null, nBasisIn: number | null): Float64Array {
  const { m, d } = t;
  if (o.outputIter! > o.maxIter!) throw new Error(`${fn}: outputIter (${o.outputIter}) must be ≤ maxIter (${o.maxIter})`);
  const rng = rngOf(o.randomState);
  const pos = diffRows(t, 1), neg = diffRows(t, 2);
  let basis = basisIn, nBasis = nBasisIn ?? 0;
  if (!basis) {
    if (Array.isArray(o.basis)) {
      basis = Float64Array.from((o.basis as number[][]).flat());
      nBasis = (o.basis as number[][]).length;
      if (basis.length !== nBasis * d) throw new Error(`${fn}: basis must be [nBasis, ${d}]`);
    } else ({ basis, nBasis } = tripletDiffBasis(fn, pos, neg, m, d, o.nBasis ?? null, rng));
  }
  // dist_diff[i, b] = (bᵀ(a − p))² − (bᵀ(a − n))²
  // float32: m·nBasis is 69 M entries for digits (13,500 triplets × 5,120 bases)
  const dd = new Float32Array(m * nBasis);
  for (let i = 0; i < m; i++)
    for (let b = 0; b < nBasis; b++) {
      let sp = 0, sn = 0;
      for (let j = 0; j < d; j++) {
        sp += basis[b * d + j] * pos[i * d + j];
        sn += basis[b * d + j] * neg[i * d + j];
      }
      dd[i * nBasis + b] = sp * sp - sn * sn;
    }
  let w = new Float64Array(nBasis);
  const avg = new Float64Array(nBasis), ada = new Float64Array(nBasis), g = new Float64Array(nBasis);
  const delta = 0.001;
  let bestObj = Infinity;
  let bestW: Float64Array | null = null;
  const bs = o.batchSize!;
  const batch = new Int32Array(bs);
  for (let iter = 0; iter < o.maxIter!; iter++) {
    for (let r = 0; r < bs; r++) batch[r] = rng.int(m);
    g.fill(0);
    for (const i of batch) {
      let slack = 1;
      for (let b = 0; b < nBasis; b++) slack += dd[i * nBasis + b] * w[b];
      if (slack > 0) for (let b = 0; b < nBasis; b++) g[b] += dd[i * nBasis + b];
    }
    for (let b = 0; b < nBasis; b++) {
      const gb = g[b] / bs;
      avg[b] = (iter * avg[b] + gb) / (iter + 1);
      ada[b] = Math.sqrt(ada[b] * ada[b] + gb * gb);
      const scale = -(iter + 1) / (o.gamma! * (delta + ada[b]));
      w[b] = scale * Math.min(avg[b] + o.beta!, 0);
    }
    if ((iter + 1) % o.outputIter! === 0) {
      let obj = 0;
      for (let b = 0; b < nBasis; b++) obj += w[b] * o.beta!;
      let hinge = 0;
      for (let i = 0; i < m; i++) {
        let slack = 1;
        for (let b = 0; b < nBasis; b++) slack += dd[i * nBasis + b] * w[b];
        if (slack > 0) hinge += slack;
      }
      obj += hinge / m;
      if (o.verbose) console.log(`[SCML] iter ${iter + 1} objective ${obj}`);
      if (obj < bestObj) {
        bestObj = obj;
        bestW = w.slice();
      }
    }
    w = w.slice();
  }
  return componentsFromBasis(fn, basis, bestW ?? w, nBasis, d);
}

function diffRows(t: Tuples, other: number): Float64Array {
  const out = new Float64Array(t.m * t.d);
  for (let i = 0; i < t.m; i++) for (let j = 0; j < t.d; j++) out[i * t.d + j] = t.data[(i * 3) * t.d + j] - t.data[(i * 3 + other) * t.d + j];
  return out;
}

/** metric-learn's 'triplet_diffs' basis: eigenvectors of (ΣΔ⁺Δ⁺ᵀ − ΣΔ⁻Δ⁻ᵀ)² over random groups of d triplets (rows of the vector matrix, as metric-learn takes them). */
function tripletDiffBasis(fn: string, pos: Float64Array, neg: Float64Array, m: number, d: number, nBasisOpt: number | null, rng: Rng): { basis: Float64Array; nBasis: number } {
  const nBasis = nBasisOpt ?? d * 80;
  if (d > m) throw new Error(`${fn}: the number of features (${d}) is greater than the number of triplets (${m}): reduce the dimension or pass a basis`);
  const basis = new Float64Array(nBasis * d);
  let finish = 0;
  const idx = Int32Array.from({ length: m }, (_, i) => i);
  while (finish < nBasis) {
    for (let r = 0; r < d; r++) {
      const j = r + rng.int(m - r);
      [idx[r], idx[j]] = [idx[j], idx[r]];
    }
    const S = new Float64Array(d * d);
    for (let r = 0; r < d; r++) {
      const i = idx[r];
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a * d + b] += pos[i * d + a] * pos[i * d + b] - neg[i * d + a] * neg[i * d + b];
    }
    const S2 = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) for (let k = 0; k < d; k++) S2[a * d + b] += S[k * d + a] * S[k * d + b];
    const { values, vectors } = symEig(S2, d, fn);
    for (let r = 0; r < d && finish < nBasis; r++) if (values[r] > 0) basis.set(vectors.subarray(r * d, (r + 1) * d), (finish++) * d);
  }
  return { basis, nBasis };
}

/**
 * metric-learn's 'lda' bases (SCML_Supervised's default): k-means centres of X (10 restarts),
 * and around each centre, at two scales (10 and 20 nearest of every class, 20 and 50 above 50
 * features), the unit-normalised LDA directions of those neighbours; min(C − 1, d) bases per
 * centre and scale, nBasis = min(20·d, 2n·min(C − 1, d) − 1) by default.
 */
function ldaBasis(fn: string, X: Float64Array, n: number, d: number, y: Int32Array, C: number, nBasisOpt: number | null, rng: Rng): { basis: Float64Array; nBasis: number } {
  const numEig = Math.min(C - 1, d);
  if (numEig < 1) throw new Error(`${fn}: basis 'lda' needs at least two classes`);
  const nBasis = nBasisOpt ?? Math.min(20 * d, n * 2 * numEig - 1);
  if (nBasis >= n * 2 * numEig) throw new Error(`${fn}: not enough samples to generate ${nBasis} LDA bases: nBasis must be smaller than ${n * 2 * numEig}`);
  const nClusters = Math.ceil(nBasis / (2 * numEig));
  if (nClusters > n) throw new Error(`${fn}: basis 'lda' needs ${nClusters} k-means clusters but there are ${n} samples`);
  const centres = kmeans(Float32Array.from(X), n, d, nClusters, { nInit: 10, seed: rng.int(2 ** 31 - 1) }).centres;
  const scales = d > 50 ? [20, 50] : [10, 20];
  const members: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < n; i++) members[y[i]].push(i);
  const basis = new Float64Array(nBasis * d);
  let filled = 0;
  for (const scale of scales)
    for (let c = 0; c < nClusters && filled < nBasis; c++) {
      // the min(count, scale) members of every class nearest to the centre (ties: lower index)
      const idx: number[] = [];
      for (const rows of members) {
        const dist = rows.map((i) => {
          let s = 0;
          for (let j = 0; j < d; j++) s += (X[i * d + j] - centres[c * d + j]) ** 2;
          return s;
        });
        const order = rows.map((_, t) => t).sort((a, b) => dist[a] - dist[b] || a - b);
        for (const t of order.slice(0, Math.min(rows.length, scale))) idx.push(rows[t]);
      }
      const sub = new Float64Array(idx.length * d);
      idx.forEach((i, r) => sub.set(X.subarray(i * d, (i + 1) * d), r * d));
      const { scalings, rank } = ldaScalings(sub, idx.length, d, idx.map((i) => y[i]), C, fn);
      if (rank < numEig) throw new Error(`${fn}: basis 'lda': a local LDA found ${rank} directions, fewer than min(classes − 1, features) = ${numEig}`);
      for (let t = 0; t < numEig && filled < nBasis; t++, filled++) {
        let norm = 0;
        for (let j = 0; j < d; j++) norm += scalings[j * rank + t] ** 2;
        norm = Math.sqrt(norm) || 1;
        for (let j = 0; j < d; j++) basis[filled * d + j] = scalings[j * rank + t] / norm;
      }
    }
  return { basis, nBasis };
}

function componentsFromBasis(fn: string, basis: Float64Array, w: Float64Array, nBasis: number, d: number): Float64Array {
  const active: number[] = [];
  for (let b = 0; b < nBasis; b++) if (w[b] > 0) active.push(b);
  if (active.length < d) {
    // k = active.length rows √wᵢ bᵢ, padded with zero rows to [d, d]
    const L = new Float64Array(d * d);
    active.forEach((b, r) => {
      const s = Math.sqrt(w[b]);
      for (let j = 0; j < d; j++) L[r * d + j] = s * basis[b * d + j];
    });
    return L;
  }
  const M = new Float64Array(d * d);
  for (const b of active) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i * d + j] += w[b] * basis[b * d + i] * basis[b * d + j];
  return componentsFromMetric(fn, M, d);
}

function readOptions(self: SCMLSupervisedOptions & { randomState: number | null }, o: SCMLOptions): void {
  self.beta = o.beta ?? 1e-5;
  self.basis = (o.basis as SCMLOptions['basis']) ?? 'triplet_diffs';
  self.nBasis = o.nBasis ?? null;
  self.gamma = o.gamma ?? 5e-3;
  self.maxIter = o.maxIter ?? 10000;
  self.outputIter = o.outputIter ?? 500;
  self.batchSize = o.batchSize ?? 10;
  self.verbose = o.verbose ?? false;
  self.randomState = o.randomState ?? null;
}

/** SCML on triplets [m, 3, d] (anchor, closer, farther). */
export class SCML extends TupleLearner implements SCMLOptions {
  protected readonly tupleSize = 3 as const;
  beta!: number;
  basis!: SCMLOptions['basis'];
  nBasis!: number | null;
  gamma!: number;
  maxIter!: number;
  outputIter!: number;
  batchSize!: number;
  verbose!: boolean;
  randomState!: number | null;

  constructor(options?: SCMLOptions) {
    super('SCML');
    readOptions(this, checkOptions<SCMLOptions>('SCML', options, SPEC));
  }

  fit(triplets: unknown): this {
    const t = toTuples('SCML.fit', 'triplets', triplets, 3, 'triplets');
    this.setComponents(fitScml(this, 'SCML.fit', t, null, null), t.d, t.d);
    return this;
  }
}

/**
 * SCML with k-NN triplets from class labels (metric-learn's SCML_Supervised); the default
 * basis is metric-learn's 'lda' (k-means + local LDA), 'triplet_diffs' or a matrix also serve.
 */
export class SCMLSupervised extends MahalanobisLearner implements SCMLSupervisedOptions {
  beta!: number;
  basis!: SCMLSupervisedOptions['basis'];
  nBasis!: number | null;
  gamma!: number;
  maxIter!: number;
  outputIter!: number;
  batchSize!: number;
  verbose!: boolean;
  randomState!: number | null;
  readonly kGenuine: number;
  readonly kImpostor: number;

  constructor(options?: SCMLSupervisedOptions) {
    super('SCMLSupervised');
    const o = checkOptions<SCMLSupervisedOptions>('SCMLSupervised', options, { ...SPEC, basis: [['triplet_diffs', 'lda'], 'array'], kGenuine: 'integer', kImpostor: 'integer' });
    readOptions(this, o as SCMLOptions);
    this.basis = o.basis ?? 'lda';
    this.kGenuine = o.kGenuine ?? 3;
    this.kImpostor = o.kImpostor ?? 10;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'SCMLSupervised.fit';
    const x = toMatrix(fn, 'X', X, 2);
    const labels = toLabels(fn, 'y', y, x.n, true);
    let basis: { basis: Float64Array; nBasis: number } | null = null;
    if (this.basis === 'lda') {
      const { classes, inverse } = uniqueInverse(labels);
      basis = ldaBasis(fn, x.data, x.n, x.d, inverse, classes.length, this.nBasis, rngOf(this.randomState));
    }
    const idx = knnTriplets(fn, x.data, x.d, labels, this.kGenuine, this.kImpostor);
    const t = gatherTuples(x, idx, 3);
    this.setComponents(fitScml(this, fn, t, basis?.basis ?? null, basis?.nBasis ?? null), x.d, x.d);
    return this;
  }
}
