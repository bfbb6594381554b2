// Masks and masked row reductions, the building blocks of the pair-mask losses
// (pytorch-metric-learning's `lmu.logsumexp(x, keep_mask, add_one)`, masked sums and means).
// A mask is float32 0/1 of x's shape; an entry is kept where mask ≠ 0. Entries not kept
// are never read into a result, so a NaN or ±inf there cannot leak (unlike x·mask).

import { CompareOp, MaskedReduce } from '../codes';
import { exp4 } from './expf4';
import { mirrorUpper } from './gemm-tile';
import { maxScaledRow } from './vec';

// @ts-ignore: decorator
@inline function kept(mask: usize, masked: i32, at: usize): bool {
  return !masked || load<f32>(mask + at) != 0;
}

// ---- masked row reductions ----
// x, mask [n, m] (masked 0: every entry kept, mask unread); out [n]; arg i32 [n] (max/min
// only: the column chosen, −1 for an empty row; unread otherwise).
// op (MaskedReduce): sum, mean, max, min, logsumexp = ln(Σ_kept eˣ + addOne).
// A row with nothing kept gives 0 (PML: torch's masked logsumexp is filled with 0 there;
// the mean of nothing is 0, not NaN). The logsumexp subtracts the row maximum (0 included
// when addOne) so no exp overflows.
export function f32_masked_rows_fwd(op: i32, x: usize, mask: usize, masked: i32, n: i32, m: i32, addOne: i32, out: usize, arg: usize): void {
  if (op == MaskedReduce.logsumexp) {
    for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), logsumexpRow(x, mask, masked, (<usize>i * <usize>m) << 2, m, addOne));
    return;
  }
  for (let i = 0; i < n; i++) {
    const row = (<usize>i * <usize>m) << 2;
    let count = 0;
    let best: f32 = 0;
    let bestAt = -1;
    let s: f64 = 0;
    for (let j = 0; j < m; j++) {
      const at = row + (<usize>j << 2);
      if (!kept(mask, masked, at)) continue;
      const v = load<f32>(x + at);
      count++;
      if (op == MaskedReduce.sum || op == MaskedReduce.mean) s += v;
      else if (op == MaskedReduce.min) {
        if (bestAt < 0 || v < best) { best = v; bestAt = j; }
      } else if (bestAt < 0 || v > best) { best = v; bestAt = j; }
    }
    let r: f32 = 0;
    if (count > 0) {
      if (op == MaskedReduce.sum) r = <f32>s;
      else if (op == MaskedReduce.mean) r = <f32>(s / count);
      else r = best;
    }
    store<f32>(out + (<usize>i << 2), r);
    if (op == MaskedReduce.max || op == MaskedReduce.min) store<i32>(arg + (<usize>i << 2), bestAt);
  }
}

// The kept lanes of four entries at byte offset `at` of a row: all ones where kept.
// @ts-ignore: decorator
@inline function keptLanes(mask: usize, masked: i32, at: usize): v128 {
  return masked ? f32x4.ne(v128.load(mask + at), f32x4.splat(0)) : i32x4.splat(-1);
}

// One row of the logsumexp (row = the row's byte offset): the kept maximum (0 included with
// addOne) in a first pass, then Σ e^(x − max) on f32x4 lanes (expf4), the lanes and the tail
// added in f64. Nothing kept gives 0, only −∞ kept gives −∞, a kept NaN gives NaN.
function logsumexpRow(x: usize, mask: usize, masked: i32, row: usize, m: i32, addOne: i32): f32 {
  let vmax = f32x4.splat(-Infinity);
  let vcount = i32x4.splat(0);
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const at = row + (<usize>j << 2);
    const keep = keptLanes(mask, masked, at);
    vmax = f32x4.max(vmax, v128.bitselect(v128.load(x + at), f32x4.splat(-Infinity), keep));
    vcount = i32x4.sub(vcount, keep);
  }
  let best = max<f32>(max<f32>(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max<f32>(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  let count = i32x4.extract_lane(vcount, 0) + i32x4.extract_lane(vcount, 1) + i32x4.extract_lane(vcount, 2) + i32x4.extract_lane(vcount, 3);
  for (let t = j; t < m; t++) {
    const at = row + (<usize>t << 2);
    if (!kept(mask, masked, at)) continue;
    count++;
    best = max<f32>(best, load<f32>(x + at));
  }
  if (count == 0) return 0;
  const top = addOne ? max<f32>(best, 0) : best;
  if (top == -Infinity) return -Infinity;
  const vtop = f32x4.splat(top);
  let vsum = f32x4.splat(0);
  j = 0;
  for (; j + 4 <= m; j += 4) {
    const at = row + (<usize>j << 2);
    const e = exp4(f32x4.sub(v128.load(x + at), vtop));
    vsum = f32x4.add(vsum, v128.and(e, keptLanes(mask, masked, at)));
  }
  let e: f64 = addOne ? Math.exp(-<f64>top) : 0;
  e += <f64>f32x4.extract_lane(vsum, 0) + <f64>f32x4.extract_lane(vsum, 1) + <f64>f32x4.extract_lane(vsum, 2) + <f64>f32x4.extract_lane(vsum, 3);
  for (; j < m; j++) {
    const at = row + (<usize>j << 2);
    if (kept(mask, masked, at)) e += Math.exp(<f64>load<f32>(x + at) - <f64>top);
  }
  return <f32>(<f64>top + Math.log(e));
}

// gx (+)= ∂out/∂x · g, g [n]: sum → g on kept entries; mean → g / count; max, min → g at
// the chosen column only (the first one on ties, as the forward chose); logsumexp → g times
// the softmax e^(x − out) on kept entries. Rows with nothing kept get 0.
export function f32_masked_rows_bwd(op: i32, x: usize, mask: usize, masked: i32, n: i32, m: i32, out: usize, arg: usize, g: usize, gx: usize, accumulate: i32): void {
  if (op == MaskedReduce.logsumexp) {
    for (let i = 0; i < n; i++) {
      logsumexpRowBwd(x, mask, masked, (<usize>i * <usize>m) << 2, m, load<f32>(out + (<usize>i << 2)), load<f32>(g + (<usize>i << 2)), gx, accumulate);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const row = (<usize>i * <usize>m) << 2;
    const gi = load<f32>(g + (<usize>i << 2));
    let scale = gi;
    if (op == MaskedReduce.mean) {
      let count = 0;
      for (let j = 0; j < m; j++) if (kept(mask, masked, row + (<usize>j << 2))) count++;
      scale = count > 0 ? gi / <f32>count : 0;
    }
    const chosen = op == MaskedReduce.max || op == MaskedReduce.min ? load<i32>(arg + (<usize>i << 2)) : -1;
    for (let j = 0; j < m; j++) {
      const at = row + (<usize>j << 2);
      let v: f32 = 0;
      if (op == MaskedReduce.max || op == MaskedReduce.min) v = j == chosen ? gi : 0;
      else if (kept(mask, masked, at)) v = scale;
      if (accumulate) v += load<f32>(gx + at);
      store<f32>(gx + at, v);
    }
  }
}

// One row of the logsumexp's backward: g times the softmax e^(x − out) on the kept entries.
function logsumexpRowBwd(x: usize, mask: usize, masked: i32, row: usize, m: i32, oi: f32, gi: f32, gx: usize, accumulate: i32): void {
  const vo = f32x4.splat(oi), vg = f32x4.splat(gi);
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const at = row + (<usize>j << 2);
    let v = v128.and(f32x4.mul(vg, exp4(f32x4.sub(v128.load(x + at), vo))), keptLanes(mask, masked, at));
    if (accumulate) v = f32x4.add(v, v128.load(gx + at));
    v128.store(gx + at, v);
  }
  for (; j < m; j++) {
    const at = row + (<usize>j << 2);
    let v: f32 = kept(mask, masked, at) ? gi * Mathf.exp(load<f32>(x + at) - oi) : 0;
    if (accumulate) v += load<f32>(gx + at);
    store<f32>(gx + at, v);
  }
}

// ---- softmax cross-entropy rows ----
// z [n, c] logits scaled by `scale` (InstanceLoss's γ; 1 for plain cross-entropy), targets i32
// [n] in [0, c): out[i] = lse_i − scale·z[i, t_i], lse_i = ln Σ_j e^(scale·z_ij) (max-shifted,
// f32x4 lanes with expf4, lanes added in f64). p [n, c] receives the softmax rows, so that the
// backward multiplies instead of taking e^x again (e^x is most of the work on these rows). One
// pass for the max and one for the sum per row, instead of a scale op, a logsumexp and a gather.
export function f32_softmax_xent_fwd(z: usize, n: i32, c: i32, scale: f32, targets: usize, p: usize, out: usize): void {
  for (let i = 0; i < n; i++) {
    const off = (<usize>i * <usize>c) << 2;
    store<f32>(out + (<usize>i << 2), xentRow(z + off, p + off, c, scale, load<i32>(targets + (<usize>i << 2))));
  }
}

// One row of f32_softmax_xent_fwd: its softmax into prow, its loss returned.
function xentRow(row: usize, prow: usize, c: i32, scale: f32, t: i32): f32 {
  const vs = f32x4.splat(scale);
  const top = maxScaledRow(row, c, scale, -1);
  let r: f32 = top;
  let j = 0;
  if (top != -Infinity) {
    const vtop = f32x4.splat(top);
    let vsum = f32x4.splat(0);
    for (; j + 4 <= c; j += 4) {
      const e = exp4(f32x4.sub(f32x4.mul(v128.load(row + (<usize>j << 2)), vs), vtop));
      v128.store(prow + (<usize>j << 2), e);
      vsum = f32x4.add(vsum, e);
    }
    let e: f64 = <f64>f32x4.extract_lane(vsum, 0) + <f64>f32x4.extract_lane(vsum, 1) + <f64>f32x4.extract_lane(vsum, 2) + <f64>f32x4.extract_lane(vsum, 3);
    for (; j < c; j++) {
      const ej = Mathf.exp(load<f32>(row + (<usize>j << 2)) * scale - top);
      store<f32>(prow + (<usize>j << 2), ej);
      e += ej;
    }
    r = <f32>(<f64>top + Math.log(e));
    scaleRow(prow, c, <f32>(1 / e));
  } else {
    // a row of −∞ only has no softmax
    for (j = 0; j < c; j++) store<f32>(prow + (<usize>j << 2), NaN);
  }
  return r - load<f32>(row + (<usize>t << 2)) * scale;
}

// @ts-ignore: decorator
@inline function scaleRow(prow: usize, c: i32, inv: f32): void {
  const vi = f32x4.splat(inv);
  let j = 0;
  for (; j + 4 <= c; j += 4) v128.store(prow + (<usize>j << 2), f32x4.mul(v128.load(prow + (<usize>j << 2)), vi));
  for (; j < c; j++) store<f32>(prow + (<usize>j << 2), load<f32>(prow + (<usize>j << 2)) * inv);
}

// f32_softmax_xent_fwd (c = n) for symmetric logits z = x·xᵀ (selfCrossEntropyLosses): every
// row shifted by one C = max_i max_j scale·z_ij instead of its own maximum m_i, so that the
// terms e^(scale·z_ij − C) are symmetric and only the upper triangle takes e^x (half the
// exps, the bulk of this kernel), the lower one mirrored; each row's sum is its part right of
// the diagonal plus its column above it, gathered in out while the rows go by. A row with
// m_i ≥ C − 16 loses only terms below e^−70 of its largest, as with its own shift (e^x of
// x < −86.6 is 0 in expf4); the other rows (a zero row among unit rows, a small norm under a
// large scale) are redone alone as in f32_softmax_xent_fwd. inv [n]: scratch.
export function f32_softmax_xent_fwd_sym(z: usize, n: i32, scale: f32, targets: usize, p: usize, out: usize, inv: usize): void {
  const ld = <usize>n << 2;
  const vs = f32x4.splat(scale);
  let top: f32 = -Infinity;
  for (let i = 0; i < n; i++) {
    const m = maxScaledRow(z + <usize>i * ld, n, scale, -1);
    store<f32>(inv + (<usize>i << 2), m);
    top = max<f32>(top, m);
  }
  memory.fill(out, 0, ld);
  const vtop = f32x4.splat(top);
  for (let i = 0; i < n; i++) {
    const row = z + <usize>i * ld, prow = p + <usize>i * ld;
    // the terms e^(scale·z_ij − C), j ≥ i, into row i of p, its sum, and each added to out[j]
    // (column j's running sum) after out[i] was read as column i's sum above the diagonal
    let e: f64 = <f64>load<f32>(out + (<usize>i << 2));
    let vsum = f32x4.splat(0);
    let j = i;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const ej = exp4(f32x4.sub(f32x4.mul(v128.load(row + o), vs), vtop));
      v128.store(prow + o, ej);
      vsum = f32x4.add(vsum, ej);
      v128.store(out + o, f32x4.add(v128.load(out + o), ej));
    }
    e += <f64>f32x4.extract_lane(vsum, 0) + <f64>f32x4.extract_lane(vsum, 1) + <f64>f32x4.extract_lane(vsum, 2) + <f64>f32x4.extract_lane(vsum, 3);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const ej = Mathf.exp(load<f32>(row + o) * scale - top);
      store<f32>(prow + o, ej);
      e += ej;
      store<f32>(out + o, load<f32>(out + o) + ej);
    }
    const at = inv + (<usize>i << 2);
    // −1: a row to redo with its own shift (its maximum, kept in inv until here, too far below C)
    const shared = load<f32>(at) >= top - 16;
    store<f32>(at, shared ? <f32>(1 / e) : -1);
    store<f32>(out + (<usize>i << 2), shared ? <f32>(<f64>top + Math.log(e)) - load<f32>(row + (<usize>load<i32>(targets + (<usize>i << 2)) << 2)) * scale : 0);
  }
  mirrorUpper(p, n);
  for (let i = 0; i < n; i++) {
    const row = z + <usize>i * ld, prow = p + <usize>i * ld;
    const r = load<f32>(inv + (<usize>i << 2));
    if (r >= 0) scaleRow(prow, n, r);
    else store<f32>(out + (<usize>i << 2), xentRow(row, prow, n, scale, load<i32>(targets + (<usize>i << 2))));
  }
}

// gz (+)= g_i·scale·(p_i − onehot(t_i)), row by row (p: the forward's softmax rows).
export function f32_softmax_xent_bwd(p: usize, n: i32, c: i32, scale: f32, targets: usize, g: usize, gz: usize, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const off = (<usize>i * <usize>c) << 2;
    const prow = p + off, grow = gz + off;
    const gi = load<f32>(g + (<usize>i << 2)) * scale;
    const vg = f32x4.splat(gi);
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.mul(vg, v128.load(prow + o));
      if (accumulate) v = f32x4.add(v, v128.load(grow + o));
      v128.store(grow + o, v);
    }
    for (; j < c; j++) {
      const o = <usize>j << 2;
      let v: f32 = gi * load<f32>(prow + o);
      if (accumulate) v += load<f32>(grow + o);
      store<f32>(grow + o, v);
    }
    const at = grow + (<usize>load<i32>(targets + (<usize>i << 2)) << 2);
    store<f32>(at, load<f32>(at) - gi);
  }
}

// ---- where ----

// out = mask ≠ 0 ? a : b, elementwise over n
export function f32_where_fwd(mask: usize, a: usize, b: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, v128.bitselect(v128.load(a + o), v128.load(b + o), f32x4.ne(v128.load(mask + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(mask + o) != 0 ? load<f32>(a + o) : load<f32>(b + o));
  }
}

// gx (+)= g where (mask ≠ 0) == side, else 0: side 1 for a's gradient, 0 for b's
export function f32_where_bwd(mask: usize, g: usize, gx: usize, n: i32, side: i32, accumulate: i32): void {
  const zero = f32x4.splat(0);
  const flip = side ? i32x4.splat(0) : i32x4.splat(-1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const sel = v128.xor(f32x4.ne(v128.load(mask + o), zero), flip);
    let v = v128.and(v128.load(g + o), sel);
    if (accumulate) v = f32x4.add(v, v128.load(gx + o));
    v128.store(gx + o, v);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v: f32 = (load<f32>(mask + o) != 0) == (side != 0) ? load<f32>(g + o) : 0;
    if (accumulate) v += load<f32>(gx + o);
    store<f32>(gx + o, v);
  }
}

// ---- comparisons (1 true, 0 false; NaN compares false except under ne, as IEEE) ----

// @ts-ignore: decorator
@inline function vcmp(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case CompareOp.eq: return f32x4.eq(a, b);
    case CompareOp.ne: return f32x4.ne(a, b);
    case CompareOp.gt: return f32x4.gt(a, b);
    case CompareOp.ge: return f32x4.ge(a, b);
    case CompareOp.lt: return f32x4.lt(a, b);
    default: return f32x4.le(a, b);
  }
}

// @ts-ignore: decorator
@inline function scmp(op: i32, a: f32, b: f32): bool {
  switch (op) {
    case CompareOp.eq: return a == b;
    case CompareOp.ne: return a != b;
    case CompareOp.gt: return a > b;
    case CompareOp.ge: return a >= b;
    case CompareOp.lt: return a < b;
    default: return a <= b;
  }
}

// @ts-ignore: decorator
@inline function compareLoop(op: i32, a: usize, b: usize, s: f32, scalar: bool, out: usize, n: i32): void {
  const one = f32x4.splat(1);
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, v128.and(vcmp(op, v128.load(a + o), scalar ? vs : v128.load(b + o)), one));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, scmp(op, load<f32>(a + o), scalar ? s : load<f32>(b + o)) ? 1 : 0);
  }
}

// out[i] = a[i] op b[i]
export function f32_compare(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  switch (op) {
    case CompareOp.eq: compareLoop(CompareOp.eq, a, b, 0, false, out, n); break;
    case CompareOp.ne: compareLoop(CompareOp.ne, a, b, 0, false, out, n); break;
    case CompareOp.gt: compareLoop(CompareOp.gt, a, b, 0, false, out, n); break;
    case CompareOp.ge: compareLoop(CompareOp.ge, a, b, 0, false, out, n); break;
    case CompareOp.lt: compareLoop(CompareOp.lt, a, b, 0, false, out, n); break;
    default: compareLoop(CompareOp.le, a, b, 0, false, out, n);
  }
}

// out[i] = a[i] op s
export function f32_compare_scalar(op: i32, a: usize, s: f32, out: usize, n: i32): void {
  switch (op) {
    case CompareOp.eq: compareLoop(CompareOp.eq, a, 0, s, true, out, n); break;
    case CompareOp.ne: compareLoop(CompareOp.ne, a, 0, s, true, out, n); break;
    case CompareOp.gt: compareLoop(CompareOp.gt, a, 0, s, true, out, n); break;
    case CompareOp.ge: compareLoop(CompareOp.ge, a, 0, s, true, out, n); break;
    case CompareOp.lt: compareLoop(CompareOp.lt, a, 0, s, true, out, n); break;
    default: compareLoop(CompareOp.le, a, 0, s, true, out, n);
  }
}

// Label masks [n, m]: out[i, j] = 1 where labels[i] == refLabels[j] (same 1) or ≠ (same 0),
// and 0 on the diagonal when excludeDiagonal (the batch compared with itself: a sample is
// not its own positive, PML's get_matches_and_diffs). labels int32 [n], refLabels int32 [m].
export function i32_label_mask(labels: usize, n: i32, refLabels: usize, m: i32, same: i32, excludeDiagonal: i32, out: usize): void {
  const one = f32x4.splat(1);
  const flip = same ? i32x4.splat(0) : i32x4.splat(-1);
  for (let i = 0; i < n; i++) {
    const li = load<i32>(labels + (<usize>i << 2));
    const row = out + ((<usize>i * <usize>m) << 2);
    const vl = i32x4.splat(li);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const o = <usize>j << 2;
      v128.store(row + o, v128.and(v128.xor(i32x4.eq(vl, v128.load(refLabels + o)), flip), one));
    }
    if (excludeDiagonal && i < m) store<f32>(row + (<usize>i << 2), 0);
    for (; j < m; j++) {
      const eq = li == load<i32>(refLabels + (<usize>j << 2));
      const on = (same ? eq : !eq) && !(excludeDiagonal && i == j);
      store<f32>(row + (<usize>j << 2), on ? 1 : 0);
    }
  }
}
