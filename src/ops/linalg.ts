// Symmetric positive-definite helpers on assembly/kernels/linalg.ts. cholesky and spdInverse
// have no gradients (they build Mahalanobis matrices from data) and return the failing pivot
// so callers can explain failures in their own terms; inverseSpd is the differentiable inverse.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, record, untracked } from '../autograd/tensor';

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

/**
 * A⁻¹ of a symmetric positive-definite A [d, d], with gradient dA = −A⁻¹·g·A⁻¹ (torch's
 * −A⁻ᵀ·g·A⁻ᵀ, A⁻¹ being symmetric). Throws when A is not positive definite.
 */
export function inverseSpd(A: Tensor, relTol = SPD_REL_TOL): Tensor {
  assertLive('inverseSpd', 'A', A);
  const d = A.shape[0];
  if (A.shape.length !== 2 || A.shape[1] !== d) throw new Error(`inverseSpd: A must be square, got ${fmtShape(A.shape)}`);
  const inv = spdInverse(A, relTol);
  if (typeof inv === 'number') throw new Error(`inverseSpd: A ${fmtShape(A.shape)} is not positive definite (pivot ${inv})`);
  const e = getEngine();
  return record(inv, 'inverseSpd', [A], (g) =>
    addGrad(A, (p, acc) => {
      const t = untracked([d, d]), u = untracked([d, d]);
      try {
        e.k.f32_gemm_nn(inv.ptr, g.ptr, t.ptr, d, d, d, 0, e.gemmWorkspace);
        e.k.f32_gemm_nn(t.ptr, inv.ptr, u.ptr, d, d, d, 0, e.gemmWorkspace);
        if (acc) e.k.f32_axpy(-1, u.ptr, p, d * d);
        else e.k.f32_scale(u.ptr, -1, p, d * d);
      } finally {
        t.dispose();
        u.dispose();
      }
    }),
  );
}
