// Row-pair reductions shared by the distance kernels and the streaming top-k scan: one row
// against one row, f32x4 body and scalar tail, with the float64 redo where a float32 sum of
// squares left its exact range. Not part of the wasm ABI: assembly/index.ts does not
// re-export this file.

// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Σ (a[p] − b[p])², exact in the sense that the difference is taken before squaring.
// @ts-ignore: decorator
@inline export function sqDiff(a: usize, b: usize, d: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d; p += 8) {
    const o = <usize>p << 2;
    const v0 = f32x4.sub(v128.load(a + o), v128.load(b + o));
    const v1 = f32x4.sub(v128.load(a + o, 16), v128.load(b + o, 16));
    s0 = madd(v0, v0, s0);
    s1 = madd(v1, v1, s1);
  }
  for (; p + 4 <= d; p += 4) {
    const o = <usize>p << 2;
    const v = f32x4.sub(v128.load(a + o), v128.load(b + o));
    s0 = madd(v, v, s0);
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; p < d; p++) {
    const v = load<f32>(a + (<usize>p << 2)) - load<f32>(b + (<usize>p << 2));
    s += v * v;
  }
  return s;
}

// A float32 sum of squares is exact to rounding only between these bounds: above F32_MAX
// it overflowed, below TINY its terms may have been subnormal or flushed to zero
// (|v| < 1e-19 squares below the normal range). Outside them the sum is redone in float64,
// where every square of a float32 is exact and in range (as BLAS nrm2 scales, in effect).
// @ts-ignore: decorator
@inline export const TINY: f32 = 7.888609052210118e-31; // 2^-100
// @ts-ignore: decorator
@inline export const F32_MAX: f32 = 3.4028234663852886e38;

// @ts-ignore: decorator
@inline export function inRange(s: f32): bool {
  return s >= TINY && s <= F32_MAX;
}

// Σ (a[p] − b[p])² in float64; root: its square root. Rounded once to f32 (Infinity when the
// result is beyond float32, which the caller reports).
export function sqDiff64(a: usize, b: usize, d: i32, root: bool): f32 {
  let s: f64 = 0;
  for (let p = 0; p < d; p++) {
    const v = <f64>load<f32>(a + (<usize>p << 2)) - <f64>load<f32>(b + (<usize>p << 2));
    s += v * v;
  }
  return <f32>(root ? Math.sqrt(s) : s);
}

// ‖a − b‖ (root) or ‖a − b‖²: float32 SIMD, redone in float64 when out of range.
// @ts-ignore: decorator
@inline export function l2Diff(a: usize, b: usize, d: i32, root: bool): f32 {
  const s = sqDiff(a, b, d);
  if (inRange(s)) return root ? sqrt<f32>(s) : s;
  return sqDiff64(a, b, d, root);
}

// Σ |a[p] − b[p]|
// @ts-ignore: decorator
@inline export function absDiff(a: usize, b: usize, d: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d; p += 8) {
    const o = <usize>p << 2;
    s0 = f32x4.add(s0, f32x4.abs(f32x4.sub(v128.load(a + o), v128.load(b + o))));
    s1 = f32x4.add(s1, f32x4.abs(f32x4.sub(v128.load(a + o, 16), v128.load(b + o, 16))));
  }
  for (; p + 4 <= d; p += 4) {
    const o = <usize>p << 2;
    s0 = f32x4.add(s0, f32x4.abs(f32x4.sub(v128.load(a + o), v128.load(b + o))));
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; p < d; p++) s += abs<f32>(load<f32>(a + (<usize>p << 2)) - load<f32>(b + (<usize>p << 2)));
  return s;
}

// (Σ |a[p] − b[p]|^p)^(1/p) as t·(Σ (|a[p] − b[p]|/t)^p)^(1/p), t = max |a − b|: every power
// is of a value in [0, 1], so none overflows or underflows what matters. No SIMD pow: scalar.
// @ts-ignore: decorator
@inline export function lpDiff(a: usize, b: usize, d: i32, p: f32, bStride: i32 = 1): f32 {
  let t: f32 = 0;
  for (let q = 0; q < d; q++) t = max<f32>(t, abs<f32>(load<f32>(a + (<usize>q << 2)) - load<f32>(b + (<usize>(q * bStride) << 2))));
  if (t == 0 || t == Infinity) return t;
  const inv: f32 = 1 / t;
  let s: f32 = 0;
  if (inv == Infinity) {
    // t subnormal: 1 / t overflows, divide instead
    for (let q = 0; q < d; q++) s += Mathf.pow(abs<f32>(load<f32>(a + (<usize>q << 2)) - load<f32>(b + (<usize>(q * bStride) << 2))) / t, p);
  } else {
    for (let q = 0; q < d; q++) s += Mathf.pow(abs<f32>(load<f32>(a + (<usize>q << 2)) - load<f32>(b + (<usize>(q * bStride) << 2))) * inv, p);
  }
  return t * Mathf.pow(s, 1 / p);
}

// Σ a[p] · b[p]
// @ts-ignore: decorator
@inline export function dot(a: usize, b: usize, d: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= d; p += 8) {
    const o = <usize>p << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
    s1 = madd(v128.load(a + o, 16), v128.load(b + o, 16), s1);
  }
  for (; p + 4 <= d; p += 4) {
    const o = <usize>p << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; p < d; p++) s += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  return s;
}
