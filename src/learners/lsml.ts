import { checkOptions } from '../options';
import { logdetSpd, pinvh, psdProject } from '../ops/eigen';
import { MahalanobisLearner, TupleLearner } from './base';
import { rngOf } from './constraints';
import { componentsFromMetric, frob, norm2, priorMetric, quadForms } from './dense';
import { randomSpd } from './init';
import { gatherTuples, toLabels, toMatrix, toTuples, tupleDiff, type Tuples } from './input';
import { pairsFromLabels } from './pairs-input';

export interface LSMLOptions {
  tol?: number;
  maxIter?: number;
  prior?: 'identity' | 'covariance' | 'random' | number[][];
  verbose?: boolean;
  randomState?: number | null;
}
export interface LSMLSupervisedOptions extends LSMLOptions {
  nConstraints?: number | null;
  weights?: number[] | null;
}

const SPEC = { tol: 'number', maxIter: 'integer', prior: [['identity', 'covariance', 'random'], 'array'], verbose: 'boolean', randomState: ['integer', 'null'] } as const;

/**
 * Least Squared-residual Metric Learning (Liu et al. 2012), metric-learn's algorithm: for
 * quadruplets (a, b, c, d) meaning d(a, b) < d(c, d), minimise Σ w·(√d_ab − √d_cd)² over the
 * violated ones plus the LogDet divergence to the prior, by projected gradient steps (ten
 * step sizes tried, the PSD projection in wasm). `objective`: the final value.
 */
function fitLsml(o: LSMLOptions & { randomState: number | null }, fn: string, q: Tuples, weights: ArrayLike<number> | null): { M: Float64Array; nIter: number; objective: number } {
  const d = q.d, m = q.m;
  const vab = tupleDiff(q, 0, 1), vcd = tupleDiff(q, 2, 3);
  const w = weights ? Float64Array.from(weights) : new Float64Array(m).fill(1);
  if (w.length !== m) throw new Error(`${fn}: weights has ${w.length} entries but there are ${m} quadruplets`);
  const ws = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < m; i++) w[i] /= ws;
  const prior = o.prior === 'random' ? randomSpd(d, rngOf(o.randomState)) : o.prior;
  const { M: M0, inverse: priorInv } = priorMetric(fn, 'prior', prior, q.data, m * 4, d, true);
  let M = M0;
  const total = (metric: Float64Array) => {
    const dab = quadForms(vab, metric, m, d), dcd = quadForms(vcd, metric, m, d);
    let s = 0;
    for (let i = 0; i < m; i++) if (dab[i] > dcd[i]) s += w[i] * (Math.sqrt(dab[i]) - Math.sqrt(dcd[i])) ** 2;
    return s + frob(metric, priorInv) - logdetSpd(metric, d, fn);
  };
  const steps = Array.from({ length: 10 }, (_, i) => 10 ** (-10 + (10 * i) / 9));
  let best = total(M);
  let it = 1;
  for (it = 1; it <= o.maxIter!; it++) {
    const inv = pinvh(M, d, undefined, fn).inverse;
    const grad = priorInv.map((v, i) => v - inv[i]);
    const dab = quadForms(vab, M, m, d), dcd = quadForms(vcd, M, m, d);
    for (let i = 0; i < m; i++) {
      if (!(dab[i] > dcd[i])) continue;
      const ca = 1 - Math.sqrt(dcd[i] / dab[i]), cc = 1 - Math.sqrt(dab[i] / dcd[i]);
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) grad[a * d + b] += ca * vab[i * d + a] * vab[i * d + b] + cc * vcd[i * d + a] * vcd[i * d + b];
    }
    const gn = norm2(grad);
    if (gn < o.tol!) break;
    if (o.verbose) console.log(`[LSML] gradient norm ${gn}`);
    let Mbest: Float64Array | null = null;
    for (const s0 of steps) {
      const s = s0 / gn;
      const cand = psdProject(M.map((v, i) => v - s * grad[i]), d, 1e-8, fn);
      const cur = total(cand);
      if (cur < best) {
        best = cur;
        Mbest = cand;
      }
    }
    if (!Mbest) break;
    M = Mbest;
  }
  return { M, nIter: Math.min(it, o.maxIter!), objective: best };
}

function readOptions(self: LSMLOptions & { randomState: number | null }, o: LSMLOptions): void {
  self.tol = o.tol ?? 1e-3;
  self.maxIter = o.maxIter ?? 1000;
  self.prior = o.prior ?? 'identity';
  self.verbose = o.verbose ?? false;
  self.randomState = o.randomState ?? null;
}

/** LSML on quadruplets [m, 4, d] (d(a, b) < d(c, d) wanted), optional weights [m]. */
export class LSML extends TupleLearner implements LSMLOptions {
  protected readonly tupleSize = 4 as const;
  tol!: number;
  maxIter!: number;
  prior!: LSMLOptions['prior'];
  verbose!: boolean;
  randomState!: number | null;
  objective = NaN;

  constructor(options?: LSMLOptions) {
    super('LSML');
    readOptions(this, checkOptions<LSMLOptions>('LSML', options, SPEC));
  }

  fit(quadruplets: unknown, weights?: ArrayLike<number> | null): this {
    const q = toTuples('LSML.fit', 'quadruplets', quadruplets, 4, 'quadruplets');
    const r = fitLsml(this, 'LSML.fit', q, weights ?? null);
    this.nIter = r.nIter;
    this.objective = r.objective;
    this.setComponents(componentsFromMetric('LSML.fit', r.M, q.d), q.d, q.d);
    return this;
  }
}

/** LSML with quadruplets (similar pair, dissimilar pair) drawn from class labels (metric-learn's LSML_Supervised). */
export class LSMLSupervised extends MahalanobisLearner implements LSMLOptions {
  tol!: number;
  maxIter!: number;
  prior!: LSMLOptions['prior'];
  verbose!: boolean;
  randomState!: number | null;
  readonly nConstraints: number | null;
  readonly weights: number[] | null;
  objective = NaN;

  constructor(options?: LSMLSupervisedOptions) {
    super('LSMLSupervised');
    const o = checkOptions<LSMLSupervisedOptions>('LSMLSupervised', options, { ...SPEC, nConstraints: ['integer', 'null'], weights: ['array', 'null'] });
    readOptions(this, o);
    this.nConstraints = o.nConstraints ?? null;
    this.weights = o.weights ?? null;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'LSMLSupervised.fit';
    const x = toMatrix(fn, 'X', X, 2);
    toLabels(fn, 'y', y, x.n, true);
    const { quadruplets } = pairsFromLabels(fn, X, y, this.nConstraints, rngOf(this.randomState), true);
    const q = gatherTuples(x, quadruplets, 4);
    const r = fitLsml(this, fn, q, this.weights);
    this.nIter = r.nIter;
    this.objective = r.objective;
    this.setComponents(componentsFromMetric(fn, r.M, q.d), q.d, q.d);
    return this;
  }
}
