// Mahalanobis ops on assembly/kernels/mahalanobis.ts: (x − y)ᵀ M (x − y) for symmetric M,
// differentiable in x, y and M. Inputs validated by src/distances/mahalanobis.ts.
// XM, YM below are taken on rows centred by y's mean; every formula is shift invariant.
//   pairwise  D = qx + qyᵀ − 2·(X·M)·Yᵀ         paired  d_i = diff_iᵀ M diff_i
// Gradients (G = ∂L/∂D):
//   gx = 2(rowsum(G)⊙XM − G·YM)               gy = 2(colsum(G)⊙YM − Gᵀ·XM)
//   gM = Xᵀ(rowsum(G)⊙X − G·Y) + Yᵀ(colsum(G)⊙Y − Gᵀ·X)   (= Σ G_ij v_ij v_ijᵀ, v = x_i − y_j)
// each bracket is the f32_cdist_l2_bwd_x/y form with negated weights.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, record, untracked } from '../autograd/tensor';
import { l2PairwiseGrads, withScratch } from './distance';

export function mahalanobisPairwise(x: Tensor, y: Tensor, M: Tensor): Tensor {
  const e = getEngine();
  const k = e.k;
  const [n, d] = x.shape;
  const m = y.shape[0];
  const out = empty([n, m]);
  const xm = untracked([n, d]);
  const ym = untracked([m, d]);
  withScratch([(n + m) * d + d + n + m], (s) => {
    const xc = s.ptr, yc = xc + n * d * 4, mu = yc + m * d * 4, qx = mu + d * 4, qy = qx + n * 4;
    k.f32_mahalanobis_cdist_fwd(x.ptr, y.ptr, M.ptr, xc, yc, mu, xm.ptr, ym.ptr, qx, qy, out.ptr, n, m, d, e.gemmWorkspace);
  });
  return record(
    out,
    'mahalanobisPairwise',
    [x, y, M],
    (g) => {
      if (x.requiresGrad || y.requiresGrad) {
        withScratch([n, m], (nw) => {
          k.f32_scale(g.ptr, -2, nw.ptr, n * m);
          l2PairwiseGrads(nw, xm, ym, x, y);
        });
      }
      addGrad(M, (p, acc) =>
        withScratch([n, m], (nw) =>
          withScratch([Math.max(n, m), d], (t) => {
            k.f32_scale(g.ptr, -1, nw.ptr, n * m);
            k.f32_cdist_l2_bwd_x(nw.ptr, x.ptr, y.ptr, t.ptr, n, m, d, 0, e.gemmWorkspace);
            k.f32_gemm_tn(x.ptr, t.ptr, p, d, n, d, acc, e.gemmWorkspace);
            withScratch([m], (cs) => k.f32_cdist_l2_bwd_y(nw.ptr, x.ptr, y.ptr, cs.ptr, t.ptr, n, m, d, 0, e.gemmWorkspace));
            k.f32_gemm_tn(y.ptr, t.ptr, p, d, m, d, 1, e.gemmWorkspace);
          }),
        ),
      );
    },
    [xm, ym],
  );
}

export function mahalanobisPaired(x: Tensor, y: Tensor, M: Tensor): Tensor {
  const e = getEngine();
  const k = e.k;
  const [n, d] = x.shape;
  const out = empty([n]);
  const diff = untracked([n, d]);
  const dm = untracked([n, d]);
  k.f32_mahalanobis_paired_fwd(x.ptr, y.ptr, M.ptr, diff.ptr, dm.ptr, out.ptr, n, d, e.gemmWorkspace);
  return record(
    out,
    'mahalanobisPaired',
    [x, y, M],
    (g) => {
      addGrad(x, (p, acc) => k.f32_mahalanobis_paired_bwd_x(dm.ptr, g.ptr, p, n, d, 2, acc));
      addGrad(y, (p, acc) => k.f32_mahalanobis_paired_bwd_x(dm.ptr, g.ptr, p, n, d, -2, acc));
      addGrad(M, (p, acc) => withScratch([n, d], (t) => k.f32_mahalanobis_paired_bwd_m(diff.ptr, g.ptr, t.ptr, p, n, d, acc, e.gemmWorkspace)));
    },
    [diff, dm],
  );
}
