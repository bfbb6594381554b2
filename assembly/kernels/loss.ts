// Loss, reducer and miner kernels of metric learning (pytorch-metric-learning semantics).
//
// Tuple losses read their comparisons straight out of a distance matrix `buf` through
// int32 index columns: entry (i, j) lives at buf[i·ld + j]. The explicit pair/triplet APIs
// pass a paired-distance vector with ld = 0 and j = k, so one kernel serves both. Forward
// writes one loss per tuple; backward scatter-ADDS g·∂loss/∂entry into a gradient buffer
// of buf's layout (the caller zero-fills it first when it overwrites), because one entry
// is shared by many tuples. Gathers and scatters are data dependent, so these loops are
// scalar; the dense reductions (avg-non-zero) are f32x4 with scalar tails.
// A hinge has subgradient 0 at its kink, like torch.relu.

import { PairKind, PairLse, TripletFlag, TripletType } from '../codes';
import { exp4 } from './expf4';

// @ts-ignore: decorator
@inline function ld_i32(base: usize, k: i32): i32 {
  return load<i32>(base + (<usize>k << 2));
}

// @ts-ignore: decorator
@inline function at(buf: usize, ld: i32, i: i32, j: i32): usize {
  return buf + ((<usize>i * <usize>ld + <usize>j) << 2);
}

// @ts-ignore: decorator
@inline function scatter(p: usize, v: f32): void {
  store<f32>(p, load<f32>(p) + v);
}

// @ts-ignore: decorator
@inline function softplus(x: f32): f32 {
  return max<f32>(x, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(x)));
}

// @ts-ignore: decorator
@inline function sigmoid(x: f32): f32 {
  if (x >= 0) return 1 / (1 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1 + e);
}

// ---- per-pair losses ----
// kind: a PairKind (assembly/codes.ts)
// v = buf[rows[k]·ld + cols[k]], y = targets[k] (kinds 6, 7 only). out [count].

// @ts-ignore: decorator
@inline function pairValue(kind: i32, v: f32, m: f32, y: f32): f32 {
  switch (kind) {
    case PairKind.value: return v;
    case PairKind.hingeAbove: return max<f32>(v - m, 0);
    case PairKind.hingeBelow: return max<f32>(m - v, 0);
    case PairKind.square: return v * v;
    case PairKind.squaredHingeBelow: return max<f32>(m * m - v * v, 0);
    case PairKind.hingeBelowSquared: { const h = max<f32>(m - v, 0); return h * h; }
    case PairKind.expRegression: { const e = Mathf.exp(-v) - y; return e * e; }
    default: { const e = v - y; return e * e; }
  }
}

// @ts-ignore: decorator
@inline function pairSlope(kind: i32, v: f32, m: f32, y: f32): f32 {
  switch (kind) {
    case PairKind.value: return 1;
    case PairKind.hingeAbove: return v > m ? 1 : 0;
    case PairKind.hingeBelow: return m > v ? -1 : 0;
    case PairKind.square: return 2 * v;
    case PairKind.squaredHingeBelow: return m * m > v * v ? -2 * v : 0;
    case PairKind.hingeBelowSquared: return m > v ? -2 * (m - v) : 0;
    case PairKind.expRegression: { const s = Mathf.exp(-v); return -2 * (s - y) * s; }
    default: return 2 * (v - y);
  }
}

export function f32_pair_loss_fwd(kind: i32, buf: usize, ld: i32, rows: usize, cols: usize, count: i32, margin: f32, targets: usize, out: usize): void {
  for (let k = 0; k < count; k++) {
    const v = load<f32>(at(buf, ld, ld_i32(rows, k), ld_i32(cols, k)));
    const y: f32 = kind >= 6 ? load<f32>(targets + (<usize>k << 2)) : 0;
    store<f32>(out + (<usize>k << 2), pairValue(kind, v, margin, y));
  }
}

// dbuf[rows[k]·ld + cols[k]] += g[k] · ∂loss_k/∂v
export function f32_pair_loss_bwd(kind: i32, buf: usize, ld: i32, rows: usize, cols: usize, count: i32, margin: f32, targets: usize, g: usize, dbuf: usize): void {
  for (let k = 0; k < count; k++) {
    const i = ld_i32(rows, k), j = ld_i32(cols, k);
    const v = load<f32>(at(buf, ld, i, j));
    const y: f32 = kind >= 6 ? load<f32>(targets + (<usize>k << 2)) : 0;
    scatter(at(dbuf, ld, i, j), load<f32>(g + (<usize>k << 2)) * pairSlope(kind, v, margin, y));
  }
}

// The same per-pair losses over every pair of a labelled batch against a reference set, the
// pairs streamed from the labels in i32_all_pairs' row-major order instead of read through
// index columns (a batch × memory of 256 × 1024 would need 262k of them, built, then gathered).
// Pair (i, j) of mat [n, m] is taken when (labels[i] = refLabels[j]) = positive, and not when
// self and j = i, nor when positive and j = own[i] (own: n memory rows, −1 none; 0: none at
// all — CrossBatchMemory's sample and its own copy). Kinds 0–5 (no targets). The labels are
// compared four at a time: a run of four taken pairs is one f32x4 step (the negatives, mostly),
// a run of none is skipped (the positives, mostly). Returns the count.

// @ts-ignore: decorator
@inline function pairValue4(kind: i32, v: v128, m: v128): v128 {
  const zero = f32x4.splat(0);
  switch (kind) {
    case PairKind.value: return v;
    case PairKind.hingeAbove: return f32x4.max(f32x4.sub(v, m), zero);
    case PairKind.hingeBelow: return f32x4.max(f32x4.sub(m, v), zero);
    case PairKind.square: return f32x4.mul(v, v);
    case PairKind.squaredHingeBelow: return f32x4.max(f32x4.sub(f32x4.mul(m, m), f32x4.mul(v, v)), zero);
    default: { const h = f32x4.max(f32x4.sub(m, v), zero); return f32x4.mul(h, h); }
  }
}

// @ts-ignore: decorator
@inline function pairSlope4(kind: i32, v: v128, m: v128): v128 {
  const zero = f32x4.splat(0);
  const two = f32x4.splat(2);
  switch (kind) {
    case PairKind.value: return f32x4.splat(1);
    case PairKind.hingeAbove: return v128.and(f32x4.splat(1), f32x4.gt(v, m));
    case PairKind.hingeBelow: return v128.and(f32x4.splat(-1), f32x4.gt(m, v));
    case PairKind.square: return f32x4.mul(two, v);
    case PairKind.squaredHingeBelow: return v128.and(f32x4.mul(f32x4.splat(-2), v), f32x4.gt(f32x4.mul(m, m), f32x4.mul(v, v)));
    default: return v128.and(f32x4.mul(f32x4.splat(-2), f32x4.sub(m, v)), f32x4.gt(m, v));
  }
}

// The taken lanes of refLabels[j..j+4) for row i, as 4 bits.
// @ts-ignore: decorator
@inline function takenLanes(refLabels: usize, j: i32, li: v128, positive: i32, self: i32, i: i32, skip: i32): i32 {
  let bits = i32x4.bitmask(i32x4.eq(v128.load(refLabels + (<usize>j << 2)), li));
  if (!positive) bits ^= 15;
  if (self && <u32>(i - j) < 4) bits &= ~(1 << (i - j));
  if (<u32>(skip - j) < 4) bits &= ~(1 << (skip - j));
  return bits;
}

// The lanes of the last, partial group (j + 4 > m) as takenLanes gives them.
function tailLanes(refLabels: usize, j: i32, m: i32, li: i32, positive: i32, self: i32, i: i32, skip: i32): i32 {
  let bits = 0;
  for (let t = j; t < m; t++) {
    if (<i32>(ld_i32(refLabels, t) == li) == positive && !(self && t == i) && t != skip) bits |= 1 << (t - j);
  }
  return bits;
}

export function f32_label_pair_loss_fwd(kind: i32, mat: usize, n: i32, m: i32, labels: usize, refLabels: usize, self: i32, own: usize, positive: i32, margin: f32, out: usize): i32 {
  const vm = f32x4.splat(margin);
  let c = 0;
  for (let i = 0; i < n; i++) {
    const li = ld_i32(labels, i), vli = i32x4.splat(li);
    const skip = positive != 0 && own != 0 ? ld_i32(own, i) : -1;
    const row = mat + ((<usize>i * <usize>m) << 2);
    for (let j = 0; j < m; j += 4) {
      let bits = j + 4 <= m ? takenLanes(refLabels, j, vli, positive, self, i, skip) : tailLanes(refLabels, j, m, li, positive, self, i, skip);
      if (bits == 15) {
        v128.store(out + (<usize>c << 2), pairValue4(kind, v128.load(row + (<usize>j << 2)), vm));
        c += 4;
        continue;
      }
      while (bits) {
        const t = j + ctz(bits);
        store<f32>(out + (<usize>(c++) << 2), pairValue(kind, load<f32>(row + (<usize>t << 2)), margin, 0));
        bits &= bits - 1;
      }
    }
  }
  return c;
}

// dmat[i, j] += g[c]·∂loss_c/∂v over the pairs f32_label_pair_loss_fwd took, in its order.
export function f32_label_pair_loss_bwd(kind: i32, mat: usize, n: i32, m: i32, labels: usize, refLabels: usize, self: i32, own: usize, positive: i32, margin: f32, g: usize, dmat: usize): void {
  const vm = f32x4.splat(margin);
  let c = 0;
  for (let i = 0; i < n; i++) {
    const li = ld_i32(labels, i), vli = i32x4.splat(li);
    const skip = positive != 0 && own != 0 ? ld_i32(own, i) : -1;
    const off = (<usize>i * <usize>m) << 2;
    for (let j = 0; j < m; j += 4) {
      let bits = j + 4 <= m ? takenLanes(refLabels, j, vli, positive, self, i, skip) : tailLanes(refLabels, j, m, li, positive, self, i, skip);
      if (bits == 15) {
        const o = off + (<usize>j << 2);
        const gv = f32x4.mul(v128.load(g + (<usize>c << 2)), pairSlope4(kind, v128.load(mat + o), vm));
        v128.store(dmat + o, f32x4.add(v128.load(dmat + o), gv));
        c += 4;
        continue;
      }
      while (bits) {
        const o = off + (<usize>(j + ctz(bits)) << 2);
        scatter(dmat + o, load<f32>(g + (<usize>(c++) << 2)) * pairSlope(kind, load<f32>(mat + o), margin, 0));
        bits &= bits - 1;
      }
    }
  }
}

// ---- triplet margin loss ----
// violation = (d_ap − d_an) + margin for distances, (s_an − s_ap) + margin for similarities;
// loss = [violation]₊, or softplus(violation) when smooth. With swap, d_an is replaced by
// min(d_an, d_pn) (max of similarities); ties split the gradient in half like torch.minimum.
// ap = apBuf[a·ld + p], an = anBuf[a·ld + n], pn = pnBuf[p·ld + n]; flags: 1 swap, 2 smooth, 4 inverted.

// @ts-ignore: decorator
@inline const SWAP: i32 = TripletFlag.swap;
// @ts-ignore: decorator
@inline const SMOOTH: i32 = TripletFlag.smooth;
// @ts-ignore: decorator
@inline const INVERTED: i32 = TripletFlag.inverted;

// @ts-ignore: decorator
@inline function nearer(inverted: bool, x: f32, y: f32): f32 {
  return inverted ? max<f32>(x, y) : min<f32>(x, y);
}

export function f32_triplet_margin_fwd(apBuf: usize, anBuf: usize, pnBuf: usize, ld: i32, a: usize, p: usize, ng: usize, t: i32, margin: f32, flags: i32, out: usize): void {
  const inverted = (flags & INVERTED) != 0;
  for (let k = 0; k < t; k++) {
    const ai = ld_i32(a, k), pi = ld_i32(p, k), ni = ld_i32(ng, k);
    const ap = load<f32>(at(apBuf, ld, ai, pi));
    let an = load<f32>(at(anBuf, ld, ai, ni));
    if (flags & SWAP) an = nearer(inverted, an, load<f32>(at(pnBuf, ld, pi, ni)));
    const viol = (inverted ? an - ap : ap - an) + margin;
    store<f32>(out + (<usize>k << 2), flags & SMOOTH ? softplus(viol) : max<f32>(viol, 0));
  }
}

export function f32_triplet_margin_bwd(apBuf: usize, anBuf: usize, pnBuf: usize, ld: i32, a: usize, p: usize, ng: usize, t: i32, margin: f32, flags: i32, g: usize, dAp: usize, dAn: usize, dPn: usize): void {
  const inverted = (flags & INVERTED) != 0;
  const sign: f32 = inverted ? -1 : 1;
  for (let k = 0; k < t; k++) {
    const ai = ld_i32(a, k), pi = ld_i32(p, k), ni = ld_i32(ng, k);
    const ap = load<f32>(at(apBuf, ld, ai, pi));
    const an0 = load<f32>(at(anBuf, ld, ai, ni));
    let an = an0, pn: f32 = 0;
    if (flags & SWAP) {
      pn = load<f32>(at(pnBuf, ld, pi, ni));
      an = nearer(inverted, an0, pn);
    }
    const viol = (inverted ? an - ap : ap - an) + margin;
    const gv = load<f32>(g + (<usize>k << 2)) * (flags & SMOOTH ? sigmoid(viol) : viol > 0 ? <f32>1 : <f32>0);
    if (gv == 0) continue;
    scatter(at(dAp, ld, ai, pi), sign * gv);
    const gan = -sign * gv;
    if (flags & SWAP) {
      const wAn: f32 = an0 == pn ? 0.5 : an0 == an ? 1 : 0;
      if (wAn != 0) scatter(at(dAn, ld, ai, ni), wAn * gan);
      if (wAn != 1) scatter(at(dPn, ld, pi, ni), (1 - wAn) * gan);
    } else {
      scatter(at(dAn, ld, ai, ni), gan);
    }
  }
}

// ---- NT-Xent (InfoNCE) ----
// Per positive pair k with anchor a: logit v = ±mat[a, p_k]/τ against the anchor's negatives
// x_j = ±mat[a, negCols[j]]/τ, j in negStart[a] .. negStart[a+1) (CSR by anchor; sign − for a
// distance, so that nearer is more likely). loss_k = logsumexp(v, x…) − v = softplus(L_a − v)
// with L_a = logsumexp(x…) of the anchor (−∞ without negatives), computed once per anchor
// into negLse [n], so the work is O(pairs + negatives), not O(pairs · negatives).

// @ts-ignore: decorator
@inline function anchorLse(mat: usize, ld: i32, a: i32, negStart: usize, negCols: usize, s: f32): f32 {
  const j0 = ld_i32(negStart, a), j1 = ld_i32(negStart, a + 1);
  if (j0 == j1) return -Infinity;
  let mx: f32 = -Infinity;
  for (let j = j0; j < j1; j++) mx = max<f32>(mx, s * load<f32>(at(mat, ld, a, ld_i32(negCols, j))));
  let sum: f32 = 0;
  for (let j = j0; j < j1; j++) sum += Mathf.exp(s * load<f32>(at(mat, ld, a, ld_i32(negCols, j))) - mx);
  return mx + Mathf.log(sum);
}

export function f32_ntxent_fwd(mat: usize, ld: i32, n: i32, a1: usize, p: usize, count: i32, negStart: usize, negCols: usize, invTemp: f32, inverted: i32, negLse: usize, out: usize): void {
  const s: f32 = inverted ? invTemp : -invTemp;
  for (let a = 0; a < n; a++) store<f32>(negLse + (<usize>a << 2), anchorLse(mat, ld, a, negStart, negCols, s));
  for (let k = 0; k < count; k++) {
    const a = ld_i32(a1, k);
    const v = s * load<f32>(at(mat, ld, a, ld_i32(p, k)));
    const L = load<f32>(negLse + (<usize>a << 2));
    store<f32>(out + (<usize>k << 2), L == -Infinity ? 0 : softplus(L - v));
  }
}

// w [n] is scratch: the per-anchor weight Σ_k g_k·σ(L_a − v_k) of the anchor's negatives.
export function f32_ntxent_bwd(mat: usize, ld: i32, n: i32, a1: usize, p: usize, count: i32, negStart: usize, negCols: usize, invTemp: f32, inverted: i32, negLse: usize, w: usize, g: usize, dmat: usize): void {
  const s: f32 = inverted ? invTemp : -invTemp;
  memory.fill(w, 0, <usize>n << 2);
  for (let k = 0; k < count; k++) {
    const a = ld_i32(a1, k), pk = ld_i32(p, k);
    const L = load<f32>(negLse + (<usize>a << 2));
    if (L == -Infinity) continue;
    const v = s * load<f32>(at(mat, ld, a, pk));
    // σ(L − v) is the softmax mass of the negatives, 1 − that of the positive
    const gs = load<f32>(g + (<usize>k << 2)) * sigmoid(L - v);
    scatter(at(dmat, ld, a, pk), -s * gs);
    const wa = w + (<usize>a << 2);
    store<f32>(wa, load<f32>(wa) + gs);
  }
  for (let a = 0; a < n; a++) {
    const wa = load<f32>(w + (<usize>a << 2));
    if (wa == 0) continue;
    const L = load<f32>(negLse + (<usize>a << 2));
    const j0 = ld_i32(negStart, a), j1 = ld_i32(negStart, a + 1);
    for (let j = j0; j < j1; j++) {
      const c = ld_i32(negCols, j);
      scatter(at(dmat, ld, a, c), s * wa * Mathf.exp(s * load<f32>(at(mat, ld, a, c)) - L));
    }
  }
}

// ---- multi-similarity ----
// Per anchor row i of mat [n, m] (the batch against a reference set of m), over the u8 masks
// [n, m] of its positive and negative columns:
// (1/α)·log(1 + Σ_pos e^{α·x}) + (1/β)·log(1 + Σ_neg e^{β·y}) with x = base − s, y = s − base for
// similarities (x = d − base, y = base − d for distances); a part with an empty mask is 0.
// Dense rows: f32x4 over 4 mask bytes at a time (e^x by exp4), scalar tails.

// Lanes of 4 u8 mask bytes at mask[j..j+4): all ones where the byte is non-zero.
// @ts-ignore: decorator
@inline function maskLanes(mask: usize, j: i32): v128 {
  const b = v128.load32_zero(mask + <usize>j);
  return i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(b)), i32x4.splat(0));
}

// log(1 + Σ_j e^{scale·(sign·(m_j − base))}) over mask row; returns 0 for an empty row.
// f32x4 body (e^x by exp4), scalar tail.
// @ts-ignore: decorator
@inline function lseOne(row: usize, mask: usize, n: i32, scale: f32, sign: f32, base: f32): f32 {
  const vs = f32x4.splat(scale * sign), vb = f32x4.splat(base);
  let vmx = f32x4.splat(0), seen = i32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const mk = maskLanes(mask, j);
    const x = f32x4.mul(vs, f32x4.sub(v128.load(row + (<usize>j << 2)), vb));
    vmx = v128.bitselect(f32x4.max(vmx, x), vmx, mk);
    seen = v128.or(seen, mk);
  }
  let any = v128.any_true(seen);
  let mx = max<f32>(max<f32>(f32x4.extract_lane(vmx, 0), f32x4.extract_lane(vmx, 1)), max<f32>(f32x4.extract_lane(vmx, 2), f32x4.extract_lane(vmx, 3)));
  for (let t = j; t < n; t++) {
    if (load<u8>(mask + <usize>t) == 0) continue;
    any = true;
    mx = max<f32>(mx, scale * sign * (load<f32>(row + (<usize>t << 2)) - base));
  }
  if (!any) return 0;
  const vm = f32x4.splat(mx);
  let acc = f32x4.splat(0);
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const x = f32x4.mul(vs, f32x4.sub(v128.load(row + (<usize>j << 2)), vb));
    acc = f32x4.add(acc, v128.and(exp4(f32x4.sub(x, vm)), maskLanes(mask, j)));
  }
  let sum = Mathf.exp(-mx) + f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; j < n; j++) {
    if (load<u8>(mask + <usize>j) == 0) continue;
    sum += Mathf.exp(scale * sign * (load<f32>(row + (<usize>j << 2)) - base) - mx);
  }
  return mx + Mathf.log(sum);
}

// lse [2n] receives each anchor's positive and negative log-sum-exp for the backward.
export function f32_multi_similarity_fwd(mat: usize, n: i32, m: i32, posMask: usize, negMask: usize, alpha: f32, beta: f32, base: f32, inverted: i32, lse: usize, out: usize): void {
  const sp: f32 = inverted ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const row = mat + ((<usize>i * m) << 2);
    const mrow = <usize>i * m;
    const pos = lseOne(row, posMask + mrow, m, alpha, sp, base);
    const neg = lseOne(row, negMask + mrow, m, beta, -sp, base);
    store<f32>(lse + (<usize>i << 3), pos);
    store<f32>(lse + (<usize>i << 3), neg, 4);
    store<f32>(out + (<usize>i << 2), pos / alpha + neg / beta);
  }
}

// @ts-ignore: decorator
@inline function lseOneBwd(row: usize, drow: usize, mask: usize, n: i32, scale: f32, sign: f32, base: f32, lse: f32, g: f32): void {
  // ∂[(1/scale)·lse]/∂m_j = softmax_j · sign
  const vs = f32x4.splat(scale * sign), vb = f32x4.splat(base), vl = f32x4.splat(lse), vg = f32x4.splat(g * sign);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const x = f32x4.mul(vs, f32x4.sub(v128.load(row + (<usize>j << 2)), vb));
    const w = v128.and(f32x4.mul(vg, exp4(f32x4.sub(x, vl))), maskLanes(mask, j));
    const d = drow + (<usize>j << 2);
    v128.store(d, f32x4.add(v128.load(d), w));
  }
  for (; j < n; j++) {
    if (load<u8>(mask + <usize>j) == 0) continue;
    const x = scale * sign * (load<f32>(row + (<usize>j << 2)) - base);
    scatter(drow + (<usize>j << 2), g * sign * Mathf.exp(x - lse));
  }
}

export function f32_multi_similarity_bwd(mat: usize, n: i32, m: i32, posMask: usize, negMask: usize, alpha: f32, beta: f32, base: f32, inverted: i32, lse: usize, g: usize, dmat: usize): void {
  const sp: f32 = inverted ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const off = (<usize>i * m) << 2;
    const gi = load<f32>(g + (<usize>i << 2));
    const l = lse + (<usize>i << 3);
    lseOneBwd(mat + off, dmat + off, posMask + <usize>i * m, m, alpha, sp, base, load<f32>(l), gi);
    lseOneBwd(mat + off, dmat + off, negMask + <usize>i * m, m, beta, -sp, base, load<f32>(l, 4), gi);
  }
}

// ---- two-sided masked log-sum-exp rows ----
// Per anchor row i of mat [n, m] over its positive and negative columns:
//   P = log Σ_pos e^{x_p(s)}, N = log Σ_neg e^{x_n(s)} (0 for an empty side)
//   lifted (GeneralizedLiftedStructureLoss): x = a·(s − b) per side, out_i = [P + N]₊
//   circle (CircleLoss): x = a·w·(s − b) with w = [o − s]₊ (positives) or [s − o]₊ (negatives)
//     taken without gradient, out_i = softplus(P + N), or 0 when a side is empty
// The columns come from u8 masks [n, m] (pairs from tuples), or, when refLabels is not 0,
// from the labels on the fly (positives: same label, not column i when self is 1; negatives:
// other labels), so the every-pair case builds no mask. One f32x4 pass finds both maxima, a
// second takes one exp4 per lane (each lane picks its side's logit and shift); the tail runs
// the same lanes with the columns past m switched off, and keeps e^{x − max of its side} in
// terms [n, m] (0 off both sides) so that the backward takes no exp. stats [2n]: per row
// ∂out/∂(P + N) · a / Σ e of each side, the factor of its terms in ∂out/∂s.

// The circle's weight of one side on four lanes, held constant in the gradient: [o − s]₊ for
// the positives, [s − o]₊ for the negatives.
// @ts-ignore: decorator
@inline function circleWeight(pos: bool, s: v128, o: v128): v128 {
  return f32x4.max(pos ? f32x4.sub(o, s) : f32x4.sub(s, o), f32x4.splat(0));
}

// The logits of one side on four lanes.
// @ts-ignore: decorator
@inline function sideLogit(circle: bool, pos: bool, s: v128, a: v128, b: v128, o: v128): v128 {
  const x = f32x4.mul(a, f32x4.sub(s, b));
  return circle ? f32x4.mul(x, circleWeight(pos, s, o)) : x;
}

// Lanes j..j+4 of a row's positive (pos) or negative columns, from the u8 mask row or (refLabels
// not 0) from the labels: li the row's label, skip the column that is no positive (−1: none).
// Lanes at or past m are off; nothing past the row's end is read.
// @ts-ignore: decorator
@inline function sideLanes(pos: bool, mask: usize, refLabels: usize, li: i32, skip: i32, j: i32, m: i32): v128 {
  const full = j + 4 <= m;
  if (refLabels == 0) {
    if (full) return maskLanes(mask, j);
    const r = m - j;
    return i32x4(
      load<u8>(mask + <usize>j) ? -1 : 0,
      r > 1 && load<u8>(mask + <usize>j + 1) ? -1 : 0,
      r > 2 && load<u8>(mask + <usize>j + 2) ? -1 : 0,
      0,
    );
  }
  const jv = i32x4.add(i32x4.splat(j), i32x4(0, 1, 2, 3));
  let same: v128;
  if (full) same = i32x4.eq(v128.load(refLabels + (<usize>j << 2)), i32x4.splat(li));
  else {
    const r = m - j;
    const at = refLabels + (<usize>j << 2);
    same = i32x4(load<i32>(at) == li ? -1 : 0, r > 1 && load<i32>(at, 4) == li ? -1 : 0, r > 2 && load<i32>(at, 8) == li ? -1 : 0, 0);
  }
  if (pos) return v128.and(same, i32x4.ne(jv, i32x4.splat(skip)));
  return full ? v128.not(same) : v128.andnot(i32x4.lt_s(jv, i32x4.splat(m)), same);
}

// Row values s at j..j+4 (lanes past m read 0: their columns are off).
// @ts-ignore: decorator
@inline function rowLanes(row: usize, j: i32, m: i32): v128 {
  if (j + 4 <= m) return v128.load(row + (<usize>j << 2));
  const r = m - j;
  return f32x4(load<f32>(row + (<usize>j << 2)), r > 1 ? load<f32>(row + (<usize>j << 2), 4) : 0, r > 2 ? load<f32>(row + (<usize>j << 2), 8) : 0, 0);
}

// @ts-ignore: decorator
@inline function pairLseRowFwd(circle: bool, row: usize, trow: usize, pm: usize, nm: usize, refLabels: usize, li: i32, skip: i32, m: i32, ap: f32, bp: f32, op: f32, an: f32, bn: f32, on: f32, st: usize): f32 {
  const vap = f32x4.splat(ap), vbp = f32x4.splat(bp), vop = f32x4.splat(op);
  const van = f32x4.splat(an), vbn = f32x4.splat(bn), von = f32x4.splat(on);
  const ninf = f32x4.splat(-Infinity);
  let mp = ninf, mn = ninf, seenP = i32x4.splat(0), seenN = seenP;
  for (let j = 0; j < m; j += 4) {
    const s = rowLanes(row, j, m);
    const kp = sideLanes(true, pm, refLabels, li, skip, j, m);
    const kn = sideLanes(false, nm, refLabels, li, skip, j, m);
    mp = v128.bitselect(f32x4.max(mp, sideLogit(circle, true, s, vap, vbp, vop)), mp, kp);
    mn = v128.bitselect(f32x4.max(mn, sideLogit(circle, false, s, van, vbn, von)), mn, kn);
    seenP = v128.or(seenP, kp);
    seenN = v128.or(seenN, kn);
  }
  const anyP = v128.any_true(seenP), anyN = v128.any_true(seenN);
  const topP = max<f32>(max<f32>(f32x4.extract_lane(mp, 0), f32x4.extract_lane(mp, 1)), max<f32>(f32x4.extract_lane(mp, 2), f32x4.extract_lane(mp, 3)));
  const topN = max<f32>(max<f32>(f32x4.extract_lane(mn, 0), f32x4.extract_lane(mn, 1)), max<f32>(f32x4.extract_lane(mn, 2), f32x4.extract_lane(mn, 3)));
  const vtp = f32x4.splat(topP), vtn = f32x4.splat(topN);
  let sp = f32x4.splat(0), sn = sp;
  for (let j = 0; j < m; j += 4) {
    const s = rowLanes(row, j, m);
    const kp = sideLanes(true, pm, refLabels, li, skip, j, m);
    const kn = sideLanes(false, nm, refLabels, li, skip, j, m);
    const x = v128.bitselect(f32x4.sub(sideLogit(circle, true, s, vap, vbp, vop), vtp), f32x4.sub(sideLogit(circle, false, s, van, vbn, von), vtn), kp);
    const e = v128.and(exp4(x), v128.or(kp, kn));
    sp = f32x4.add(sp, v128.and(e, kp));
    sn = f32x4.add(sn, v128.and(e, kn));
    const t = trow + (<usize>j << 2);
    if (j + 4 <= m) v128.store(t, e);
    else {
      store<f32>(t, f32x4.extract_lane(e, 0));
      if (m - j > 1) store<f32>(t, f32x4.extract_lane(e, 1), 4);
      if (m - j > 2) store<f32>(t, f32x4.extract_lane(e, 2), 8);
    }
  }
  const sumP = f32x4.extract_lane(sp, 0) + f32x4.extract_lane(sp, 1) + f32x4.extract_lane(sp, 2) + f32x4.extract_lane(sp, 3);
  const sumN = f32x4.extract_lane(sn, 0) + f32x4.extract_lane(sn, 1) + f32x4.extract_lane(sn, 2) + f32x4.extract_lane(sn, 3);
  const P: f32 = anyP ? topP + Mathf.log(sumP) : 0;
  const N: f32 = anyN ? topN + Mathf.log(sumN) : 0;
  const v = P + N;
  let out: f32, coef: f32;
  if (circle) {
    const keep = anyP && anyN;
    out = keep ? softplus(v) : 0;
    coef = keep ? sigmoid(v) : 0;
  } else {
    out = max<f32>(v, 0);
    coef = v > 0 ? 1 : 0;
  }
  store<f32>(st, anyP ? coef * ap / sumP : 0);
  store<f32>(st, anyN ? coef * an / sumN : 0, 4);
  return out;
}

// kind: PairLse. Columns: the masks, or labels [n] against refLabels [m] when refLabels is not 0
// (masks unused). Parameters per side: a, b, o (o unused by lifted).
export function f32_pair_lse_fwd(kind: i32, mat: usize, n: i32, m: i32, posMask: usize, negMask: usize, labels: usize, refLabels: usize, self: i32, ap: f32, bp: f32, op: f32, an: f32, bn: f32, on: f32, terms: usize, stats: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const off = (<usize>i * m) << 2, row = mat + off, trow = terms + off, mr = <usize>i * m, st = stats + (<usize>i << 3);
    const li = refLabels ? ld_i32(labels, i) : 0, skip = self ? i : -1;
    const v = kind == PairLse.circle
      ? pairLseRowFwd(true, row, trow, posMask + mr, negMask + mr, refLabels, li, skip, m, ap, bp, op, an, bn, on, st)
      : pairLseRowFwd(false, row, trow, posMask + mr, negMask + mr, refLabels, li, skip, m, ap, bp, op, an, bn, on, st);
    store<f32>(out + (<usize>i << 2), v);
  }
}

// @ts-ignore: decorator
@inline function pairLseRowBwd(circle: bool, row: usize, trow: usize, drow: usize, pm: usize, refLabels: usize, li: i32, skip: i32, m: i32, op: f32, on: f32, st: usize, g: f32, acc: i32): void {
  const vop = f32x4.splat(op), von = f32x4.splat(on);
  const wp = f32x4.splat(g * load<f32>(st)), wn = f32x4.splat(g * load<f32>(st, 4));
  for (let j = 0; j < m; j += 4) {
    const kp = sideLanes(true, pm, refLabels, li, skip, j, m);
    const e = rowLanes(trow, j, m);
    let w = v128.bitselect(wp, wn, kp);
    if (circle) {
      const s = rowLanes(row, j, m);
      w = f32x4.mul(w, v128.bitselect(circleWeight(true, s, vop), circleWeight(false, s, von), kp));
    }
    const d = f32x4.mul(e, w);
    const p = drow + (<usize>j << 2);
    if (j + 4 <= m) {
      v128.store(p, acc ? f32x4.add(v128.load(p), d) : d);
    } else {
      for (let l = 0; l < m - j; l++) {
        const q = p + (<usize>l << 2);
        const dl = l == 0 ? f32x4.extract_lane(d, 0) : l == 1 ? f32x4.extract_lane(d, 1) : f32x4.extract_lane(d, 2);
        store<f32>(q, acc ? load<f32>(q) + dl : dl);
      }
    }
  }
}

// dmat [n, m] (+)= g_i · ∂out_i/∂mat_ij (acc 1 adds, 0 overwrites), from the forward's terms
// and stats; o of each side for the circle weights.
export function f32_pair_lse_bwd(kind: i32, mat: usize, n: i32, m: i32, posMask: usize, labels: usize, refLabels: usize, self: i32, op: f32, on: f32, terms: usize, stats: usize, g: usize, dmat: usize, acc: i32): void {
  for (let i = 0; i < n; i++) {
    const off = (<usize>i * m) << 2, mr = <usize>i * m, st = stats + (<usize>i << 3);
    const li = refLabels ? ld_i32(labels, i) : 0, skip = self ? i : -1;
    const gi = load<f32>(g + (<usize>i << 2));
    if (kind == PairLse.circle) pairLseRowBwd(true, mat + off, terms + off, dmat + off, posMask + mr, refLabels, li, skip, m, op, on, st, gi, acc);
    else pairLseRowBwd(false, mat + off, terms + off, dmat + off, posMask + mr, refLabels, li, skip, m, op, on, st, gi, acc);
  }
}

// ---- binary cross-entropy with logits ----
// loss = max(z, 0) − z·y + log1p(e^{−|z|}) (no overflow for any |z|); ∂/∂z = σ(z) − y.
// exp/log have no SIMD instruction, so this stays scalar.

export function f32_bce_logits_fwd(z: usize, y: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const zi = load<f32>(z + o);
    store<f32>(out + o, max<f32>(zi, 0) - zi * load<f32>(y + o) + Mathf.log1p(Mathf.exp(-Mathf.abs(zi))));
  }
}

export function f32_bce_logits_bwd(z: usize, y: usize, g: usize, gz: usize, n: i32, acc: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(g + o) * (sigmoid(load<f32>(z + o)) - load<f32>(y + o));
    store<f32>(gz + o, acc ? load<f32>(gz + o) + v : v);
  }
}

// ---- avg-non-zero reduction ----

// number of x[i] > 0
export function f32_count_positive(x: usize, n: i32): i32 {
  const zero = f32x4.splat(0);
  let c = i32x4.splat(0);
  let i = 0;
  // a true lane is −1, so subtracting the comparison mask counts
  for (; i + 4 <= n; i += 4) c = i32x4.sub(c, f32x4.gt(v128.load(x + (<usize>i << 2)), zero));
  let s = i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3);
  for (; i < n; i++) if (load<f32>(x + (<usize>i << 2)) > 0) s++;
  return s;
}

// Σ x[i] over x[i] > 0
export function f32_sum_positive(x: usize, n: i32): f32 {
  const zero = f32x4.splat(0);
  let s4 = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) s4 = f32x4.add(s4, f32x4.max(v128.load(x + (<usize>i << 2)), zero));
  let s = f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1) + f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3);
  for (; i < n; i++) s += max<f32>(load<f32>(x + (<usize>i << 2)), 0);
  return s;
}

// gx[i] (+)= x[i] > 0 ? s : 0
export function f32_positive_mask_scale(x: usize, s: f32, gx: usize, n: i32, acc: i32): void {
  const zero = f32x4.splat(0);
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.and(f32x4.gt(v128.load(x + o), zero), vs);
    v128.store(gx + o, acc ? f32x4.add(v128.load(gx + o), v) : v);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v: f32 = load<f32>(x + o) > 0 ? s : 0;
    store<f32>(gx + o, acc ? load<f32>(gx + o) + v : v);
  }
}

// ---- tuples from labels (int32 labels [n]) ----

// Every pair (i, j) of the batch labels [n] against refLabels [m], row-major: same label into
// (a1, p), different into (a2, nn); self 1 (the batch against itself) skips j == i.
// counts[0, 1] = P, N. The columns are sized by the caller (P and N counted beforehand).
export function i32_all_pairs(labels: usize, n: i32, refLabels: usize, m: i32, self: i32, a1: usize, p: usize, a2: usize, nn: usize, counts: usize): void {
  let np = 0, nq = 0;
  for (let i = 0; i < n; i++) {
    const li = ld_i32(labels, i);
    for (let j = 0; j < m; j++) {
      if (self && j == i) continue;
      if (ld_i32(refLabels, j) == li) {
        store<i32>(a1 + (<usize>np << 2), i);
        store<i32>(p + (<usize>np << 2), j);
        np++;
      } else {
        store<i32>(a2 + (<usize>nq << 2), i);
        store<i32>(nn + (<usize>nq << 2), j);
        nq++;
      }
    }
  }
  store<i32>(counts, np);
  store<i32>(counts, nq, 4);
}

// @ts-ignore: decorator
@inline function put3(a: usize, p: usize, nn: usize, k: i32, ai: i32, pi: i32, ni: i32): void {
  const o = <usize>k << 2;
  store<i32>(a + o, ai);
  store<i32>(p + o, pi);
  store<i32>(nn + o, ni);
}

// Triplet-margin mining over all valid (a, p, n) in a-p-n order, streaming into the output
// columns (sized for every valid triplet) — no n³ mask. Anchors are the batch (labels [n]),
// positives and negatives the reference set (refLabels [m], mat [n, m]); self 1 means the
// reference set is the batch itself, so p ≠ a. tm = d_an − d_ap (s_ap − s_an when inverted);
// type 0 all: tm ≤ margin · 1 hard: tm ≤ 0 · 2 semihard: 0 < tm ≤ margin · 3 easy: tm > margin
// · 4 every valid triplet, no matrix read. Returns the count.
export function f32_triplet_margin_mine(mat: usize, labels: usize, n: i32, refLabels: usize, m: i32, self: i32, inverted: i32, type: i32, margin: f32, a: usize, p: usize, nn: usize): i32 {
  let t = 0;
  for (let i = 0; i < n; i++) {
    const li = ld_i32(labels, i);
    for (let j = 0; j < m; j++) {
      if ((self && j == i) || ld_i32(refLabels, j) != li) continue;
      const ap: f32 = type == TripletType.every ? 0 : load<f32>(at(mat, m, i, j));
      for (let q = 0; q < m; q++) {
        if (ld_i32(refLabels, q) == li) continue;
        if (type != TripletType.every) {
          const an = load<f32>(at(mat, m, i, q));
          const tm = inverted ? ap - an : an - ap;
          const keep = type == TripletType.easy ? tm > margin : tm <= margin && (type == TripletType.hard ? tm <= 0 : type == TripletType.semihard ? tm > 0 : true);
          if (!keep) continue;
        }
        put3(a, p, nn, t++, i, j, q);
      }
    }
  }
  return t;
}

// AngularMiner's triplets: of every valid (i, j, q) in f32_triplet_margin_mine's order (labels
// [n], refLabels [m]; self 1: the batch itself, j ≠ i), those whose angle at the negative,
// atan(‖x_i − r_j + ε‖ / (2‖r_q − c + ε‖)) with c = (x_i + r_j)/2, exceeds threshold (radians),
// on the embeddings x [n, d] and references r [m, d] as given, in float64 with ε added to each
// difference (torch.pairwise_distance). Each (i, j)'s length and midpoint (half [d], f64
// scratch) are formed once for its run of negatives. Returns the count.
export function f32_angular_mine(x: usize, r: usize, d: i32, labels: usize, n: i32, refLabels: usize, m: i32, self: i32, eps: f64, threshold: f64, half: usize, a: usize, p: usize, nn: usize): i32 {
  const row = <usize>d << 2;
  const ev = f64x2.splat(eps);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const li = ld_i32(labels, i);
    const xi = x + <usize>i * row;
    for (let j = 0; j < m; j++) {
      if ((self && j == i) || ld_i32(refLabels, j) != li) continue;
      const rj = r + <usize>j * row;
      let ap: f64 = 0;
      for (let k = 0; k < d; k++) {
        const xv = <f64>load<f32>(xi + (<usize>k << 2)), rv = <f64>load<f32>(rj + (<usize>k << 2));
        const u = xv - rv + eps;
        ap += u * u;
        store<f64>(half + (<usize>k << 3), (xv + rv) / 2);
      }
      const apLen = Math.sqrt(ap);
      for (let q = 0; q < m; q++) {
        if (ld_i32(refLabels, q) == li) continue;
        const rq = r + <usize>q * row;
        let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
        let k = 0;
        for (; k + 4 <= d; k += 4) {
          const w0 = f64x2.add(f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(rq + (<usize>k << 2))), v128.load(half + (<usize>k << 3))), ev);
          const w1 = f64x2.add(f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(rq + (<usize>k << 2), 8)), v128.load(half + (<usize>k << 3), 16)), ev);
          s0 = f64x2.add(s0, f64x2.mul(w0, w0));
          s1 = f64x2.add(s1, f64x2.mul(w1, w1));
        }
        const sv = f64x2.add(s0, s1);
        let nc = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
        for (; k < d; k++) {
          const w = <f64>load<f32>(rq + (<usize>k << 2)) - load<f64>(half + (<usize>k << 3)) + eps;
          nc += w * w;
        }
        if (Math.atan(apLen / (2 * Math.sqrt(nc))) > threshold) put3(a, p, nn, t++, i, j, q);
      }
    }
  }
  return t;
}

// Per anchor: the farthest positive and the nearest negative of the reference set (mat
// [n, m], refLabels [m]; self 1: the batch itself, j ≠ i), first index on ties as
// torch.max/min; anchors lacking either are dropped. Returns the count.
export function f32_batch_hard_mine(mat: usize, labels: usize, n: i32, refLabels: usize, m: i32, self: i32, inverted: i32, a: usize, p: usize, nn: usize): i32 {
  let t = 0;
  for (let i = 0; i < n; i++) {
    const li = ld_i32(labels, i);
    let bp = -1, bn = -1;
    let vp: f32 = 0, vn: f32 = 0;
    for (let j = 0; j < m; j++) {
      if (self && j == i) continue;
      const v = load<f32>(at(mat, m, i, j));
      if (ld_i32(refLabels, j) == li) {
        if (bp < 0 || (inverted ? v < vp : v > vp)) { bp = j; vp = v; }
      } else if (bn < 0 || (inverted ? v > vn : v < vn)) { bn = j; vn = v; }
    }
    if (bp >= 0 && bn >= 0) put3(a, p, nn, t++, i, bp, bn);
  }
  return t;
}

// Positive pairs with d > posMargin and negative pairs with d < negMargin (s < posMargin,
// s > negMargin when inverted), row-major over mat [n, m] (refLabels [m]; self 1: the batch
// itself, j ≠ i); counts[0, 1] = P, N.
export function f32_pair_margin_mine(mat: usize, labels: usize, n: i32, refLabels: usize, m: i32, self: i32, inverted: i32, posMargin: f32, negMargin: f32, a1: usize, p: usize, a2: usize, nn: usize, counts: usize): void {
  let np = 0, nq = 0;
  for (let i = 0; i < n; i++) {
    const li = ld_i32(labels, i);
    for (let j = 0; j < m; j++) {
      if (self && j == i) continue;
      const v = load<f32>(at(mat, m, i, j));
      if (ld_i32(refLabels, j) == li) {
        if (inverted ? v < posMargin : v > posMargin) {
          store<i32>(a1 + (<usize>np << 2), i);
          store<i32>(p + (<usize>np << 2), j);
          np++;
        }
      } else if (inverted ? v > negMargin : v < negMargin) {
        store<i32>(a2 + (<usize>nq << 2), i);
        store<i32>(nn + (<usize>nq << 2), j);
        nq++;
      }
    }
  }
  store<i32>(counts, np);
  store<i32>(counts, nq, 4);
}

// ---- tuple bookkeeping ----

// Stable counting sort of the pairs (anchors[k], cols[k]) by anchor: start [n + 1] (CSR row
// starts), outCols [count] the columns in anchor order.
export function i32_group_by_anchor(anchors: usize, cols: usize, count: i32, n: i32, start: usize, outCols: usize): void {
  memory.fill(start, 0, (<usize>n + 1) << 2);
  for (let k = 0; k < count; k++) {
    const s = start + ((<usize>ld_i32(anchors, k) + 1) << 2);
    store<i32>(s, load<i32>(s) + 1);
  }
  for (let i = 0; i < n; i++) {
    const s = start + ((<usize>i + 1) << 2);
    store<i32>(s, load<i32>(s) + load<i32>(s - 4));
  }
  // the running position of each anchor lives in start[a] until the pass ends, then is undone
  for (let k = 0; k < count; k++) {
    const s = start + (<usize>ld_i32(anchors, k) << 2);
    const pos = load<i32>(s);
    store<i32>(outCols + (<usize>pos << 2), ld_i32(cols, k));
    store<i32>(s, pos + 1);
  }
  for (let i = n; i > 0; i--) store<i32>(start + (<usize>i << 2), load<i32>(start + ((<usize>i - 1) << 2)));
  store<i32>(start, 0);
}

// u8 masks [n, m] of the pairs (rows[k], cols[k]): set entries 1, others 0.
export function u8_pair_mask(rows: usize, cols: usize, count: i32, n: i32, m: i32, mask: usize): void {
  memory.fill(mask, 0, <usize>n * <usize>m);
  for (let k = 0; k < count; k++) store<u8>(mask + <usize>ld_i32(rows, k) * <usize>m + <usize>ld_i32(cols, k), 1);
}
