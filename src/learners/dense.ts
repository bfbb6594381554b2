// Small float64 matrix helpers for the learners (d × d work; the n-sized products go through
// the wasm GEMM via tensors in the learners that need them).
import { choleskyF64, pinvh, symEig } from '../ops/eigen';

/** C = A·B, A [m, k], B [k, n]. */
export function mm(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * n + j];
    }
  return C;
}

/** Aᵀ for A [m, n]. */
export function tr(A: ArrayLike<number>, m: number, n: number): Float64Array {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

export function eye(d: number, k = d): Float64Array {
  const I = new Float64Array(k * d);
  for (let i = 0; i < Math.min(k, d); i++) I[i * d + i] = 1;
  return I;
}

/** Σ_i w_i v_i v_iᵀ over the rows v_i of V [m, d] (w all 1 when omitted). */
export function outerSum(V: ArrayLike<number>, m: number, d: number, w?: ArrayLike<number>): Float64Array {
  const S = new Float64Array(d * d);
  for (let i = 0; i < m; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const va = V[o + a] * wi;
      if (va === 0) continue;
      for (let b = 0; b <= a; b++) S[a * d + b] += va * V[o + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) S[b * d + a] = S[a * d + b];
  return S;
}

/** Covariance of the rows of X [n, d] (np.cov(X, rowvar=False, bias)): divided by n − 1, or n with bias. */
export function covariance(X: ArrayLike<number>, n: number, d: number, bias = false): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const C = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) C[i * d + j] = X[i * d + j] - mean[j];
  const S = outerSum(C, n, d);
  const div = bias ? n : n - 1;
  for (let i = 0; i < d * d; i++) S[i] /= div;
  return S;
}

/** Σ (A ∘ B). */
export function frob(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i] * B[i];
  return s;
}

export function norm2(A: ArrayLike<number>): number {
  return Math.sqrt(frob(A, A));
}

/** (v)ᵀ M v for each row v of V [m, d]. */
export function quadForms(V: ArrayLike<number>, M: ArrayLike<number>, m: number, d: number): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let a = 0; a < d; a++) {
      const va = V[i * d + a];
      if (va === 0) continue;
      let t = 0;
      for (let b = 0; b < d; b++) t += M[a * d + b] * V[i * d + b];
      s += va * t;
    }
    out[i] = s;
  }
  return out;
}

/**
 * L with M = LᵀL for a symmetric PSD M [d, d] (metric-learn's components_from_metric): the
 * square root of a diagonal M, the transposed Cholesky factor when M is positive definite,
 * else Vᵀ·diag(√max(0, w)) from its eigendecomposition. A clearly negative eigenvalue
 * (below −max|w|·d·eps) is an error: M is not PSD.
 */
export function componentsFromMetric(fn: string, M: Float64Array, d: number): Float64Array {
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale = Math.max(scale, Math.abs(M[i]));
  for (let i = 0; i < d; i++)
    for (let j = 0; j < i; j++)
      if (Math.abs(M[i * d + j] - M[j * d + i]) > 1e-8 * scale + 1e-12) throw new Error(`${fn}: the metric is not symmetric (M[${i}, ${j}] = ${M[i * d + j]}, M[${j}, ${i}] = ${M[j * d + i]})`);
  let diagonal = true;
  for (let i = 0; i < d && diagonal; i++) for (let j = 0; j < d; j++) if (i !== j && M[i * d + j] !== 0) { diagonal = false; break; }
  if (diagonal) {
    const w = Float64Array.from({ length: d }, (_, i) => M[i * d + i]);
    checkPsd(fn, w);
    const L = new Float64Array(d * d);
    for (let i = 0; i < d; i++) L[i * d + i] = Math.sqrt(Math.max(0, w[i]));
    return L;
  }
  const C = choleskyF64(M, d, 0, fn);
  if (typeof C !== 'number') return tr(C, d, d);
  const { values, vectors } = symEig(M, d, fn);
  checkPsd(fn, values);
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const s = Math.sqrt(Math.max(0, values[i]));
    for (let j = 0; j < d; j++) L[i * d + j] = vectors[j * d + i] * s;
  }
  return L;
}

/** metric-learn's _check_sdp_from_eigen: an eigenvalue below −max|w|·d·eps means not PSD. */
export function checkPsd(fn: string, w: ArrayLike<number>): boolean {
  let big = 0, low = Infinity;
  for (let i = 0; i < w.length; i++) {
    big = Math.max(big, Math.abs(w[i]));
    low = Math.min(low, w[i]);
  }
  const tol = big * w.length * 2.220446049250313e-16;
  if (low < -tol) throw new Error(`${fn}: the matrix is not positive semi-definite (smallest eigenvalue ${low}, tolerance ${tol})`);
  return low > tol;
}

/** The Mahalanobis matrix a prior / init names: 'identity', 'covariance' (pseudo-inverse of the data's covariance) or a given matrix; with its inverse. */
export function priorMetric(fn: string, name: string, prior: unknown, X: ArrayLike<number>, n: number, d: number, strictPd: boolean): { M: Float64Array; inverse: Float64Array } {
  if (prior === 'identity') return { M: eye(d), inverse: eye(d) };
  if (prior === 'covariance') {
    const C = covariance(X, n, d);
    const { values } = symEig(C, d, fn);
    const definite = checkPsd(fn, values);
    if (strictPd && !definite) throw new Error(`${fn}: ${name} 'covariance': the covariance of the inputs is not definite; pass another ${name} or reduce the dimension`);
    return { M: pinvFromEig(C, d), inverse: C };
  }
  const M = toSquare(fn, name, prior, d);
  const { values } = symEig(M, d, fn);
  const definite = checkPsd(fn, values);
  if (strictPd && !definite) throw new Error(`${fn}: ${name} must be positive definite`);
  return { M, inverse: pinvFromEig(M, d) };
}

function pinvFromEig(A: Float64Array, d: number): Float64Array {
  // metric-learn's _pseudo_inverse_from_eig: cut-off max(w)·d·eps
  let big = 0;
  const { values } = symEig(A, d);
  for (const v of values) big = Math.max(big, v);
  return pinvh(A, d, d * 2.220446049250313e-16 * (big / Math.max(...Array.from(values, Math.abs)))).inverse;
}

export function toSquare(fn: string, name: string, v: unknown, d: number): Float64Array {
  const rows = v as ArrayLike<ArrayLike<number>>;
  const flat = (v as { data?: () => Float32Array }).data ? (v as { data: () => Float32Array }).data() : null;
  const M = new Float64Array(d * d);
  if (flat && flat.length === d * d) M.set(flat);
  else if (Array.isArray(rows) && rows.length === d && rows.every((r) => r.length === d)) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i * d + j] = rows[i][j];
  else throw new Error(`${fn}: ${name} must be 'identity', 'covariance' or a [${d}, ${d}] matrix`);
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) if (Math.abs(M[i * d + j] - M[j * d + i]) > 1e-8 * (Math.abs(M[i * d + j]) + 1)) throw new Error(`${fn}: ${name} must be symmetric`);
  return M;
}
