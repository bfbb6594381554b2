import { checkOptions } from '../options';
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
  const A = priorMetric(fn, 'prior', prior, t.data, t.m * 2, d, true).M;
  const gamma = self.gamma!;
  const pos: number[] = [], neg: number[] = [];
  y.forEach((v, i) => (v === 1 ? pos : neg).push(i));
  const diffs = tupleDiff(t, 0, 1);
  const lambda = new Float64Array(pos.length + neg.length), old = new Float64Array(lambda.length);
  const gammaProj = gamma === Infinity ? 1 : gamma / (gamma + 1);
  const posB = new Float64Array(pos.length).fill(b[0]), negB = new Float64Array(neg.length).fill(b[1]);
  const Av = new Float64Array(d);
  const update = (row: number, coef: (wtw: number) => number) => {
    const o = row * d;
    let wtw = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += A[i * d + j] * diffs[o + j];
      Av[i] = s;
      wtw += diffs[o + i] * s;
    }
    const beta = coef(wtw);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A[i * d + j] += Av[i] * Av[j] * beta;
  };
  let it = 0;
  for (it = 0; it < self.maxIter!; it++) {
    pos.forEach((row, i) =>
      update(row, (wtw) => {
        const alpha = Math.min(lambda[i], gammaProj * (1 / wtw - 1 / posB[i]));
        lambda[i] -= alpha;
        posB[i] = 1 / (1 / posB[i] + alpha / gamma);
        return alpha / (1 - alpha * wtw);
      }),
    );
    neg.forEach((row, i) =>
      update(row, (wtw) => {
        const alpha = Math.min(lambda[i + pos.length], gammaProj * (1 / negB[i] - 1 / wtw));
        lambda[i + pos.length] -= alpha;
        negB[i] = 1 / (1 / negB[i] - alpha / gamma);
        return -alpha / (1 + alpha * wtw);
      }),
    );
    const normsum = Math.hypot(...lambda) + Math.hypot(...old);
    if (normsum === 0) break;
    let conv = 0;
    for (let i = 0; i < lambda.length; i++) conv += Math.abs(old[i] - lambda[i]);
    conv /= normsum;
    if (conv < self.tol!) break;
    old.set(lambda);
    if (self.verbose) console.log(`itml iter: ${it}, conv = ${conv}`);
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
