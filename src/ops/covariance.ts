// Column statistics of a batch x [n, d] as ops (assembly/kernels/covariance.ts): centring by the
// column means, the Gram matrix xᵀx, and VICReg's two regularisers read off the Gram matrix of
// the centred batch — the hinge on each column's standard deviation (its diagonal) and the sum of
// squared covariances (off it). VICRegLoss builds its variance and covariance terms of a view
// from one Gram matrix, whose gradient is one GEMM.
import { empty } from '../autograd/create';
import { Tensor, addGrad, record, untracked } from '../autograd/tensor';
import { f32, getEngine } from '../wasm/instance';

/** x − colmean(x) for x [n, d]. */
export function centreColumns(x: Tensor): Tensor {
  const k = getEngine().k;
  const [n, d] = x.shape;
  const out = empty([n, d]);
  const tmp = untracked([d]);
  try {
    k.f32_centre_cols_fwd(x.ptr, out.ptr, tmp.ptr, n, d);
  } catch (e) {
    tmp.dispose();
    throw e;
  }
  return record(out, 'centreColumns', [x], (g) => addGrad(x, (p, acc) => k.f32_centre_cols_bwd(g.ptr, p, tmp.ptr, n, d, acc)), [tmp]);
}

/**
 * xᵀx [d, d] for x [n, d]: xᵀ's rows times themselves (f32_gemm_nt_self: the tiles on and above
 * the diagonal); gradient x·(G + Gᵀ), one GEMM.
 */
export function gramColumns(x: Tensor): Tensor {
  const e = getEngine(), k = e.k;
  const [n, d] = x.shape;
  const out = empty([d, d]);
  const xt = untracked([d, n]);
  try {
    k.f32_transpose(x.ptr, xt.ptr, n, d);
    k.f32_gemm_nt_self(xt.ptr, out.ptr, d, n, e.gemmWorkspace);
  } finally {
    xt.dispose();
  }
  return record(out, 'gramColumns', [x], (g) => {
    const sym = untracked([d, d]);
    try {
      k.f32_add_transpose(g.ptr, 0, sym.ptr, d, 1);
      addGrad(x, (p, acc) => k.f32_gemm_nn(x.ptr, sym.ptr, p, n, d, d, acc, e.gemmWorkspace));
    } finally {
      sym.dispose();
    }
  });
}

/**
 * scale·relu(1 − sqrt(C_jj / (rows − 1) + eps)) [d] for the Gram matrix C [d, d] of a centred batch
 * of `rows` rows: the hinge on each column's (unbiased) standard deviation.
 */
export function varianceHinge(gram: Tensor, rows: number, eps: number, scale: number): Tensor {
  const k = getEngine().k;
  const d = gram.shape[0];
  const inv = 1 / (rows - 1);
  const out = empty([d]);
  k.f32_var_hinge_fwd(gram.ptr, d, inv, eps, scale, out.ptr);
  return record(out, 'varianceHinge', [gram], (g) => addGrad(gram, (p, acc) => k.f32_var_hinge_bwd(gram.ptr, d, inv, eps, scale, g.ptr, p, acc)));
}

/** scale·Σ_{a≠b} C_ab² (a scalar) for a square C [d, d]. */
export function offDiagonalSquares(gram: Tensor, scale: number): Tensor {
  const k = getEngine().k;
  const d = gram.shape[0];
  const out = empty([]);
  f32()[out.ptr >> 2] = k.f32_offdiag_sq_fwd(gram.ptr, d, scale);
  return record(out, 'offDiagonalSquares', [gram], (g) => addGrad(gram, (p, acc) => k.f32_offdiag_sq_bwd(gram.ptr, d, scale, g.ptr, p, acc)));
}
