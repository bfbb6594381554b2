// Inlined vector loops shared by the kernel families (f32x4 body, scalar tail). Not part
// of the wasm ABI: assembly/index.ts does not re-export this file.

import { BinaryOp, ConvAct } from '../codes';
import { f32_sum_cols } from './reduce';

// @ts-ignore: decorator
@inline export const ADD: i32 = BinaryOp.add;
// @ts-ignore: decorator
@inline export const SUB: i32 = BinaryOp.sub;
// @ts-ignore: decorator
@inline export const MUL: i32 = BinaryOp.mul;
// @ts-ignore: decorator
@inline export const DIV: i32 = BinaryOp.div;

// The op is a compile-time constant at every call site, so after inlining the branch folds away.
// @ts-ignore: decorator
@inline export function vop(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

// @ts-ignore: decorator
@inline export function sop(op: i32, x: f32, y: f32): f32 {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  return x / y;
}

// @ts-ignore: decorator
@inline export function binary(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, vop(op, v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, sop(op, load<f32>(a + o), load<f32>(b + o)));
  }
}

// dst[0..n) += src[0..n)
// @ts-ignore: decorator
@inline export function addInto(dst: usize, src: usize, n: i32): void { binary(ADD, dst, src, dst, n); }

// out[0..n) = a[0..n) − b[0..n)
// @ts-ignore: decorator
@inline export function subInto(a: usize, b: usize, out: usize, n: i32): void { binary(SUB, a, b, out, n); }

// mu = mean of the rows of y; xc = x − mu, yc = y − mu (row-wise). x [n, d], y [m, d].
// Distances are translation invariant; centring makes the norms in the GEMM expansion
// measure the spread of the data rather than its offset from the origin.
export function centreRows(x: usize, y: usize, xc: usize, yc: usize, mu: usize, n: i32, m: i32, d: i32): void {
  f32_sum_cols(y, mu, m, d, 0);
  const inv: f32 = m > 0 ? <f32>1 / <f32>m : 0;
  for (let p = 0; p < d; p++) store<f32>(mu + (<usize>p << 2), load<f32>(mu + (<usize>p << 2)) * inv);
  subRows(x, mu, xc, 0, n, d);
  subRows(y, mu, yc, 0, m, d);
}

// out[i] = a[i] − mu for rows i0..i1; a, out [·, d] (the distance kernels' centring; the
// threaded Mahalanobis kernel gives each thread a range of rows).
// @ts-ignore: decorator
@inline export function subRows(a: usize, mu: usize, out: usize, i0: i32, i1: i32, d: i32): void {
  for (let i = i0; i < i1; i++) {
    const off = (<usize>i * d) << 2;
    let p = 0;
    for (; p + 4 <= d; p += 4) {
      const o = <usize>p << 2;
      v128.store(out + off + o, f32x4.sub(v128.load(a + off + o), v128.load(mu + o)));
    }
    for (; p < d; p++) {
      const o = <usize>p << 2;
      store<f32>(out + off + o, load<f32>(a + off + o) - load<f32>(mu + o));
    }
  }
}

// A conv epilogue's activation (ConvAct) on four lanes and on one value: max/min propagate
// NaN, as torch's relu and relu6 do. The lanes take pmax/pmin (one instruction each; V8 spends
// about eight on wasm's max/min to order NaN and ±0) in the order that passes a NaN through
// (pmax(v, 0) = v < 0 ? 0 : v), then + 0 to make a −0 +0: the same bits as max/min for every
// input. ReLU6 cost 20-27% of MobileNetV2's 1×1 expansions and depthwise convs at batch 32.
// @ts-ignore: decorator
@inline export function convActV(v: v128, act: i32): v128 {
  const zero = f32x4.splat(0);
  if (act == ConvAct.relu) return f32x4.add(f32x4.pmax(v, zero), zero);
  if (act == ConvAct.relu6) return f32x4.add(f32x4.pmin(f32x4.pmax(v, zero), f32x4.splat(6)), zero);
  return v;
}
// @ts-ignore: decorator
@inline export function convActS(v: f32, act: i32): f32 {
  if (act == ConvAct.relu) return max(v, <f32>0);
  if (act == ConvAct.relu6) return min(max(v, <f32>0), <f32>6);
  return v;
}

// max_{j ≠ skip} s·row[j] over m columns (skip −1: every column): the shift of the softmax
// rows of the loss kernels (masked.ts, loss-rows.ts). −∞ for no column.
export function maxScaledRow(row: usize, m: i32, s: f32, skip: i32): f32 {
  const vs = f32x4.splat(s), ninf = f32x4.splat(-Infinity), four = i32x4.splat(4), vi = i32x4.splat(skip);
  let vmax = ninf;
  let jv = i32x4(0, 1, 2, 3);
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    // pmax (one instruction) drops a NaN here; the sums after it still turn it into NaN
    vmax = f32x4.pmax(vmax, v128.bitselect(f32x4.mul(v128.load(row + (<usize>j << 2)), vs), ninf, i32x4.ne(jv, vi)));
    jv = i32x4.add(jv, four);
  }
  let top = max<f32>(max<f32>(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max<f32>(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  for (; j < m; j++) if (j != skip) top = max<f32>(top, load<f32>(row + (<usize>j << 2)) * s);
  return top;
}
