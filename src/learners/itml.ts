import { checkOptions } from '../options';
import { getEngine } from '../wasm/instance';
import { withF64Scope } from '../ops/f64-linalg';
import { PairsLearner, MahalanobisLearner } from './base';
import type { CalibrationOptions } from './calibration';
import { rngOf } from './constraints';
import { componentsFromMetric, priorMetric } from './dense';
import { randomSpd } from './init';
import { tupleDiff, type Tuples } from './input';
import { pairsFromLabels, pairsInput } from './pairs-input';

export interface ITMLOptions {
  gamma?: number;
  maxIter?: number;
  tol?: number;
  prior?: 'identity' | 'covariance' | 'random' | number[][];
  verbose?: boolean;
  randomState?: number | null;
}
export interface ITMLSupervisedOptions extends ITMLOptions {
  nConstraints?: number | null;
}

const SPEC = { gamma: 'number', maxIter: 'integer', tol: 'number', prior: [['identity', 'covariance', 'random'], 'array'], verbose: 'boolean', randomState: ['integer', 'null'] } as const;

/**
 * Information Theoretic Metric Learning (Davis et al. 2007), metric-learn's cyclic Bregman
 * projections: each similar pair is brought under the lower bound, each dissimilar pair
 * above the upper bound (the 5th and 95th percentiles of the pairwise distances unless
 * `bounds` is given), staying close to the prior in LogDet divergence.
 */
function fitItml(self: MahalanobisLearner & ITMLOptions, fn: string, t: Tuples, y: Int8Array, bounds?: [number, number]): { M: Float64Array; nIter: number } {
  const d = t.d;
  const b = bounds ? Float64Array.from(bounds) : distancePercentiles(t);
  if (b.length !== 2) throw new Error(`${fn}: bounds must hold two numbers [lower, upper]`);
  for (let i = 0; i < 2; i++) if (b[i] === 0) b[i] = 1e-9;
  const prior = self.prior === 'random' ? randomSpd(d, rngOf(self.randomState ?? null)) : self.prior;
  const A0 = priorMetric(fn, 'prior', prior, t.data, t.m * 2, d, true).M;
  const gamma = self.gamma!;
  const pos: number[] = [], neg: number[] = [];
  y.forEach((v, i) => (v === 1 ? pos : neg).push(i));
  const diffs = tupleDiff(t, 0, 1);
  // similar pairs first, then dissimilar, each in input order (metric-learn's sweep order)
  const ordered = new Float64Array(t.m * d);
  [...pos, ...neg].forEach((r, i) => ordered.set(diffs.subarray(r * d, (r + 1) * d), i * d));
  const gammaProj = gamma === Infinity ? 1 : gamma / (gamma + 1);
  const bhat = new Float64Array(t.m);
  bhat.fill(b[0], 0, pos.length);
  bhat.fill(b[1], pos.length);
  const old = new Float64Array(t.m);
  const { k } = getEngine();
  let it = 0;
  const A = withF64Scope((s) => {
    const pA = s.f64(A0), pV = s.f64(ordered), pL = s.f64(t.m), pB = s.f64(bhat), pAv = s.out64(d);
    for (it = 0; it < self.maxIter!; it++) {
      k.f64_itml_sweep(pA, pV, pL, pB, t.m, pos.length, d, gammaProj, gamma === Infinity ? 0 : 1 / gamma, pAv);
      const lambda = s.view(pL, t.m);
      let n1 = 0, n2 = 0, conv = 0;
      for (let i = 0; i < t.m; i++) {
        n1 += lambda[i] * lambda[i];
        n2 += old[i] * old[i];
        conv += Math.abs(old[i] - lambda[i]);
      }
      const normsum = Math.sqrt(n1) + Math.sqrt(n2);
      if (normsum === 0) break;
      conv /= normsum;
      if (conv < self.tol!) break;
      old.set(lambda);
      if (self.verbose) console.log(`itml iter: ${it}, conv = ${conv}`);
    }
    return s.read(pA, d * d);
  });
  return { M: A, nIter: it };
}

/**
 * 5th and 95th percentiles (linear interpolation) of the Euclidean distances between the
 * distinct points of the pairs, over the whole matrix (diagonal zeros and both triangles), as
 * metric-learn's np.percentile(pairwise_distances(unique X)); the distances run in wasm.
 */
function distancePercentiles(t: Tuples): Float64Array {
  const d = t.d;
  const rows = uniqueRows(t.data, t.m * 2, d);
  const u = rows.length;
  const count = (u * (u - 1)) / 2;
  const tri = withF64Scope((s) => {
    const pX = s.out64(u * d), pD = s.out64(count);
    const v = s.view(pX, u * d);
    rows.forEach((r, i) => v.set(t.data.subarray(r * d, (r + 1) * d), i * d));
    getEngine().k.f64_pdist_euclid_lower(pX, pD, u, d);
    return s.read(pD, count);
  });
  tri.sort();
  // sorted, the u² entries are u zeros (the diagonal), then each off-diagonal distance twice
  const at = (r: number) => (r < u ? 0 : tri[(r - u) >> 1]);
  const pct = (q: number) => {
    const pos = (q / 100) * (u * u - 1);
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    const a = at(lo), b = at(hi);
    return a + (b - a) * (pos - lo);
  };
  return Float64Array.of(pct(5), pct(95));
}

/** Index of the first occurrence of each distinct row of X [n, d], in order. */
function uniqueRows(X: Float64Array, n: number, d: number): number[] {
  const coef = Float64Array.from({ length: d }, (_, j) => 1 + ((j * 0.6180339887498949) % 1));
  const buckets = new Map<number, number[]>();
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    let h = 0;
    for (let j = 0; j < d; j++) h += coef[j] * X[r * d + j];
    const bucket = buckets.get(h);
    if (bucket && bucket.some((q) => sameRow(X, q, r, d))) continue;
    if (bucket) bucket.push(r);
    else buckets.set(h, [r]);
    out.push(r);
  }
  return out;
}

function sameRow(X: Float64Array, q: number, r: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (X[q * d + j] !== X[r * d + j]) return false;
  return true;
}

function readOptions(self: ITML | ITMLSupervised, o: ITMLOptions): void {
  self.gamma = o.gamma ?? 1;
  self.maxIter = o.maxIter ?? 1000;
  self.tol = o.tol ?? 1e-3;
  self.prior = o.prior ?? 'identity';
  self.verbose = o.verbose ?? false;
  self.randomState = o.randomState ?? null;
}

/** ITML on pairs [m, 2, d] with y ±1; fit calibrates the threshold on the training pairs. */
export class ITML extends PairsLearner implements ITMLOptions {
  gamma!: number;
  maxIter!: number;
  tol!: number;
  prior!: ITMLOptions['prior'];
  verbose!: boolean;
  randomState!: number | null;

  constructor(options?: ITMLOptions) {
    super('ITML');
    readOptions(this, checkOptions<ITMLOptions>('ITML', options, SPEC));
  }

  fit(pairs: unknown, y: unknown, bounds?: [number, number], calibrationParams?: CalibrationOptions): this {
    const { t, y: yy } = pairsInput('ITML.fit', pairs, y);
    const { M, nIter } = fitItml(this, 'ITML.fit', t, yy, bounds);
    this.nIter = nIter;
    this.setComponents(componentsFromMetric('ITML.fit', M, t.d), t.d, t.d);
    this.calibrateAfterFit(t, yy, calibrationParams);
    return this;
  }
}

/** ITML with pairs drawn from class labels (metric-learn's ITML_Supervised): fit(X, y). */
export class ITMLSupervised extends MahalanobisLearner implements ITMLOptions {
  gamma!: number;
  maxIter!: number;
  tol!: number;
  prior!: ITMLOptions['prior'];
  verbose!: boolean;
  randomState!: number | null;
  readonly nConstraints: number | null;

  constructor(options?: ITMLSupervisedOptions) {
    super('ITMLSupervised');
    const o = checkOptions<ITMLSupervisedOptions>('ITMLSupervised', options, { ...SPEC, nConstraints: ['integer', 'null'] });
    readOptions(this, o);
    this.nConstraints = o.nConstraints ?? null;
  }

  fit(X: unknown, y: unknown, bounds?: [number, number]): this {
    const fn = 'ITMLSupervised.fit';
    const { t, y: yy } = pairsFromLabels(fn, X, y, this.nConstraints, rngOf(this.randomState));
    const { M, nIter } = fitItml(this, fn, t, yy, bounds);
    this.nIter = nIter;
    this.setComponents(componentsFromMetric(fn, M, t.d), t.d, t.d);
    return this;
  }
}
