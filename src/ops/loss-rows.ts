// Row-wise fused loss ops (assembly/kernels/loss-rows.ts): one forward kernel that masks each
// anchor row by labels and reduces it, one backward kernel that writes the row's gradient —
// instead of the [n, m] float masks and temporaries of the op form. Labels and index columns
// are copied into wasm int32 buffers kept with the output for the backward.
import { empty } from '../autograd/create';
import { Tensor, addGrad, record, untracked } from '../autograd/tensor';
import { f32, getEngine } from '../wasm/instance';
import { withScratch } from './distance';
import { int32From } from './loss';

/** An untracked int32 buffer of data, saved with the op output (freed with it). */
const saved32 = (data: ArrayLike<number>): Tensor => int32From(data);

/**
 * PML's RankedListLoss per row of mat [n, n] (the batch against itself, diagonal read as 0),
 * labels [n] → [n]: (1 − imbalance)·L_P + imbalance·L_N, L_P the e^{Tp·v}-weighted mean of
 * v = d − b over the positives with d > b, L_N the e^{Tn·u}-weighted mean of u = α − d over
 * the negatives with d < α (only entries d > 0; each weight sum padded by 1e-5·n).
 */
export function rankedListLosses(mat: Tensor, labels: Int32Array, b: number, alpha: number, Tp: number, Tn: number, imbalance: number): Tensor {
  const k = getEngine().k;
  const n = labels.length;
  const lab = saved32(labels);
  const stats = untracked([4 * n]);
  const out = empty([n]);
  k.f32_ranked_list_fwd(mat.ptr, lab.ptr, n, b, alpha, Tp, Tn, imbalance, 1e-5 * n, stats.ptr, out.ptr);
  return record(out, 'rankedListLosses', [mat], (g) =>
    addGrad(mat, (p, acc) => k.f32_ranked_list_bwd(mat.ptr, lab.ptr, n, b, alpha, Tp, Tn, imbalance, stats.ptr, g.ptr, p, acc)),
  [lab, stats]);
}

/**
 * PML's AngularLoss per positive pair k → [count]: log(1 + Σ_j e^{c1·(s1[a1k, j] + s2[pk, j]) −
 * c2·ap[k]}) over the references j whose label differs from the anchor's (0 when there is none).
 * s1 [n, m], s2 [·, m] (may be s1 itself), ap [count]; labels [n] of the anchors' batch,
 * refLabels [m].
 */
export function angularLosses(s1: Tensor, s2: Tensor, ap: Tensor, a1: Int32Array, p: Int32Array, labels: Int32Array, refLabels: Int32Array, c1: number, c2: number): Tensor {
  const k = getEngine().k;
  const m = s1.shape[1];
  const count = a1.length;
  const bufs = [a1, p, labels, refLabels].map(saved32);
  const [ba1, bp, bl, br] = bufs;
  const lse = untracked([count]);
  const out = empty([count]);
  k.f32_angular_fwd(s1.ptr, s2.ptr, m, ap.ptr, ba1.ptr, bp.ptr, count, bl.ptr, br.ptr, c1, c2, lse.ptr, out.ptr);
  const inputs = s1 === s2 ? [s1, ap] : [s1, s2, ap];
  return record(out, 'angularLosses', inputs, (g) => {
    // the kernel scatter-adds into zeroed buffers (one when s1 and s2 are the same tensor)
    const d1 = untracked(s1.shape);
    const d2 = s1 === s2 ? d1 : untracked(s2.shape);
    const dap = untracked([count]);
    try {
      k.f32_fill(d1.ptr, 0, d1.size);
      if (d2 !== d1) k.f32_fill(d2.ptr, 0, d2.size);
      k.f32_angular_bwd(s1.ptr, s2.ptr, m, ap.ptr, ba1.ptr, bp.ptr, count, bl.ptr, br.ptr, c1, c2, lse.ptr, g.ptr, d1.ptr, d2.ptr, dap.ptr);
      const put = (t: Tensor, d: Tensor) => addGrad(t, (ptr, acc) => (acc ? k.f32_add(ptr, d.ptr, ptr, t.size) : k.f32_copy(d.ptr, ptr, t.size)));
      put(s1, d1);
      if (d2 !== d1) put(s2, d2);
      put(ap, dap);
    } finally {
      d1.dispose();
      if (d2 !== d1) d2.dispose();
      dap.dispose();
    }
  }, [...bufs, lse]);
}

/**
 * PML's nca_computation per listed row → [rows.length]: w[r]·(logsumexp_j s·mat[i, j] −
 * logsumexp over the j with refLabels[j] = labels[i]), i = rows[r], i.e. −w·log of the softmax
 * mass on the same-label references. mat [n, m]; refLabels null: the batch against itself
 * (m = n, the diagonal left out). rows strictly increasing, each with a same-label reference;
 * w [rows.length]. symmetric: mat is the batch's distance to itself, mat[i, j] = mat[j, i]
 * (with refLabels null and every row listed, the softmax then takes e^x on half the matrix).
 */
export function ncaLosses(mat: Tensor, labels: Int32Array, refLabels: Int32Array | null, s: number, rows: Int32Array, w: Float32Array, symmetric = false): Tensor {
  const k = getEngine().k;
  const [n, m] = mat.shape;
  const count = rows.length;
  const bufs = [labels, refLabels ?? labels, rows].map(saved32);
  const [bl, br, brows] = bufs;
  const bw = untracked([count]);
  if (count > 0) f32().set(w, bw.ptr >>> 2);
  const stats = untracked([5 * count]);
  const terms = untracked([count, m]);
  const out = empty([count]);
  const self = refLabels === null ? 1 : 0;
  if (symmetric && self && count === n && n > 1) withScratch([2 * n], (cs) => k.f32_nca_fwd_sym(mat.ptr, n, bl.ptr, s, brows.ptr, bw.ptr, stats.ptr, terms.ptr, out.ptr, cs.ptr));
  else k.f32_nca_fwd(mat.ptr, m, bl.ptr, br.ptr, self, s, brows.ptr, bw.ptr, count, stats.ptr, terms.ptr, out.ptr);
  return record(out, 'ncaLosses', [mat], (g) =>
    addGrad(mat, (p, acc) => k.f32_nca_bwd(mat.ptr, n, m, bl.ptr, br.ptr, self, s, brows.ptr, bw.ptr, count, stats.ptr, terms.ptr, g.ptr, p, acc)),
  [...bufs, bw, stats, terms]);
}

/**
 * PML's PNPLoss ranks per listed (query, positive) pair k → [count]: Σ over the columns j
 * labelled unlike the query q = pq[k] of sigmoid((sim[q, j] − sim[q, pi[k]])/anneal), the
 * sigmoid's exponent clamped to ±50 as PML does. sim [n, n], labels [n].
 */
export function pnpRanks(sim: Tensor, labels: Int32Array, pq: Int32Array, pi: Int32Array, anneal: number): Tensor {
  const k = getEngine().k;
  const n = labels.length;
  const count = pq.length;
  const bufs = [labels, pq, pi].map(saved32);
  const [bl, bq, bi] = bufs;
  const out = empty([count]);
  k.f32_pnp_ranks_fwd(sim.ptr, n, bl.ptr, bq.ptr, bi.ptr, count, 1 / anneal, out.ptr);
  return record(out, 'pnpRanks', [sim], (g) =>
    addGrad(sim, (p, acc) => k.f32_pnp_ranks_bwd(sim.ptr, n, bl.ptr, bq.ptr, bi.ptr, count, 1 / anneal, g.ptr, p, acc)),
  bufs);
}
