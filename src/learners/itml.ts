import { checkOptions } from '../options';
import { f64, getEngine } from '../wasm/instance';
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
  const { k, alloc } = getEngine();
  const bytes = [d * d, t.m * d, t.m, t.m, d].map((n) => alloc.alloc(8 * Math.max(1, n)));
  const [pA, pV, pL, pB, pAv] = bytes;
  let it = 0;
  let A: Float64Array;
  try {
    const v = f64();
    v.set(A0, pA >>> 3);
    v.set(ordered, pV >>> 3);
    v.fill(0, pL >>> 3, (pL >>> 3) + t.m);
    v.set(bhat, pB >>> 3);
    for (it = 0; it < self.maxIter!; it++) {
      k.f64_itml_sweep(pA, pV, pL, pB, t.m, pos.length, d, gammaProj, gamma === Infinity ? 0 : 1 / gamma, pAv);
      const lambda = f64().subarray(pL >>> 3, (pL >>> 3) + t.m);
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
    A = f64().slice(pA >>> 3, (pA >>> 3) + d * d);
  } finally {
    for (const p of bytes) alloc.free(p);
  }
  return { M: A, nIter: it };
}

/** 5th and 95th percentiles (linear interpolation) of the Euclidean distances between the distinct points of the pairs, diagonal included, as metric-learn. */
function distancePercentiles(t: Tuples): Float64Array {
  const d = t.d;
  const seen = new Map<string, number>();
  for (let r = 0; r < t.m * 2; r++) {
    const row = t.data.subarray(r * d, (r + 1) * d);
    seen.set(Array.from(row).join(','), r);
  }
  const rows = [...seen.values()];
  const u = rows.length;
  const D = new Float64Array(u * u);
  for (let i = 0; i < u; i++)
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const v = t.data[rows[i] * d + k] - t.data[rows[j] * d + k];
        s += v * v;
      }
      D[i * u + j] = D[j * u + i] = Math.sqrt(s);
    }
  D.sort();
  const pct = (q: number) => {
    const pos = (q / 100) * (D.length - 1);
    const lo = Math.floor(pos), hi = Math.ceil(pos);
    return D[lo] + (D[hi] - D[lo]) * (pos - lo);
  };
  return Float64Array.of(pct(5), pct(95));
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
