import { checkOptions } from '../options';
import { graphicalLasso, symEig } from '../ops/eigen';
import { MahalanobisLearner, PairsLearner } from './base';
import type { CalibrationOptions } from './calibration';
import { rngOf } from './constraints';
import { checkPsd, componentsFromMetric, outerSum, priorMetric } from './dense';
import { randomSpd } from './init';
import { tupleDiff, type Tuples } from './input';
import { pairsFromLabels, pairsInput } from './pairs-input';

export interface SDMLOptions {
  balanceParam?: number;
  sparsityParam?: number;
  prior?: 'identity' | 'covariance' | 'random' | number[][];
  verbose?: boolean;
  randomState?: number | null;
}
export interface SDMLSupervisedOptions extends SDMLOptions {
  nConstraints?: number | null;
}

const SPEC = { balanceParam: 'number', sparsityParam: 'number', prior: [['identity', 'covariance', 'random'], 'array'], verbose: 'boolean', randomState: ['integer', 'null'] } as const;

/**
 * Sparse Determinant Metric Learning (Qi et al. 2009), metric-learn's formulation: the
 * graphical lasso (in wasm, scikit-learn's coordinate descent) of prior⁻¹ + balanceParam·
 * Σ yᵢ(xᵢ − x'ᵢ)(xᵢ − x'ᵢ)ᵀ, started from that matrix shifted to be positive definite.
 */
function fitSdml(o: SDMLOptions & { randomState: number | null }, fn: string, t: Tuples, y: Int8Array): Float64Array {
  const d = t.d;
  if (d < 2) throw new Error(`${fn}: cannot fit SDML with ${d} feature(s)`);
  const prior = o.prior === 'random' ? randomSpd(d, rngOf(o.randomState)) : o.prior;
  const { inverse } = priorMetric(fn, 'prior', prior, uniqueRows(t), uniqueRows(t).length / d, d, true);
  const diff = tupleDiff(t, 0, 1);
  const loss = outerSum(diff, t.m, d, y);
  const emp = inverse.map((v, i) => v + o.balanceParam! * loss[i]);
  const { values, vectors } = symEig(emp, d, fn);
  const low = Math.min(...values);
  const w = values.map((v) => (low < 0 ? v - low : v) + 1e-10);
  const sigma0 = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) sigma0[i * d + j] += vectors[i * d + k] * w[k] * vectors[j * d + k];
  let M: Float64Array;
  try {
    M = graphicalLasso(emp, d, o.sparsityParam!, { covInit: sigma0 }, fn).precision;
    checkPsd(fn, symEig(M, d, fn).values);
  } catch (e) {
    throw new Error(`${fn}: there was a problem in SDML's graphical lasso: ${(e as Error).message}. Try a smaller balanceParam or prior 'covariance'`);
  }
  return M;
}

/** The distinct rows of the pairs (np.unique(np.vstack(pairs), axis=0)) flattened. */
function uniqueRows(t: Tuples): Float64Array {
  const d = t.d, seen = new Map<string, number>();
  for (let r = 0; r < t.m * 2; r++) seen.set(Array.from(t.data.subarray(r * d, (r + 1) * d)).join(','), r);
  const out = new Float64Array(seen.size * d);
  [...seen.values()].forEach((r, i) => out.set(t.data.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

function readOptions(self: SDMLOptions & { randomState: number | null }, o: SDMLOptions): void {
  self.balanceParam = o.balanceParam ?? 0.5;
  self.sparsityParam = o.sparsityParam ?? 0.01;
  self.prior = o.prior ?? 'identity';
  self.verbose = o.verbose ?? false;
  self.randomState = o.randomState ?? null;
}

/** SDML on pairs [m, 2, d] with y ±1; fit calibrates the threshold on the training pairs. */
export class SDML extends PairsLearner implements SDMLOptions {
  balanceParam!: number;
  sparsityParam!: number;
  prior!: SDMLOptions['prior'];
  verbose!: boolean;
  randomState!: number | null;

  constructor(options?: SDMLOptions) {
    super('SDML');
    readOptions(this, checkOptions<SDMLOptions>('SDML', options, SPEC));
  }

  fit(pairs: unknown, y: unknown, calibrationParams?: CalibrationOptions): this {
    const { t, y: yy } = pairsInput('SDML.fit', pairs, y);
    this.setComponents(componentsFromMetric('SDML.fit', fitSdml(this, 'SDML.fit', t, yy), t.d), t.d, t.d);
    this.calibrateAfterFit(t, yy, calibrationParams);
    return this;
  }
}

/** SDML with pairs drawn from class labels (metric-learn's SDML_Supervised). */
export class SDMLSupervised extends MahalanobisLearner implements SDMLOptions {
  balanceParam!: number;
  sparsityParam!: number;
  prior!: SDMLOptions['prior'];
  verbose!: boolean;
  randomState!: number | null;
  readonly nConstraints: number | null;

  constructor(options?: SDMLSupervisedOptions) {
    super('SDMLSupervised');
    const o = checkOptions<SDMLSupervisedOptions>('SDMLSupervised', options, { ...SPEC, nConstraints: ['integer', 'null'] });
    readOptions(this, o);
    this.nConstraints = o.nConstraints ?? null;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'SDMLSupervised.fit';
    const { t, y: yy } = pairsFromLabels(fn, X, y, this.nConstraints, rngOf(this.randomState));
    this.setComponents(componentsFromMetric(fn, fitSdml(this, fn, t, yy), t.d), t.d, t.d);
    return this;
  }
}
