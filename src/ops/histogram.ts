// Soft-histogram losses as single ops over a distance matrix (kernels in
// assembly/kernels/histogram.ts): DynamicSoftMarginLoss's triplet histogram and FastAP's
// per-row histograms, forward and backward side by side. They replace chains of [triplets]
// or [n, n] ops that lost to PML in bench/losses-miners.ts (LOSSES); the loss files keep the
// formula in their comments and the O(bins) bookkeeping here.
import { empty } from '../autograd/create';
import { Tensor, addGrad, record, untracked } from '../autograd/tensor';
import { f32, getEngine, i32 } from '../wasm/instance';

/** Triplet columns in wasm (int32 [count] each), as allTripletsSet gives them. */
export interface TripletColumns {
  a: Tensor;
  p: Tensor;
  n: Tensor;
  count: number;
}

export interface SoftMarginHistogram {
  minVal: number;
  /** Bin width. */
  delta: number;
  numBins: number;
  /** Weight of this batch's histogram (1 while the old one is empty). */
  momentum: number;
  /** The running histogram before this call [numBins]; a constant here, as PML's is after its first call. */
  old: Float32Array;
}

/**
 * PML's DynamicSoftMarginLoss over triplets of `mat` [n, m]: x = mat[a, p] − mat[a, n], the
 * histogram of x (linear interpolation between bins ⌊u⌋ and ⌊u⌋ + 1, u = (x − minVal)/delta)
 * mixed into the old one and normalised, and the loss mean(CDF(x)·x), with the gradient through
 * both x and the histogram's dependence on x. Returns the scalar loss and the new histogram.
 * Throws (before any state changes) when a difference falls outside the bins. `cols` becomes
 * the output's: it is freed with it (now, when nothing is recorded).
 */
export function softMarginHistogramLoss(mat: Tensor, cols: TripletColumns, h: SoftMarginHistogram): { loss: Tensor; hist: Float32Array } {
  const k = getEngine().k;
  const { numBins: bins, momentum: m } = h;
  const count = cols.count;
  const ld = mat.shape[1];
  const shift = -h.minVal, invDelta = 1 / h.delta;
  const sumsBuf = untracked([6 * bins]); // 3·bins f64
  let sums: Float64Array;
  try {
    const bad = k.f32_soft_margin_hist_fwd(mat.ptr, ld, cols.a.ptr, cols.p.ptr, cols.n.ptr, count, shift, invDelta, bins, sumsBuf.ptr);
    if (bad >= 0) {
      const at = (c: Tensor) => i32()[(c.ptr >>> 2) + bad];
      const v = f32(), a = at(cols.a);
      const x = Math.fround(v[(mat.ptr >>> 2) + a * ld + at(cols.p)] - v[(mat.ptr >>> 2) + a * ld + at(cols.n)]);
      const bin = Math.floor(Math.fround(Math.fround(x + Math.fround(shift)) * Math.fround(invDelta)));
      throw new Error(`DynamicSoftMarginLoss: a difference falls in bin ${bin}, outside the histogram's ${bins} bins from minVal ${h.minVal} (pytorch-metric-learning fails here too)`);
    }
    sums = new Float64Array(f32().buffer, sumsBuf.ptr, 3 * bins).slice();
  } catch (e) {
    for (const c of [cols.a, cols.p, cols.n]) c.dispose();
    throw e;
  } finally {
    sumsBuf.dispose();
  }
  // raw_b = (1 − m)·old_b + m·(Σ_{bin b} (1 − α) + Σ_{bin b − 1} α); hist = raw / Σ raw
  const raw = Float64Array.from(h.old, (o, b) => (1 - m) * o + m * (sums[b] + (b > 0 ? sums[bins + b - 1] : 0)));
  const total = raw.reduce((s, v) => s + v, 0);
  const hist = Float32Array.from(raw, (v) => v / total);
  const cdf = new Float64Array(bins);
  for (let b = 0, c = 0; b < bins; b++) cdf[b] = c += hist[b];
  const xs = sums.subarray(2 * bins);
  let lossSum = 0;
  for (let b = 0; b < bins; b++) lossSum += cdf[b] * xs[b];
  const loss = empty([]);
  f32()[loss.ptr >>> 2] = lossSum / count;
  const saved = [cols.a, cols.p, cols.n];
  const out = record(
    loss,
    'softMarginHistogramLoss',
    [mat],
    (g) => {
      // ∂L/∂hist_c = (1/T) Σ_{b ≥ c} Σx_b; through the normalisation R_b = (G_b − Σ_c G_c·hist_c)/Σraw;
      // a triplet in bin b: ∂L/∂x = cdf_b/T + m·invDelta·(R_{b+1} − R_b)
      const G = new Float64Array(bins);
      for (let b = bins - 1, s = 0; b >= 0; b--) G[b] = (s += xs[b]) / count;
      const dot = G.reduce((s, v, c) => s + v * hist[c], 0);
      const gv = f32()[g.ptr >>> 2];
      const w = untracked([bins]);
      try {
        const wv = f32(), base = w.ptr >>> 2;
        for (let b = 0; b < bins; b++) {
          const r = (G[b] - dot) / total, rNext = b + 1 < bins ? (G[b + 1] - dot) / total : 0;
          wv[base + b] = gv * (cdf[b] / count + m * invDelta * (rNext - r));
        }
        addGrad(mat, (p, acc) => {
          if (!acc) k.f32_fill(p, 0, mat.size);
          k.f32_soft_margin_hist_bwd(mat.ptr, ld, cols.a.ptr, cols.p.ptr, cols.n.ptr, count, shift, invDelta, w.ptr, p);
        });
      } finally {
        w.dispose();
      }
    },
    saved,
  );
  return { loss: out, hist };
}

/**
 * FastAP's per-row sum Σ_k h_k/H_k over the safe bins (h = pos·cumsum(pos), H = cumsum(pos + neg),
 * pos/neg the triangular-pulse histograms of row i's distances to its positives/negatives,
 * numBins + 1 bins on [0, top]) of mat [n, n] with the batch's labels: [n], and the number of
 * safe (row, bin) pairs (0: PML returns zero losses).
 */
export function fastApRows(mat: Tensor, labels: Int32Array, top: number, numBins: number): { ap: Tensor; safe: number } {
  const k = getEngine().k;
  const n = labels.length;
  const bins = numBins + 1;
  const invDelta = numBins / top;
  const lab = untracked([n]);
  i32().set(labels, lab.ptr >>> 2);
  const hist = untracked([n, 2 * bins]);
  const ap = empty([n]);
  const safe = k.f32_fast_ap_fwd(mat.ptr, lab.ptr, n, top, invDelta, numBins, hist.ptr, ap.ptr);
  const out = record(
    ap,
    'fastApRows',
    [mat],
    (g) =>
      addGrad(mat, (p, acc) => {
        const scratch = untracked([2 * bins]);
        try {
          k.f32_fast_ap_bwd(mat.ptr, lab.ptr, n, top, invDelta, numBins, hist.ptr, g.ptr, scratch.ptr, p, acc);
        } finally {
          scratch.dispose();
        }
      }),
    [lab, hist],
  );
  return { ap: out, safe };
}
