// Loss ops of metric learning over a distance matrix (or a paired-distance vector) and int32
// index columns: each op runs one fused kernel forward (gather → per-tuple loss) and one
// backward (per-tuple slope → scatter into the matrix gradient), which autograd then carries
// through the distance's own backward to the embeddings.
//
// Index columns are int32 data kept in untracked tensors (same byte size as float32). Ops
// never take ownership of them: an op that needs them in backward keeps its own reference
// (a shared view, freed with the op's output), so callers free their buffers in `finally`.
import { empty } from '../autograd/create';
import { Tensor, addGrad, keep, record, untracked, viewOf } from '../autograd/tensor';
import { f32, getEngine, i32 } from '../wasm/instance';
import { PairKind, PairLse, TripletFlag } from '../wasm/abi';

export { PairKind, TripletFlag };

/** int32 column: `buf` holds int32 data, the column starts `off` elements in. */
export interface Index {
  buf: Tensor;
  off: number;
}

/** An untracked buffer of `count` int32 (or 4·count bytes). */
export function int32Buffer(count: number): Tensor {
  return untracked([count]);
}

/** An untracked int32 buffer holding `data`. */
export function int32From(data: ArrayLike<number>): Tensor {
  const t = untracked([data.length]);
  if (data.length > 0) i32().set(data, t.ptr >>> 2);
  return t;
}

/** A copy of `count` int32 of an index column. */
export function int32Read(ix: Index, count: number): Int32Array {
  const p = (ix.buf.ptr >>> 2) + ix.off;
  return i32().slice(p, p + count);
}

/** 0, 1, …, n − 1 as an untracked int32 buffer. */
export function iota(n: number): Tensor {
  const t = untracked([n]);
  const v = i32();
  const p = t.ptr >>> 2;
  for (let i = 0; i < n; i++) v[p + i] = i;
  return t;
}

/** Byte address of an index column's first entry. */
export const indexPtr = (ix: Index): number => ix.buf.ptr + ix.off * 4;

/** The column of `buf` starting `off` entries in. */
export const col = (buf: Tensor, off = 0): Index => ({ buf, off });

/** A reference to buf that lives as long as the op output that saves it (outside every tidy scope). */
function share(buf: Tensor): Tensor {
  return keep(viewOf(buf, buf.shape));
}

/**
 * Pushes a gradient that a kernel scatter-adds into each of `targets` (the distinct tensors
 * the op read). One target: straight into its gradient buffer (zeroed first when fresh).
 * Several: into zeroed temporaries, then added to each gradient.
 */
function scatterGrads(targets: Tensor[], run: (ptrs: Map<Tensor, number>) => void): void {
  const k = getEngine().k;
  if (targets.length === 1) {
    const t = targets[0];
    addGrad(t, (p, acc) => {
      if (!acc) k.f32_fill(p, 0, t.size);
      run(new Map([[t, p]]));
    });
    return;
  }
  const tmps = targets.map((t) => {
    const z = untracked(t.shape);
    k.f32_fill(z.ptr, 0, z.size);
    return z;
  });
  try {
    run(new Map(targets.map((t, i) => [t, tmps[i].ptr])));
    targets.forEach((t, i) =>
      addGrad(t, (p, acc) => (acc ? k.f32_add(p, tmps[i].ptr, p, t.size) : k.f32_copy(tmps[i].ptr, p, t.size))),
    );
  } finally {
    for (const z of tmps) z.dispose();
  }
}


/** Pairs read out of `buf` at (rows[k]·ld + cols[k]); ld 0 reads a vector at cols[k]. */
export interface PairSource {
  buf: Tensor;
  ld: number;
  rows: Index;
  cols: Index;
  count: number;
}

/**
 * Every positive (or every negative) pair of a labelled batch against a reference set, read
 * out of `buf` [n, m] in row-major order as the labels give them (f32_label_pair_loss_fwd),
 * without index columns: labels [n], refLabels [m] and own [n] (or null) are int32 buffers;
 * self: the reference set is the batch (no (i, i) pair); own[i]: a positive pair left out.
 */
export interface LabelPairSource {
  buf: Tensor;
  labels: Tensor;
  refLabels: Tensor;
  own: Tensor | null;
  self: boolean;
  positive: boolean;
  count: number;
}

/** Per-pair losses [count]; `targets` [count] (kinds expRegression, regression) are constants. */
export function pairLosses(kind: PairKind, src: PairSource | LabelPairSource, margin = 0, targets?: Tensor): Tensor {
  if ('positive' in src) return labelPairLosses(kind, src, margin, targets);
  const k = getEngine().k;
  const { buf, ld, count } = src;
  const out = empty([count]);
  const tptr = targets ? targets.ptr : 0;
  k.f32_pair_loss_fwd(kind, buf.ptr, ld, indexPtr(src.rows), indexPtr(src.cols), count, margin, tptr, out.ptr);
  const rows = col(share(src.rows.buf), src.rows.off);
  const cols = col(share(src.cols.buf), src.cols.off);
  const ys = targets ? share(targets) : null;
  const saved = [rows.buf, cols.buf];
  if (ys) saved.push(ys);
  return record(
    out,
    'pairLosses',
    [buf],
    (g) =>
      scatterGrads([buf], (p) =>
        k.f32_pair_loss_bwd(kind, buf.ptr, ld, indexPtr(rows), indexPtr(cols), count, margin, ys ? ys.ptr : 0, g.ptr, p.get(buf)!),
      ),
    saved,
  );
}

function labelPairLosses(kind: PairKind, src: LabelPairSource, margin: number, targets?: Tensor): Tensor {
  if (targets) throw new Error(`simlearn: internal: pairLosses of label pairs takes no targets (kind ${kind})`);
  const k = getEngine().k;
  const { buf, count, self, positive } = src;
  const [n, m] = buf.shape;
  const out = empty([count]);
  const [labels, refLabels] = [share(src.labels), share(src.refLabels)];
  const own = src.own ? share(src.own) : null;
  const saved = own ? [labels, refLabels, own] : [labels, refLabels];
  const args = () => [kind, buf.ptr, n, m, labels.ptr, refLabels.ptr, self ? 1 : 0, own ? own.ptr : 0, positive ? 1 : 0, margin] as const;
  try {
    const got = k.f32_label_pair_loss_fwd(...args(), out.ptr);
    if (got !== count) throw new Error(`simlearn: internal: ${got} label pairs where ${count} were counted`);
  } catch (e) {
    for (const t of saved) t.dispose();
    throw e;
  }
  return record(out, 'pairLosses', [buf], (g) => scatterGrads([buf], (p) => k.f32_label_pair_loss_bwd(...args(), g.ptr, p.get(buf)!)), saved);
}

/** Triplets read as ap[a·ld + p], an[a·ld + n], pn[p·ld + n]: one matrix (ld n) or three vectors (ld 0). */
export interface TripletSource {
  ap: Tensor;
  an: Tensor;
  pn: Tensor;
  ld: number;
  a: Index;
  p: Index;
  n: Index;
  count: number;
}

/** Per-triplet margin losses [count] (see f32_triplet_margin_fwd). */
export function tripletMarginLosses(src: TripletSource, margin: number, flags: number): Tensor {
  const k = getEngine().k;
  const { ap, an, pn, ld, count } = src;
  const out = empty([count]);
  k.f32_triplet_margin_fwd(ap.ptr, an.ptr, pn.ptr, ld, indexPtr(src.a), indexPtr(src.p), indexPtr(src.n), count, margin, flags, out.ptr);
  const a = col(share(src.a.buf), src.a.off);
  const p = col(share(src.p.buf), src.p.off);
  const n = col(share(src.n.buf), src.n.off);
  const inputs = [...new Set([ap, an, pn])];
  return record(
    out,
    'tripletMarginLosses',
    inputs,
    (g) =>
      scatterGrads(inputs, (ptr) =>
        k.f32_triplet_margin_bwd(ap.ptr, an.ptr, pn.ptr, ld, indexPtr(a), indexPtr(p), indexPtr(n), count, margin, flags, g.ptr, ptr.get(ap)!, ptr.get(an)!, ptr.get(pn)!),
      ),
    [a.buf, p.buf, n.buf],
  );
}

/**
 * NT-Xent per positive pair [count]: the anchor's negatives are negCols[negStart[a] ..
 * negStart[a + 1]) (CSR by anchor, int32 buffers of n + 1 and the negative count).
 */
export function ntxentLosses(mat: Tensor, a1: Index, p: Index, count: number, negStart: Tensor, negCols: Tensor, temperature: number, inverted: boolean): Tensor {
  const k = getEngine().k;
  const [n, ld] = mat.shape;
  const out = empty([count]);
  const inv = 1 / temperature;
  const flag = inverted ? 1 : 0;
  const negLse = untracked([n]);
  k.f32_ntxent_fwd(mat.ptr, ld, n, indexPtr(a1), indexPtr(p), count, negStart.ptr, negCols.ptr, inv, flag, negLse.ptr, out.ptr);
  const sa = col(share(a1.buf), a1.off);
  const sp = col(share(p.buf), p.off);
  const ss = share(negStart);
  const sc = share(negCols);
  return record(
    out,
    'ntxentLosses',
    [mat],
    (g) =>
      scatterGrads([mat], (ptr) => {
        const w = untracked([n]);
        try {
          k.f32_ntxent_bwd(mat.ptr, ld, n, indexPtr(sa), indexPtr(sp), count, ss.ptr, sc.ptr, inv, flag, negLse.ptr, w.ptr, g.ptr, ptr.get(mat)!);
        } finally {
          w.dispose();
        }
      }),
    [sa.buf, sp.buf, ss, sc, negLse],
  );
}

/** Multi-similarity loss per anchor [n] of mat [n, m]; masks are u8 [n, m] buffers of the positive / negative pairs. */
export function multiSimilarityLosses(mat: Tensor, posMask: Tensor, negMask: Tensor, alpha: number, beta: number, base: number, inverted: boolean): Tensor {
  const k = getEngine().k;
  const [n, m] = mat.shape;
  const out = empty([n]);
  const inv = inverted ? 1 : 0;
  const lse = untracked([2 * n]);
  k.f32_multi_similarity_fwd(mat.ptr, n, m, posMask.ptr, negMask.ptr, alpha, beta, base, inv, lse.ptr, out.ptr);
  const pm = share(posMask);
  const nm = share(negMask);
  return record(
    out,
    'multiSimilarityLosses',
    [mat],
    (g) =>
      scatterGrads([mat], (ptr) => k.f32_multi_similarity_bwd(mat.ptr, n, m, pm.ptr, nm.ptr, alpha, beta, base, inv, lse.ptr, g.ptr, ptr.get(mat)!)),
    [pm, nm, lse],
  );
}

/** Per side (positive, negative) of pairLseLosses: logit a·(s − b), times [o − s]₊ / [s − o]₊ for circle. */
export interface PairLseSide {
  a: number;
  b: number;
  o?: number;
}

/**
 * Each row's positive and negative columns: u8 masks [n, m] (the caller keeps them until the
 * call returns), or labels [n] against refLabels [m] (null: the batch against itself, a row
 * no positive of its own).
 */
export type PairColumns = { pos: Tensor; neg: Tensor } | { labels: Int32Array; refLabels: Int32Array | null };

/**
 * Per anchor row of mat [n, m]: P + N, the masked log-sum-exps of its positive and negative
 * columns' logits, then relu (lifted) or softplus with 0 for a row missing a side (circle).
 * Kernel: f32_pair_lse_fwd/_bwd in assembly/kernels/loss.ts.
 */
export function pairLseLosses(kind: 'lifted' | 'circle', mat: Tensor, cols: PairColumns, pos: PairLseSide, neg: PairLseSide): Tensor {
  const k = getEngine().k;
  const [n, m] = mat.shape;
  const code = PairLse[kind];
  const out = empty([n]);
  const terms = untracked([n, m]);
  const stats = untracked([2 * n]);
  const [ap, bp, op, an, bn, on] = [pos.a, pos.b, pos.o ?? 0, neg.a, neg.b, neg.o ?? 0];
  // masks and labels are alternatives: the kernel reads the labels when refLabels is not 0
  let bufs: Tensor[], pm = 0, nm = 0, lb = 0, rb = 0;
  if ('pos' in cols) {
    bufs = [share(cols.pos), share(cols.neg)];
    [pm, nm] = [bufs[0].ptr, bufs[1].ptr];
  } else {
    bufs = [cols.labels, ...(cols.refLabels ? [cols.refLabels] : [])].map(int32From);
    [lb, rb] = [bufs[0].ptr, bufs[bufs.length - 1].ptr];
  }
  const self = 'pos' in cols || cols.refLabels ? 0 : 1;
  k.f32_pair_lse_fwd(code, mat.ptr, n, m, pm, nm, lb, rb, self, ap, bp, op, an, bn, on, terms.ptr, stats.ptr, out.ptr);
  return record(
    out,
    'pairLseLosses',
    [mat],
    (g) => addGrad(mat, (p, acc) => k.f32_pair_lse_bwd(code, mat.ptr, n, m, pm, lb, rb, self, op, on, terms.ptr, stats.ptr, g.ptr, p, acc)),
    [...bufs, terms, stats],
  );
}

/** Elementwise binary cross-entropy with logits z against constant targets y (same shape), stable for any |z|. */
export function bceWithLogits(z: Tensor, y: Tensor): Tensor {
  const k = getEngine().k;
  const out = empty(z.shape);
  k.f32_bce_logits_fwd(z.ptr, y.ptr, out.ptr, z.size);
  const sy = share(y);
  return record(out, 'bceWithLogits', [z], (g) => addGrad(z, (p, acc) => k.f32_bce_logits_bwd(z.ptr, sy.ptr, g.ptr, p, z.size, acc)), [sy]);
}

/** Mean of the entries > 0 (pytorch-metric-learning's AvgNonZeroReducer); 0 with zero gradient when none. */
export function avgNonZero(x: Tensor): Tensor {
  const k = getEngine().k;
  const count = k.f32_count_positive(x.ptr, x.size);
  const out = empty([]);
  f32()[out.ptr >>> 2] = count > 0 ? k.f32_sum_positive(x.ptr, x.size) / count : 0;
  const scale = count > 0 ? 1 / count : 0;
  return record(out, 'avgNonZero', [x], (g) =>
    addGrad(x, (p, acc) => k.f32_positive_mask_scale(x.ptr, f32()[g.ptr >>> 2] * scale, p, x.size, acc)),
  );
}

/** Number of entries > 0. */
export function countPositive(x: Tensor): number {
  return getEngine().k.f32_count_positive(x.ptr, x.size);
}

/** Rows of the 2-D tensors xs (same width) stacked into one [Σ n_i, d] tensor; gradients split back. */
export function stackRows(xs: Tensor[]): Tensor {
  const k = getEngine().k;
  const d = xs[0].shape[1];
  const out = empty([xs.reduce((s, x) => s + x.shape[0], 0), d]);
  let off = 0;
  const offsets = xs.map((x) => {
    k.f32_copy(x.ptr, out.ptr + off * 4, x.size);
    off += x.size;
    return off - x.size;
  });
  return record(out, 'stackRows', xs, (g) =>
    xs.forEach((x, i) =>
      addGrad(x, (p, acc) => {
        const src = g.ptr + offsets[i] * 4;
        acc ? k.f32_add(p, src, p, x.size) : k.f32_copy(src, p, x.size);
      }),
    ),
  );
}
