// Float64 dense symmetric linear algebra on assembly/kernels/eigen.ts, for the classic
// metric learners: matrices are Float64Array [d, d] row-major, copied into wasm memory for
// the kernel and back. No gradients (the learners optimise with their own update rules).
import { f64, getEngine } from '../wasm/instance';

/** Runs fn with f64 buffers in wasm memory holding `inputs` (copied in) and `outputs` zeroed, of the given lengths; returns the outputs. */
function withF64<T>(inputs: ArrayLike<number>[], outLens: number[], wsDoubles: number, fn: (ptrs: number[], ws: number) => T): { result: T; outs: Float64Array[] } {
  const alloc = getEngine().alloc;
  const lens = [...inputs.map((a) => a.length), ...outLens, wsDoubles];
  const ptrs: number[] = [];
  try {
    for (const n of lens) ptrs.push(alloc.alloc(Math.max(1, n) * 8));
    const v = f64();
    inputs.forEach((a, i) => v.set(a, ptrs[i] >>> 3));
    const result = fn(ptrs.slice(0, -1), ptrs[ptrs.length - 1]);
    const w = f64();
    const outs = outLens.map((n, i) => w.slice(ptrs[inputs.length + i] >>> 3, (ptrs[inputs.length + i] >>> 3) + n));
    return { result, outs };
  } finally {
    for (const p of ptrs) alloc.free(p);
  }
}

export interface Eigh {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as the columns of [d, d] (row-major: vectors[i·d + j] is component i of vector j). */
  vectors: Float64Array;
}

/** All eigenpairs of the symmetric A [d, d] (cyclic Jacobi in float64), ascending as numpy.linalg.eigh. */
export function symEig(A: ArrayLike<number>, d: number, fn = 'symEig'): Eigh {
  checkSquare(fn, 'A', A, d);
  const k = getEngine().k;
  const { result, outs } = withF64([A], [d, d * d], d * d, ([a, w, v], ws) => k.f64_sym_eig(a, w, v, d, ws));
  if (result < 0) throw new Error(`${fn}: the eigenvalue iteration did not converge on A [${d}, ${d}] (non-finite entries?)`);
  return { values: outs[0], vectors: outs[1] };
}

/** All eigenpairs by Householder tridiagonalisation + implicit QL: ~3× faster than symEig, accurate to eps·‖A‖ (not relatively on tiny eigenvalues). */
export function symEigTridiag(A: ArrayLike<number>, d: number, fn = 'symEigTridiag'): Eigh {
  checkSquare(fn, 'A', A, d);
  const k = getEngine().k;
  const { result, outs } = withF64([A], [d, d * d], d * d + 4 * d, ([a, w, v], ws) => k.f64_sym_eig__tridiag(a, w, v, d, ws));
  if (result < 0) throw new Error(`${fn}: the QL iteration did not converge on A [${d}, ${d}]`);
  return { values: outs[0], vectors: outs[1] };
}

/**
 * A v = λ B v for symmetric A and positive-definite B [d, d]: vectors B-orthonormal, values ascending
 * (scipy.linalg.eigh(A, B)). The inner symmetric problem by Jacobi, or with `tridiag` by tridiagonal QL
 * (several times faster; eigenvalues to eps·‖L⁻¹AL⁻ᵀ‖, not relatively on tiny ones).
 */
export function generalizedSymEig(A: ArrayLike<number>, B: ArrayLike<number>, d: number, fn = 'generalizedSymEig', tridiag = false): Eigh {
  checkSquare(fn, 'A', A, d);
  checkSquare(fn, 'B', B, d);
  const k = getEngine().k;
  const solve = tridiag ? k.f64_sym_eig_generalized__tridiag : k.f64_sym_eig_generalized;
  const { result, outs } = withF64([A, B], [d, d * d], tridiag ? 4 * d * d + 4 * d : 3 * d * d, ([a, b, w, v], ws) => solve(a, b, w, v, d, ws));
  if (result === -2) throw new Error(`${fn}: the eigenvalue iteration did not converge on A [${d}, ${d}]`);
  if (result >= 0) throw new Error(`${fn}: B [${d}, ${d}] is not positive definite (Cholesky pivot ${result} is not positive): the generalised problem needs B ≻ 0`);
  return { values: outs[0], vectors: outs[1] };
}

/**
 * Room for the QL rotations the PSD projection logs, so that it forms only the eigenvectors of
 * the smaller side of the floor: ~2 sweeps per eigenvalue, about d² rotations in all; room for
 * twice that (past it, all eigenvectors are formed as before).
 */
export function psdLogRotations(d: number): number {
  return 2 * d * d + 16;
}


/** The nearest matrix to the symmetric A [d, d] with every eigenvalue ≥ floor (floor 0: projection onto the PSD cone). */
export function psdProject(A: ArrayLike<number>, d: number, floor = 0, fn = 'psdProject'): Float64Array {
  checkSquare(fn, 'A', A, d);
  const k = getEngine().k;
  const cap = psdLogRotations(d);
  const wsDoubles = Math.ceil(k.f64_psd_project_ws_bytes(d, cap) / 8);
  const { result, outs } = withF64([A], [d * d], wsDoubles, ([a, o], ws) => k.f64_psd_project(a, o, d, floor, ws, cap));
  if (result === -2) throw new Error(`${fn}: the eigenvalue iteration did not converge on A [${d}, ${d}]`);
  return outs[0];
}

/**
 * MMC's alternating projections of A [d, d] onto {⟨W, A⟩ ≤ t} and the PSD cone (metric-learn's
 * inner loop), W1 = W/‖W‖ and t1 = t/‖W‖ as metric-learn forms them, until (⟨W, A⟩ − t)/t < eps
 * or maxProj rounds: the last A and whether the constraint was met.
 */
export function mmcProject(A: ArrayLike<number>, W: ArrayLike<number>, W1: ArrayLike<number>, d: number, t: number, t1: number, maxProj: number, eps: number, fn = 'mmcProject'): { A: Float64Array; satisfied: boolean } {
  checkSquare(fn, 'A', A, d);
  checkSquare(fn, 'W', W, d);
  checkSquare(fn, 'W1', W1, d);
  const k = getEngine().k;
  const cap = psdLogRotations(d);
  const wsDoubles = Math.ceil(k.f64_mmc_project_ws_bytes(d, cap) / 8);
  const { result, outs } = withF64([W, W1], [d * d], wsDoubles, ([w, w1, a], ws) => {
    f64().set(A, a >>> 3);
    return k.f64_mmc_project(a, w, w1, d, t, t1, maxProj, eps, ws, cap);
  });
  if (result === -2) throw new Error(`${fn}: the eigenvalue iteration did not converge on A [${d}, ${d}]`);
  return { A: outs[0], satisfied: result > 0 };
}

/** Pseudo-inverse of the symmetric A [d, d], eigenvalues |λ| ≤ rtol·max|λ| dropped (scipy.linalg.pinvh's default rtol d·eps). */
export function pinvh(A: ArrayLike<number>, d: number, rtol = d * 2.220446049250313e-16, fn = 'pinvh'): { inverse: Float64Array; rank: number } {
  checkSquare(fn, 'A', A, d);
  const k = getEngine().k;
  const { result, outs } = withF64([A], [d * d], 2 * d * d + d, ([a, o], ws) => k.f64_pinvh(a, o, d, rtol, ws));
  if (result === -2) throw new Error(`${fn}: the eigenvalue iteration did not converge on A [${d}, ${d}]`);
  return { inverse: outs[0], rank: result };
}

/** Lower-triangular L with A = L·Lᵀ (float64), or the index of the first pivot that is not > relTol·A[k, k]. */
export function choleskyF64(A: ArrayLike<number>, d: number, relTol = 0, fn = 'choleskyF64'): Float64Array | number {
  checkSquare(fn, 'A', A, d);
  const k = getEngine().k;
  const { result, outs } = withF64([A], [d * d], 0, ([a, l]) => k.f64_cholesky(a, l, d, relTol));
  return result >= 0 ? result : outs[0];
}

/** log det A for a positive-definite A [d, d]; NaN when A is not positive definite. */
export function logdetSpd(A: ArrayLike<number>, d: number, fn = 'logdetSpd'): number {
  checkSquare(fn, 'A', A, d);
  const k = getEngine().k;
  return withF64([A], [], d * d, ([a], ws) => k.f64_logdet_spd(a, d, ws)).result;
}

export interface GraphicalLassoOptions {
  covInit?: ArrayLike<number>;
  maxIter?: number;
  tol?: number;
  enetTol?: number;
}

/**
 * The graphical lasso (scikit-learn's graphical_lasso, mode 'cd'): a sparse precision for the
 * empirical covariance emp [d, d] with l1 weight alpha off the diagonal. Throws when the
 * system is too ill-conditioned for the solver (as scikit-learn raises FloatingPointError).
 */
export function graphicalLasso(emp: ArrayLike<number>, d: number, alpha: number, options: GraphicalLassoOptions = {}, fn = 'graphicalLasso'): { covariance: Float64Array; precision: Float64Array; nIter: number; converged: boolean } {
  checkSquare(fn, 'emp', emp, d);
  if (!(alpha > 0)) throw new Error(`${fn}: alpha must be > 0, got ${alpha}`);
  if (d < 2) throw new Error(`${fn}: emp is [${d}, ${d}]: the graphical lasso needs d ≥ 2`);
  const { covInit = emp, maxIter = 100, tol = 1e-4, enetTol = 1e-4 } = options;
  checkSquare(fn, 'covInit', covInit, d);
  const k = getEngine().k;
  const { result, outs } = withF64([emp, covInit], [d * d, d * d], 3 * d * d + 8 * d, ([e, c0, c, p], ws) => k.f64_graphical_lasso(e, c0, c, p, d, alpha, maxIter, tol, enetTol, ws));
  if (result < 0) throw new Error(`${fn}: the system is too ill-conditioned for this solver (the precision became non-finite or not positive definite; emp [${d}, ${d}], alpha ${alpha})`);
  return { covariance: outs[0], precision: outs[1], nIter: result === 0 ? maxIter : result, converged: result > 0 };
}

function checkSquare(fn: string, name: string, A: ArrayLike<number>, d: number): void {
  if (!Number.isInteger(d) || d < 1) throw new Error(`${fn}: d must be a positive integer, got ${d}`);
  if (A.length !== d * d) throw new Error(`${fn}: ${name} has ${A.length} entries but [${d}, ${d}] needs ${d * d}`);
  for (let i = 0; i < A.length; i++) if (!Number.isFinite(A[i])) throw new Error(`${fn}: ${name}[${Math.floor(i / d)}, ${i % d}] is ${A[i]}: entries must be finite`);
}
