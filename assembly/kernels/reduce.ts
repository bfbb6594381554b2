// Reductions over f32 buffers. Sums keep 16 independent f32 partial sums (four f32x4
// accumulators) so the add latency chain is hidden and rounding error grows slowly.

import { addInto } from './vec';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// sum of x[0..n). Blocks of 1024 are summed in f32 lanes and the block sums added in f64,
// so the error stays near 64·u·Σ|x| however long x is (a mean over a million elements
// keeps ~6 digits, close to PyTorch's cascade sum).
export function f32_sum(x: usize, n: i32): f32 {
  let total: f64 = 0;
  for (let i = 0; i < n; i += 1024) total += <f64>sumBlock(x + (<usize>i << 2), min(1024, n - i));
  return <f32>total;
}

// @ts-ignore: decorator
@inline function sumBlock(x: usize, n: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    s0 = f32x4.add(s0, v128.load(p));
    s1 = f32x4.add(s1, v128.load(p, 16));
    s2 = f32x4.add(s2, v128.load(p, 32));
    s3 = f32x4.add(s3, v128.load(p, 48));
  }
  for (; i + 4 <= n; i += 4) s0 = f32x4.add(s0, v128.load(x + (<usize>i << 2)));
  let s = hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
  for (; i < n; i++) s += load<f32>(x + (<usize>i << 2));
  return s;
}

// out[i] (+)= sum_j x[i, j]; x [n, d]
export function f32_sum_rows(x: usize, out: usize, n: i32, d: i32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const s = f32_sum(x + ((<usize>i * d) << 2), d);
    const o = out + (<usize>i << 2);
    store<f32>(o, accumulate ? load<f32>(o) + s : s);
  }
}

// out[j] (+)= sum_i x[i, j]; x [n, d]. The bias gradient of a dense layer.
export function f32_sum_cols(x: usize, out: usize, n: i32, d: i32, accumulate: i32): void {
  if (!accumulate) memory.fill(out, 0, <usize>d << 2);
  for (let i = 0; i < n; i++) {
    addInto(out, x + ((<usize>i * d) << 2), d);
  }
}

// out[i] = sqrt(sum_j x[i, j]^2); x [n, d]
export function f32_l2norm_rows(x: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    const row = x + ((<usize>i * d) << 2);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    let j = 0;
    for (; j + 8 <= d; j += 8) {
      const a = v128.load(row + (<usize>j << 2));
      const b = v128.load(row + (<usize>j << 2), 16);
      s0 = f32x4.add(s0, f32x4.mul(a, a));
      s1 = f32x4.add(s1, f32x4.mul(b, b));
    }
    for (; j + 4 <= d; j += 4) {
      const a = v128.load(row + (<usize>j << 2));
      s0 = f32x4.add(s0, f32x4.mul(a, a));
    }
    let s = hsum(f32x4.add(s0, s1));
    for (; j < d; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      s += v * v;
    }
    // Out of range the float32 sum of squares overflowed or lost subnormal terms (|x| beyond
    // about 1e19 or below 1e-19): redo the row in float64, where every square is exact.
    if (!(s >= 7.888609052210118e-31 && s <= 3.4028234663852886e38)) {
      let s64: f64 = 0;
      for (let k = 0; k < d; k++) {
        const v = <f64>load<f32>(row + (<usize>k << 2));
        s64 += v * v;
      }
      store<f32>(out + (<usize>i << 2), <f32>Math.sqrt(s64));
      continue;
    }
    store<f32>(out + (<usize>i << 2), sqrt<f32>(s));
  }
}

// Row-wise L2 normalisation as torch.nn.functional.normalize: y = x / max(‖x‖, eps).
// norms[i] = max(‖x_i‖, eps) is kept for the backward pass. x, y [n, d]; y may alias x.
export function f32_l2normalize_fwd(x: usize, y: usize, norms: usize, n: i32, d: i32, eps: f32): void {
  f32_l2norm_rows(x, norms, n, d);
  for (let i = 0; i < n; i++) {
    const r = max<f32>(load<f32>(norms + (<usize>i << 2)), eps);
    store<f32>(norms + (<usize>i << 2), r);
    const off = (<usize>i * d) << 2;
    const inv = f32x4.splat(1 / r);
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = off + (<usize>j << 2);
      v128.store(y + o, f32x4.mul(v128.load(x + o), inv));
    }
    for (; j < d; j++) {
      const o = off + (<usize>j << 2);
      store<f32>(y + o, load<f32>(x + o) / r);
    }
  }
}

// gx (+)= (g − y·(y·g)) / r where ‖x‖ > eps; where the norm was clamped to eps the map is
// x / eps, linear, so gx (+)= g / eps (PyTorch's convention, finite for a zero vector).
export function f32_l2normalize_bwd(y: usize, g: usize, norms: usize, gx: usize, n: i32, d: i32, eps: f32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const r = load<f32>(norms + (<usize>i << 2));
    const off = (<usize>i * d) << 2;
    let dot: f32 = 0;
    if (r > eps) {
      let acc = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= d; j += 4) {
        const o = off + (<usize>j << 2);
        acc = f32x4.add(acc, f32x4.mul(v128.load(y + o), v128.load(g + o)));
      }
      dot = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; j < d; j++) {
        const o = off + (<usize>j << 2);
        dot += load<f32>(y + o) * load<f32>(g + o);
      }
    }
    const inv: f32 = 1 / r;
    const vdot = f32x4.splat(dot), vinv = f32x4.splat(inv);
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = off + (<usize>j << 2);
      let v = f32x4.mul(f32x4.sub(v128.load(g + o), f32x4.mul(v128.load(y + o), vdot)), vinv);
      if (accumulate) v = f32x4.add(v, v128.load(gx + o));
      v128.store(gx + o, v);
    }
    for (; j < d; j++) {
      const o = off + (<usize>j << 2);
      let v = (load<f32>(g + o) - load<f32>(y + o) * dot) * inv;
      if (accumulate) v += load<f32>(gx + o);
      store<f32>(gx + o, v);
    }
  }
}

// Cumulative sums along each row: out[i, j] (+)= Σ_{j' ≤ j} x[i, j'] (reverse 0), or
// Σ_{j' ≥ j} (reverse 1). The reverse sum is the backward of the forward one (and vice
// versa), so this one kernel is both directions of cumsumRows. x, out [n, m]; the running
// sum is f64 so long rows keep float32 accuracy. out may alias x when accumulate is 0.
export function f32_cumsum_rows(x: usize, out: usize, n: i32, m: i32, reverse: i32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const row = (<usize>i * <usize>m) << 2;
    let s: f64 = 0;
    for (let t = 0; t < m; t++) {
      const j = reverse ? m - 1 - t : t;
      const at = row + (<usize>j << 2);
      s += <f64>load<f32>(x + at);
      store<f32>(out + at, accumulate ? load<f32>(out + at) + <f32>s : <f32>s);
    }
  }
}
