// Symmetric positive-definite helpers on assembly/kernels/linalg.ts (no gradients: used to
// build Mahalanobis matrices from data). Failures return the failing pivot so callers can
// explain them in their own terms.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor } from '../autograd/tensor';

/** Default singularity threshold: a pivot below 1e-6 of its diagonal entry (R² > 0.999999). */
export const SPD_REL_TOL = 1e-6;

function withF64Workspace<T>(doubles: number, fn: (ws: number) => T): T {
  const alloc = getEngine().alloc;
  const ws = alloc.alloc(doubles * 8);
  try {
    return fn(ws);
  } finally {
    alloc.free(ws);
  }
}

/** Lower-triangular L with A = L·Lᵀ, or the index of the failing pivot. A [d, d]. */
export function cholesky(A: Tensor, relTol = SPD_REL_TOL): Tensor | number {
  const d = A.shape[0];
  const k = getEngine().k;
  const L = empty([d, d]);
  const r = withF64Workspace(d * d, (ws) => k.f32_cholesky(A.ptr, L.ptr, d, relTol, ws));
  if (r < 0) return L;
  L.dispose();
  return r;
}

/** A⁻¹ through the Cholesky factor, or the index of the failing pivot. */
export function spdInverse(A: Tensor, relTol = SPD_REL_TOL): Tensor | number {
  const d = A.shape[0];
  const k = getEngine().k;
  const out = empty([d, d]);
  const r = withF64Workspace(2 * d * d, (ws) => k.f32_spd_inverse(A.ptr, out.ptr, d, relTol, ws));
  if (r < 0) return out;
  out.dispose();
  return r;
}
