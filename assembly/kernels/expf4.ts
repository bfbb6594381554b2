// e^x on four lanes: wasm has no vector exp, and this makes the softmax and logsumexp rows of
// the loss kernels (loss.ts, loss-rows.ts, masked.ts) SIMD. Not a wasm export:
// assembly/index.ts does not re-export this file.
//
// Cephes' expf: n = round(x·log₂e), r = x − n·ln2 (in two parts, so r stays exact), e^r by
// a degree-6 polynomial on |r| ≤ ln2/2, times 2ⁿ built in the exponent bits. Relative error
// ≈ 2 ulp over the range; x > 88.72 gives +∞ like Mathf.exp; x < −86.6 gives 0 (e^x < 3e-38:
// nothing next to the terms these kernels add it to); NaN stays NaN.

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline const OVER: f32 = 88.7228317;
// @ts-ignore: decorator
@inline const UNDER: f32 = -86.6;
// @ts-ignore: decorator
@inline const ROUNDER: f32 = 12582912; // 1.5·2²³

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // pmin/pmax (one instruction each; wasm's min/max take several to order NaN and ±0): a NaN
  // lane passes through both as itself, and e^(±0) is 1 either way
  const c = f32x4.pmax(f32x4.pmin(x, f32x4.splat(OVER)), f32x4.splat(UNDER));
  // n = round-to-nearest-even(c·log₂e) by adding 1.5·2²³: the sum's low mantissa bits are n
  // as an integer, so no float→int conversion is needed for 2ⁿ below
  const t = f32x4.add(f32x4.mul(c, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const n = f32x4.sub(t, f32x4.splat(ROUNDER));
  let r = f32x4.sub(c, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2ⁿ as 2ⁿ⁻¹·2, n in [−125, 128] after the clamp, so that 2ⁿ⁻¹ is a normal float: the
  // exponent field n + 126 is t's bits minus ROUNDER's, plus 126
  const scale = i32x4.shl(i32x4.add(i32x4.sub(t, f32x4.splat(ROUNDER)), i32x4.splat(126)), 23);
  let y = f32x4.mul(f32x4.mul(p, scale), f32x4.splat(2));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(OVER)));
  return v128.andnot(y, f32x4.lt(x, f32x4.splat(UNDER)));
}
