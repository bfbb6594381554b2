// Row-wise fused loss kernels (pytorch-metric-learning semantics): each anchor row of a
// matrix [n, m] is masked by labels on the fly and reduced in one f32x4 pass (scalar tail),
// forward and backward side by side. The op form of these losses builds several [n, m]
// float masks and temporaries per call; these kernels read the matrix and the int32 labels
// only. Backward recomputes e^x rather than keeping an [n, m] buffer alive.
// Also: the pair bookkeeping CrossBatchMemory needs (u8 label masks, dropping each anchor's
// pair with its own copy in the reference set).

import { exp4 } from './expf4';
import { mirrorUpper } from './gemm-tile';
import { maxScaledRow } from './vec';

// @ts-ignore: decorator
@inline function ldi(base: usize, k: i32): i32 {
  return load<i32>(base + (<usize>k << 2));
}

// @ts-ignore: decorator
@inline function ldf(base: usize, k: i32): f32 {
  return load<f32>(base + (<usize>k << 2));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// The four lanes added in f64.
// @ts-ignore: decorator
@inline function hsum64(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  return max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

// ---- pairs from labels ----

// Drops the pairs k with p[k] == own[a1[k]] (own[a] = −1: a has no own copy), compacting a1
// and p in place in order; returns the new count. CrossBatchMemory's remove_self_comparisons.
export function i32_drop_own_pairs(a1: usize, p: usize, count: i32, own: usize): i32 {
  let c = 0;
  for (let k = 0; k < count; k++) {
    const a = ldi(a1, k), q = ldi(p, k);
    if (q == ldi(own, a)) continue;
    store<i32>(a1 + (<usize>c << 2), a);
    store<i32>(p + (<usize>c << 2), q);
    c++;
  }
  return c;
}

// u8 masks [n, m] of labels [n] against refLabels [m]: pos[i, j] = 1 where the labels match
// (not j == i when self is 1; not j == own[i] when own is not 0, own[i] = −1 for none),
// neg[i, j] = 1 where they differ. counts[0, 1] = positive and negative pairs.
export function u8_label_masks(labels: usize, n: i32, refLabels: usize, m: i32, self: i32, own: usize, pos: usize, neg: usize, counts: usize): void {
  let np = 0, nn = 0;
  for (let i = 0; i < n; i++) {
    const li = ldi(labels, i);
    const skip = self ? i : own ? ldi(own, i) : -1;
    const pr = pos + <usize>i * <usize>m, nr = neg + <usize>i * <usize>m;
    for (let j = 0; j < m; j++) {
      const same = ldi(refLabels, j) == li;
      const p = same && j != skip;
      store<u8>(pr + <usize>j, <u8>p);
      store<u8>(nr + <usize>j, <u8>!same);
      np += <i32>p;
      nn += <i32>!same;
    }
  }
  store<i32>(counts, np);
  store<i32>(counts, nn, 4);
}

// ---- ranked list loss ----
// mat [n, n] (the batch against itself, diagonal read as 0), labels [n]. Per row i, over
// positives j (same label, j ≠ i, mat > b and mat > 0; b = α − margin) with v = mat − b, and
// negatives j (other label, 0 < mat < α) with u = α − mat:
//   L_P = Σ w v / (Σ w + eps), w = e^{Tp·v};  L_N = Σ w u / (Σ w + eps), w = e^{Tn·u}
//   out[i] = (1 − imbalance)·L_P + imbalance·L_N;  eps = 1e-5·n (PML adds 1e-5 per column).
// stats [4n]: L_P, Σ w + eps, L_N, Σ w + eps per row, for the backward.

// (Σ w·v, Σ w) of one row over the mask lanes; pos 1: positives, 0: negatives.
// @ts-ignore: decorator
@inline function rankedRow(row: usize, labels: usize, n: i32, i: i32, pos: bool, b: f32, alpha: f32, T: f32): v128 {
  const li = ldi(labels, i);
  const vl = i32x4.splat(li), vi = i32x4.splat(i);
  const zero = f32x4.splat(0), vb = f32x4.splat(b), va = f32x4.splat(alpha), vT = f32x4.splat(T);
  let sv = zero, sw = zero;
  let jv = i32x4(0, 1, 2, 3);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const x = v128.load(row + (<usize>j << 2));
    const same = i32x4.eq(v128.load(labels + (<usize>j << 2)), vl);
    let mask: v128, v: v128;
    if (pos) {
      mask = v128.and(v128.and(same, i32x4.ne(jv, vi)), v128.and(f32x4.gt(x, vb), f32x4.gt(x, zero)));
      v = f32x4.sub(x, vb);
    } else {
      mask = v128.andnot(v128.and(f32x4.lt(x, va), f32x4.gt(x, zero)), same);
      v = f32x4.sub(va, x);
    }
    const w = v128.and(exp4(f32x4.mul(vT, v)), mask);
    sv = f32x4.add(sv, f32x4.mul(w, v));
    sw = f32x4.add(sw, w);
    jv = i32x4.add(jv, i32x4.splat(4));
  }
  let tv = hsum(sv), tw = hsum(sw);
  for (; j < n; j++) {
    const x = ldf(row, j);
    const same = ldi(labels, j) == li;
    const ok = pos ? same && j != i && x > b && x > 0 : !same && x < alpha && x > 0;
    if (!ok) continue;
    const v = pos ? x - b : alpha - x;
    const w = Mathf.exp(T * v);
    tv += w * v;
    tw += w;
  }
  return f32x4(tv, tw, 0, 0);
}

export function f32_ranked_list_fwd(mat: usize, labels: usize, n: i32, b: f32, alpha: f32, Tp: f32, Tn: f32, imbalance: f32, eps: f32, stats: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const row = mat + ((<usize>i * <usize>n) << 2);
    const p = rankedRow(row, labels, n, i, true, b, alpha, Tp);
    const q = rankedRow(row, labels, n, i, false, b, alpha, Tn);
    const wp = f32x4.extract_lane(p, 1) + eps, wn = f32x4.extract_lane(q, 1) + eps;
    const lp = f32x4.extract_lane(p, 0) / wp, ln = f32x4.extract_lane(q, 0) / wn;
    const s = stats + (<usize>i << 4);
    store<f32>(s, lp);
    store<f32>(s, wp, 4);
    store<f32>(s, ln, 8);
    store<f32>(s, wn, 12);
    store<f32>(out + (<usize>i << 2), (1 - imbalance) * lp + imbalance * ln);
  }
}

// dmat[i, j] (+)= g_i·((1 − imbalance)·w(1 + Tp·v − Tp·L_P)/W_P  over positives,
//                   − imbalance·w(1 + Tn·u − Tn·L_N)/W_N         over negatives), 0 elsewhere.
export function f32_ranked_list_bwd(mat: usize, labels: usize, n: i32, b: f32, alpha: f32, Tp: f32, Tn: f32, imbalance: f32, stats: usize, g: usize, dmat: usize, acc: i32): void {
  const zero = f32x4.splat(0), one = f32x4.splat(1), vb = f32x4.splat(b), va = f32x4.splat(alpha);
  const vTp = f32x4.splat(Tp), vTn = f32x4.splat(Tn);
  for (let i = 0; i < n; i++) {
    const off = (<usize>i * <usize>n) << 2;
    const row = mat + off, drow = dmat + off;
    const s = stats + (<usize>i << 4);
    const gi = ldf(g, i);
    const lp = load<f32>(s), ln = load<f32>(s, 8);
    const cp = gi * (1 - imbalance) / load<f32>(s, 4), cn = gi * imbalance / load<f32>(s, 12);
    const li = ldi(labels, i);
    const vl = i32x4.splat(li), vi = i32x4.splat(i);
    const kp = f32x4.splat(1 - Tp * lp), kn = f32x4.splat(1 - Tn * ln);
    const vcp = f32x4.splat(cp), vcn = f32x4.splat(cn);
    let jv = i32x4(0, 1, 2, 3);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const x = v128.load(row + (<usize>j << 2));
      const same = i32x4.eq(v128.load(labels + (<usize>j << 2)), vl);
      const pm = v128.and(v128.and(same, i32x4.ne(jv, vi)), v128.and(f32x4.gt(x, vb), f32x4.gt(x, zero)));
      const nm = v128.andnot(v128.and(f32x4.lt(x, va), f32x4.gt(x, zero)), same);
      const v = f32x4.sub(x, vb), u = f32x4.sub(va, x);
      const wp = v128.and(exp4(f32x4.mul(vTp, v)), pm);
      const wn = v128.and(exp4(f32x4.mul(vTn, u)), nm);
      const dp = f32x4.mul(wp, f32x4.add(kp, f32x4.mul(vTp, v)));
      const dn = f32x4.mul(wn, f32x4.add(kn, f32x4.mul(vTn, u)));
      let d = f32x4.sub(f32x4.mul(vcp, dp), f32x4.mul(vcn, dn));
      // a masked-out lane must be exactly 0 (its other factor may be ∞ · 0)
      d = v128.and(d, v128.or(pm, nm));
      if (acc) d = f32x4.add(d, v128.load(drow + (<usize>j << 2)));
      v128.store(drow + (<usize>j << 2), d);
      jv = i32x4.add(jv, i32x4.splat(4));
    }
    for (; j < n; j++) {
      const x = ldf(row, j);
      const same = ldi(labels, j) == li;
      let d: f32 = 0;
      if (same && j != i && x > b && x > 0) {
        const v = x - b;
        d = cp * Mathf.exp(Tp * v) * (1 + Tp * v - Tp * lp);
      } else if (!same && x < alpha && x > 0) {
        const u = alpha - x;
        d = -cn * Mathf.exp(Tn * u) * (1 + Tn * u - Tn * ln);
      }
      const p = drow + (<usize>j << 2);
      store<f32>(p, acc ? load<f32>(p) + d : d);
    }
  }
}

// ---- angular loss ----
// Per positive pair k (anchor i = a1[k], positive q = p[k]) against the reference rows j whose
// label differs from the anchor's (refLabels[j] ≠ labels[i]):
//   x_j = c1·(s1[i, j] + s2[q, j]) − c2·ap[k],  out[k] = log(1 + Σ_j e^{x_j})  (0 with no such j)
// s1 [·, m] = normalised anchors · referencesᵀ, s2 [·, m] = normalised positives · referencesᵀ
// (so that (a + p)·x_j is read, not recomputed per pair), ap [count] the a·p dots;
// c1 = 4·tan²α, c2 = 2·(1 + tan²α). lse [count] keeps out[k] for the backward.

// @ts-ignore: decorator
@inline function angularRowMax(r1: usize, r2: usize, refLabels: usize, m: i32, li: i32, c1: f32, base: f32): f32 {
  const vl = i32x4.splat(li), vc = f32x4.splat(c1), vb = f32x4.splat(base);
  // the "one" of log(1 + Σ) is e^0: the max starts at 0
  let mx = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const x = f32x4.sub(f32x4.mul(vc, f32x4.add(v128.load(r1 + (<usize>j << 2)), v128.load(r2 + (<usize>j << 2)))), vb);
    const keep = i32x4.ne(v128.load(refLabels + (<usize>j << 2)), vl);
    mx = v128.bitselect(f32x4.max(mx, x), mx, keep);
  }
  let s = hmax(mx);
  for (; j < m; j++) {
    if (ldi(refLabels, j) == li) continue;
    s = max<f32>(s, c1 * (ldf(r1, j) + ldf(r2, j)) - base);
  }
  return s;
}

export function f32_angular_fwd(s1: usize, s2: usize, m: i32, ap: usize, a1: usize, p: usize, count: i32, labels: usize, refLabels: usize, c1: f32, c2: f32, lse: usize, out: usize): void {
  const vc = f32x4.splat(c1);
  for (let k = 0; k < count; k++) {
    const i = ldi(a1, k), q = ldi(p, k);
    const li = ldi(labels, i);
    const r1 = s1 + ((<usize>i * <usize>m) << 2), r2 = s2 + ((<usize>q * <usize>m) << 2);
    const base = c2 * ldf(ap, k);
    let any = false;
    for (let j = 0; j < m; j++) if (ldi(refLabels, j) != li) { any = true; break; }
    let l: f32 = 0;
    if (any) {
      const mx = angularRowMax(r1, r2, refLabels, m, li, c1, base);
      const vl = i32x4.splat(li), vs = f32x4.splat(base + mx);
      let acc = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= m; j += 4) {
        const x = f32x4.sub(f32x4.mul(vc, f32x4.add(v128.load(r1 + (<usize>j << 2)), v128.load(r2 + (<usize>j << 2)))), vs);
        const keep = i32x4.ne(v128.load(refLabels + (<usize>j << 2)), vl);
        acc = f32x4.add(acc, v128.and(exp4(x), keep));
      }
      let sum = hsum(acc) + Mathf.exp(-mx);
      for (; j < m; j++) {
        if (ldi(refLabels, j) == li) continue;
        sum += Mathf.exp(c1 * (ldf(r1, j) + ldf(r2, j)) - base - mx);
      }
      l = mx + Mathf.log(sum);
    }
    store<f32>(lse + (<usize>k << 2), l);
    store<f32>(out + (<usize>k << 2), l);
  }
}

// ds1[i, j] += w, ds2[q, j] += w with w = g_k·c1·e^{x_j − out[k]} over the kept j (ds1 and ds2
// may be one buffer); dap[k] = −c2·g_k·(1 − e^{−out[k]}) (written: one entry per pair).
export function f32_angular_bwd(s1: usize, s2: usize, m: i32, ap: usize, a1: usize, p: usize, count: i32, labels: usize, refLabels: usize, c1: f32, c2: f32, lse: usize, g: usize, ds1: usize, ds2: usize, dap: usize): void {
  const vc = f32x4.splat(c1);
  for (let k = 0; k < count; k++) {
    const i = ldi(a1, k), q = ldi(p, k);
    const li = ldi(labels, i);
    const l = ldf(lse, k), gk = ldf(g, k);
    const o1 = (<usize>i * <usize>m) << 2, o2 = (<usize>q * <usize>m) << 2;
    const r1 = s1 + o1, r2 = s2 + o2, d1 = ds1 + o1, d2 = ds2 + o2;
    const base = c2 * ldf(ap, k) + l;
    store<f32>(dap + (<usize>k << 2), -c2 * gk * (1 - Mathf.exp(-l)));
    const vl = i32x4.splat(li), vs = f32x4.splat(base), vg = f32x4.splat(gk * c1);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const jo = <usize>j << 2;
      const x = f32x4.sub(f32x4.mul(vc, f32x4.add(v128.load(r1 + jo), v128.load(r2 + jo))), vs);
      const keep = i32x4.ne(v128.load(refLabels + jo), vl);
      const w = v128.and(f32x4.mul(vg, exp4(x)), keep);
      v128.store(d1 + jo, f32x4.add(v128.load(d1 + jo), w));
      v128.store(d2 + jo, f32x4.add(v128.load(d2 + jo), w));
    }
    for (; j < m; j++) {
      if (ldi(refLabels, j) == li) continue;
      const w = gk * c1 * Mathf.exp(c1 * (ldf(r1, j) + ldf(r2, j)) - base);
      const jo = <usize>j << 2;
      store<f32>(d1 + jo, load<f32>(d1 + jo) + w);
      store<f32>(d2 + jo, load<f32>(d2 + jo) + w);
    }
  }
}

// ---- NCA ----
// mat [n, m], labels [n], refLabels [m]; self = 1: the batch against itself (m = n), column i
// of row i left out. Per listed row r (i = rows[r], strictly increasing, each with a same-label
// column), over the kept columns j with z_j = s·mat[i, j]:
//   out[r] = w[r]·(lse_j z − lse_{j: refLabels[j] = labels[i]} z)
// = −w·log of the softmax mass on the same-label columns (PML's nca_computation). One max
// pass, then one e^(z − max) pass that sums both masses. A same-label mass below 1e-20 of the
// max term has lost terms to underflow: that row takes a scalar f64 path with the same-label
// maximum as its own shift, so its loss stays finite. stats [5·count] per row: the max, ln of
// the full sum, the same-label shift (the max on the fast path), ln of the same-label sum, the
// row's loss before w (in f64 then rounded: the backward's q − p needs it when it is tiny);
// e [count, m] the terms e^(z − max) (0 on the diagonal), so that the backward multiplies
// instead of taking e^x again (on these rows e^x is most of the work).

// @ts-ignore: decorator
@inline const NCA_TINY: f64 = 1e-20;

export function f32_nca_fwd(mat: usize, m: i32, labels: usize, refLabels: usize, self: i32, s: f32, rows: usize, w: usize, count: i32, stats: usize, e: usize, out: usize): void {
  for (let r = 0; r < count; r++) ncaRow(mat, m, labels, refLabels, self, s, rows, w, stats, e, out, r);
}

// Listed row r of f32_nca_fwd.
function ncaRow(mat: usize, m: i32, labels: usize, refLabels: usize, self: i32, s: f32, rows: usize, w: usize, stats: usize, e: usize, out: usize, r: i32): void {
  const vs = f32x4.splat(s), four = i32x4.splat(4);
  const i = ldi(rows, r);
  const row = mat + ((<usize>i * <usize>m) << 2), erow = e + ((<usize>r * <usize>m) << 2);
  const li = ldi(labels, i), skip = self ? i : -1;
  const vl = i32x4.splat(li), vi = i32x4.splat(skip);
  const top = maxScaledRow(row, m, s, skip);
  const vtop = f32x4.splat(top);
  let sa = f32x4.splat(0), sp = sa;
  let jv = i32x4(0, 1, 2, 3);
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const jo = <usize>j << 2;
    const ej = v128.and(exp4(f32x4.sub(f32x4.mul(v128.load(row + jo), vs), vtop)), i32x4.ne(jv, vi));
    v128.store(erow + jo, ej);
    sa = f32x4.add(sa, ej);
    sp = f32x4.add(sp, v128.and(ej, i32x4.eq(v128.load(refLabels + jo), vl)));
    jv = i32x4.add(jv, four);
  }
  let ta: f64 = hsum64(sa), tp: f64 = hsum64(sp);
  for (; j < m; j++) {
    const ej: f32 = j == skip ? 0 : Mathf.exp(ldf(row, j) * s - top);
    store<f32>(erow + (<usize>j << 2), ej);
    ta += ej;
    if (ldi(refLabels, j) == li) tp += ej;
  }
  ncaFinish(row, m, refLabels, li, skip, s, top, ta, tp, w, stats, out, r);
}

// Row r's stats and loss from its sums ta (all kept terms), tp (same-label ones), each term
// e^(z − top).
function ncaFinish(row: usize, m: i32, refLabels: usize, li: i32, skip: i32, s: f32, top: f32, ta: f64, tp: f64, w: usize, stats: usize, out: usize, r: i32): void {
  let shift: f32 = top;
  if (!(tp >= NCA_TINY)) {
    // the same-label terms, shifted by their own maximum
    shift = -Infinity;
    for (let t = 0; t < m; t++) if (t != skip && ldi(refLabels, t) == li) shift = max<f32>(shift, ldf(row, t) * s);
    tp = 0;
    for (let t = 0; t < m; t++) if (t != skip && ldi(refLabels, t) == li) tp += Math.exp(<f64>(ldf(row, t) * s) - <f64>shift);
  }
  const la = Math.log(ta), lp = Math.log(tp);
  const l = (<f64>top - <f64>shift) + (la - lp);
  const st = stats + <usize>r * 20;
  store<f32>(st, top);
  store<f32>(st, <f32>la, 4);
  store<f32>(st, shift, 8);
  store<f32>(st, <f32>lp, 12);
  store<f32>(st, <f32>l, 16);
  store<f32>(out + (<usize>r << 2), <f32>(<f64>ldf(w, r) * l));
}

// f32_nca_fwd for the batch against itself with every row listed (rows = 0 … n − 1, self,
// refLabels = labels) on a symmetric mat (a distance of the batch to itself): every row
// shifted by one C = max_i max_{j≠i} s·mat_ij instead of its own maximum, so that the terms
// e^(s·mat_ij − C) are symmetric and only the upper triangle takes e^x (half the exps, most
// of the forward), the lower one mirrored; each row's two sums are its part right of the
// diagonal plus its column above it, gathered in colsums [2n] (all, same-label) while the
// rows go by. A row whose maximum is at least C − 16 loses only terms below e^−70 of its
// largest, as with its own shift; the other rows are redone alone as in f32_nca_fwd.
// The same stats and terms as f32_nca_fwd, for f32_nca_bwd.
export function f32_nca_fwd_sym(mat: usize, n: i32, labels: usize, s: f32, rows: usize, w: usize, stats: usize, e: usize, out: usize, colsums: usize): void {
  const ld = <usize>n << 2;
  const vs = f32x4.splat(s);
  let top: f32 = -Infinity;
  for (let i = 0; i < n; i++) {
    const mi = maxScaledRow(mat + <usize>i * ld, n, s, i);
    store<f32>(stats + <usize>i * 20, mi);
    top = max<f32>(top, mi);
  }
  memory.fill(colsums, 0, 2 * ld);
  const ca = colsums, cp = colsums + ld;
  const vtop = f32x4.splat(top);
  for (let i = 0; i < n; i++) {
    const row = mat + <usize>i * ld, erow = e + <usize>i * ld;
    const li = ldi(labels, i), vl = i32x4.splat(li);
    // column i above the diagonal (read before this row adds to its own columns)
    let ta: f64 = <f64>ldf(ca, i), tp: f64 = <f64>ldf(cp, i);
    store<f32>(erow + (<usize>i << 2), 0);
    let sa = f32x4.splat(0), sp = sa;
    let j = i + 1;
    for (; j + 4 <= n; j += 4) {
      const jo = <usize>j << 2;
      const ej = exp4(f32x4.sub(f32x4.mul(v128.load(row + jo), vs), vtop));
      const ejp = v128.and(ej, i32x4.eq(v128.load(labels + jo), vl));
      v128.store(erow + jo, ej);
      sa = f32x4.add(sa, ej);
      sp = f32x4.add(sp, ejp);
      v128.store(ca + jo, f32x4.add(v128.load(ca + jo), ej));
      v128.store(cp + jo, f32x4.add(v128.load(cp + jo), ejp));
    }
    ta += hsum64(sa);
    tp += hsum64(sp);
    for (; j < n; j++) {
      const jo = <usize>j << 2;
      const ej = Mathf.exp(ldf(row, j) * s - top);
      store<f32>(erow + jo, ej);
      ta += ej;
      store<f32>(ca + jo, load<f32>(ca + jo) + ej);
      if (ldi(labels, j) == li) {
        tp += ej;
        store<f32>(cp + jo, load<f32>(cp + jo) + ej);
      }
    }
    // NaN in out: a row to redo with its own shift once the terms are mirrored
    if (load<f32>(stats + <usize>i * 20) >= top - 16) ncaFinish(row, n, labels, li, i, s, top, ta, tp, w, stats, out, i);
    else store<f32>(out + (<usize>i << 2), NaN);
  }
  mirrorUpper(e, n);
  for (let i = 0; i < n; i++) {
    const o = load<f32>(out + (<usize>i << 2));
    if (o != o) ncaRow(mat, n, labels, labels, 1, s, rows, w, stats, e, out, i);
  }
}

// dmat[i, j] (+)= s·w[r]·g[r]·(p_j − [same label]·q_j): p the softmax over the kept columns,
// q the one over the same-label columns (on the fast path p = e/Σ all, q = e/Σ same, from the
// forward's terms e); 0 on rows not listed and on the left-out diagonal.
export function f32_nca_bwd(mat: usize, n: i32, m: i32, labels: usize, refLabels: usize, self: i32, s: f32, rows: usize, w: usize, count: i32, stats: usize, e: usize, g: usize, dmat: usize, acc: i32): void {
  const ld = <usize>m << 2;
  let next = 0;
  for (let r = 0; r < count; r++) {
    const i = ldi(rows, r);
    if (!acc) memory.fill(dmat + <usize>next * ld, 0, <usize>(i - next) * ld);
    next = i + 1;
    const off = <usize>i * ld;
    const row = mat + off, drow = dmat + off;
    const li = ldi(labels, i), skip = self ? i : -1;
    const st = stats + <usize>r * 20;
    const top = load<f32>(st), la = load<f32>(st, 4), shift = load<f32>(st, 8), lp = load<f32>(st, 12);
    const c = s * ldf(w, r) * ldf(g, r);
    if (shift != top) {
      ncaRowBwdScalar(row, drow, 0, m, refLabels, li, skip, s, c, top, la, shift, lp, acc);
      continue;
    }
    const erow = e + ((<usize>r * <usize>m) << 2);
    // 1/Σ same = (1/Σ all)·e^loss: the same-label coefficient 1/Σ all − 1/Σ same as an expm1
    const ia = Math.exp(-<f64>la);
    const ca = <f32>(<f64>c * ia), cp = <f32>(-<f64>c * ia * Math.expm1(<f64>load<f32>(st, 16)));
    const vl = i32x4.splat(li), vca = f32x4.splat(ca), vcp = f32x4.splat(cp);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const jo = <usize>j << 2;
      let d = f32x4.mul(v128.load(erow + jo), v128.bitselect(vcp, vca, i32x4.eq(v128.load(refLabels + jo), vl)));
      if (acc) d = f32x4.add(d, v128.load(drow + jo));
      v128.store(drow + jo, d);
    }
    for (; j < m; j++) {
      const jo = <usize>j << 2;
      let d = ldf(erow, j) * (ldi(refLabels, j) == li ? cp : ca);
      if (acc) d += load<f32>(drow + jo);
      store<f32>(drow + jo, d);
    }
  }
  if (!acc) memory.fill(dmat + <usize>next * ld, 0, <usize>(n - next) * ld);
}

// Columns j0..m of one row of f32_nca_bwd in f64.
function ncaRowBwdScalar(row: usize, drow: usize, j0: i32, m: i32, refLabels: usize, li: i32, skip: i32, s: f32, c: f32, top: f32, la: f32, shift: f32, lp: f32, acc: i32): void {
  for (let j = j0; j < m; j++) {
    let d: f32 = 0;
    if (j != skip) {
      const z = <f64>(ldf(row, j) * s);
      let v = Math.exp(z - <f64>top - <f64>la);
      if (ldi(refLabels, j) == li) v -= Math.exp(z - <f64>shift - <f64>lp);
      d = <f32>(<f64>c * v);
    }
    const p = drow + (<usize>j << 2);
    store<f32>(p, acc ? load<f32>(p) + d : d);
  }
}

// ---- PNPLoss ranks ----

// PML's PNPLoss takes sigmoid((sim[q, j] − sim[q, i])/anneal) over every (q, i, j), n³ terms,
// masks them by I_neg[i, j] and reads the sums only where i is a positive of q (I_pos[q, i]):
// there I_neg[i, j] is "j is labelled unlike q". So per listed pair k (query q = pq[k], one
// of its positives i = pi[k]) only the query's negative columns are summed: the other terms
// are multiplied by 0 in PML. rk[k] = Σ_{j: labels[j] ≠ labels[q]} 1/(1 + e^x),
// x = (sim[q, i] − sim[q, j])·invT clamped to [−50, 50] as PML does (so e^x stays finite).

// @ts-ignore: decorator
@inline const PNP_CLAMP: f32 = 50;

// @ts-ignore: decorator
@inline function pnpSigmoid(x: f32): f32 {
  return 1 / (1 + Mathf.exp(min<f32>(max<f32>(x, -PNP_CLAMP), PNP_CLAMP)));
}

export function f32_pnp_ranks_fwd(sim: usize, n: i32, labels: usize, pq: usize, pi: usize, count: i32, invT: f32, out: usize): void {
  const vt = f32x4.splat(invT), lo = f32x4.splat(-PNP_CLAMP), hi = f32x4.splat(PNP_CLAMP), one = f32x4.splat(1);
  for (let k = 0; k < count; k++) {
    const q = ldi(pq, k);
    const row = sim + ((<usize>q * <usize>n) << 2);
    const lq = ldi(labels, q), si = ldf(row, ldi(pi, k));
    const vl = i32x4.splat(lq), vs = f32x4.splat(si);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const jo = <usize>j << 2;
      const x = f32x4.pmax(f32x4.pmin(f32x4.mul(f32x4.sub(vs, v128.load(row + jo)), vt), hi), lo);
      const sg = f32x4.div(one, f32x4.add(one, exp4(x)));
      acc = f32x4.add(acc, v128.and(sg, i32x4.ne(v128.load(labels + jo), vl)));
    }
    let r = hsum(acc);
    for (; j < n; j++) if (ldi(labels, j) != lq) r += pnpSigmoid((si - ldf(row, j)) * invT);
    store<f32>(out + (<usize>k << 2), r);
  }
}

// dsim (+)= ∂(Σ_k g[k]·rk[k])/∂sim: on row q, +g·invT·σ(1 − σ) at each negative column j
// and minus their sum at column i; 0 where PML's clamp was active (its gradient there is 0)
// and on the rows of no listed pair.
export function f32_pnp_ranks_bwd(sim: usize, n: i32, labels: usize, pq: usize, pi: usize, count: i32, invT: f32, g: usize, dsim: usize, acc: i32): void {
  if (!acc) memory.fill(dsim, 0, (<usize>n * <usize>n) << 2);
  const vt = f32x4.splat(invT), lo = f32x4.splat(-PNP_CLAMP), hi = f32x4.splat(PNP_CLAMP), one = f32x4.splat(1);
  for (let k = 0; k < count; k++) {
    const q = ldi(pq, k), i = ldi(pi, k);
    const off = (<usize>q * <usize>n) << 2;
    const row = sim + off, drow = dsim + off;
    const lq = ldi(labels, q), si = ldf(row, i), c = ldf(g, k) * invT;
    const vl = i32x4.splat(lq), vs = f32x4.splat(si), vc = f32x4.splat(c);
    let tot = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const jo = <usize>j << 2;
      const x = f32x4.mul(f32x4.sub(vs, v128.load(row + jo)), vt);
      const sg = f32x4.div(one, f32x4.add(one, exp4(f32x4.pmax(f32x4.pmin(x, hi), lo))));
      const keep = v128.and(i32x4.ne(v128.load(labels + jo), vl), v128.and(f32x4.ge(x, lo), f32x4.le(x, hi)));
      const d = v128.and(f32x4.mul(vc, f32x4.mul(sg, f32x4.sub(one, sg))), keep);
      v128.store(drow + jo, f32x4.add(v128.load(drow + jo), d));
      tot = f32x4.add(tot, d);
    }
    let t = hsum(tot);
    for (; j < n; j++) {
      const x = (si - ldf(row, j)) * invT;
      if (ldi(labels, j) == lq || x < -PNP_CLAMP || x > PNP_CLAMP) continue;
      const sg = pnpSigmoid(x), d = c * sg * (1 - sg);
      const p = drow + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + d);
      t += d;
    }
    const p = drow + (<usize>i << 2);
    store<f32>(p, load<f32>(p) - t);
  }
}
