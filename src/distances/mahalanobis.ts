// Mahalanobis distance (x − y)ᵀ M (x − y) for a given symmetric (positive semi-definite) M,
// or its square root with squared: false. Gradients flow to M when it requires grad.
import { f32 } from '../wasm/instance';
import { tensor } from '../autograd/create';
import { Tensor, fmtShape, keep, noGrad } from '../autograd/tensor';
import { distSqrt } from '../ops/distance';
import { mahalanobisPaired, mahalanobisPairwise } from '../ops/mahalanobis';
import { spdInverse } from '../ops/linalg';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';
import { check2d, checkFinite, describe } from './validate';

export interface MahalanobisOptions {
  /** Symmetric [d, d] matrix; positive semi-definite for a metric (results are clamped at 0). */
  M: Tensor;
  /** true (default): (x − y)ᵀM(x − y); false: its square root (gradient 0 at distance 0). */
  squared?: boolean;
}

export interface FromDataOptions {
  /** Added to the covariance diagonal before inverting (default 0). */
  ridge?: number;
  squared?: boolean;
}

/** Relative asymmetry accepted in M: |M − Mᵀ| ≤ SYMMETRY_TOL · max|M| (float32 rounding of a symmetric product). */
const SYMMETRY_TOL = 1e-5;

export class Mahalanobis extends BaseDistance {
  readonly M: Tensor;
  readonly squared: boolean;

  constructor(options: MahalanobisOptions) {
    if (options === undefined) throw new TypeError('Mahalanobis: options { M } are required (M a symmetric Tensor [d, d])');
    const { M, squared = true } = checkOptions<MahalanobisOptions>('Mahalanobis', options, { M: 'any', squared: 'boolean' });
    if (!(M instanceof Tensor)) throw new TypeError(`Mahalanobis: M must be a Tensor [d, d], got ${describe(M)}`);
    check2d('Mahalanobis', 'M', M);
    const [r, c] = M.shape;
    if (r !== c) throw new Error(`Mahalanobis: M must be square, got ${fmtShape(M.shape)}`);
    checkFinite('Mahalanobis', 'M', M);
    checkSymmetric(M);
    super('Mahalanobis', false, false, 1);
    this.M = M;
    this.squared = squared;
  }

  /**
   * The classical Mahalanobis distance of a data set: M = inv(cov(X) + ridge·I), with the
   * unbiased covariance (n − 1). X [n, d], n ≥ 2. A singular covariance (collinear or
   * constant features, or n ≤ d) is an error suggesting a ridge.
   */
  static fromData(X: Tensor, options: FromDataOptions = {}): Mahalanobis {
    const fn = 'Mahalanobis.fromData';
    const { ridge = 0, squared = true } = checkOptions<FromDataOptions>(fn, options, { ridge: 'number', squared: 'boolean' });
    check2d(fn, 'X', X);
    const [n, d] = X.shape;
    if (n < 2) throw new Error(`${fn}: X is ${fmtShape(X.shape)}: the covariance needs at least 2 rows`);
    if (typeof ridge !== 'number' || !(ridge >= 0) || !Number.isFinite(ridge)) throw new Error(`${fn}: ridge must be a finite number >= 0, got ${ridge}`);
    checkFinite(fn, 'X', X);
    const cov = covariance(X.data(), n, d);
    for (let i = 0; i < d; i++) cov[i * d + i] += ridge;
    const M = noGrad(() => {
      const C = tensor(cov, [d, d]);
      try {
        return spdInverse(C);
      } finally {
        C.dispose();
      }
    });
    if (typeof M === 'number') {
      const why = n <= d ? ` (n = ${n} samples cannot span d = ${d} dimensions)` : '';
      throw new Error(
        `${fn}: the covariance of X ${fmtShape(X.shape)} is singular${why}: feature ${M} is (numerically) constant or a ` +
          `linear combination of features before it. Pass { ridge } (e.g. { ridge: 1e-3 }) to add ridge·I before inverting`,
      );
    }
    // The metric owns M: it outlives any tidy() the call was made in.
    return new Mahalanobis({ M: keep(M), squared });
  }

  protected checkDim(fn: string, d: number): void {
    if (d !== this.M.shape[0]) throw new Error(`${fn}: inputs have dimension ${d} but M is ${fmtShape(this.M.shape)}`);
  }

  protected hasTrainableMatrix(): boolean {
    return this.M.requiresGrad;
  }

  protected boundedInRange(): boolean {
    return false;
  }

  protected degree(): number {
    return this.squared ? 2 : 1;
  }

  protected computePairwise(x: Tensor, y: Tensor): Tensor {
    const sq = mahalanobisPairwise(x, y, this.M);
    return this.squared ? sq : distSqrt(sq);
  }

  protected computePaired(x: Tensor, y: Tensor): Tensor {
    const sq = mahalanobisPaired(x, y, this.M);
    return this.squared ? sq : distSqrt(sq);
  }
}

function checkSymmetric(M: Tensor): void {
  const d = M.shape[0];
  const p = M.ptr >>> 2;
  const v = f32();
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale = Math.max(scale, Math.abs(v[p + i]));
  for (let i = 0; i < d; i++)
    for (let j = i + 1; j < d; j++) {
      const a = v[p + i * d + j], b = v[p + j * d + i];
      if (Math.abs(a - b) > SYMMETRY_TOL * scale) {
        throw new Error(`Mahalanobis: M must be symmetric: M[${i}, ${j}] = ${a} but M[${j}, ${i}] = ${b}`);
      }
    }
}

/** Unbiased covariance [d, d] in float64 (a covariance inverse magnifies its rounding). */
function covariance(x: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += x[i * d + k];
  for (let k = 0; k < d; k++) mean[k] /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) row[k] = x[i * d + k] - mean[k];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      for (let b = 0; b <= a; b++) cov[a * d + b] += ra * row[b];
    }
  }
  for (let a = 0; a < d; a++)
    for (let b = 0; b <= a; b++) {
      const c = cov[a * d + b] / (n - 1);
      cov[a * d + b] = c;
      cov[b * d + a] = c;
    }
  return cov;
}
