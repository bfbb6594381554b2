// The machine's wasm SIMD limit: 8 independent f32x4 multiply+add chains, no memory
// traffic. Each iteration does 8 × 4 × 2 = 64 flops. Benchmarks report every kernel as a
// fraction of what this reaches. With relaxed SIMD, the fused relaxed_madd variant.
export function f32_peak_madd(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(0.999999);
  const a = f32x4.splat(1e-7);
  let x0 = f32x4.splat(seed), x1 = f32x4.splat(seed + 1), x2 = f32x4.splat(seed + 2), x3 = f32x4.splat(seed + 3);
  let x4 = f32x4.splat(seed + 4), x5 = f32x4.splat(seed + 5), x6 = f32x4.splat(seed + 6), x7 = f32x4.splat(seed + 7);
  for (let i = 0; i < iters; i++) {
    if (ASC_FEATURE_RELAXED_SIMD) {
      x0 = f32x4.relaxed_madd(x0, m, a); x1 = f32x4.relaxed_madd(x1, m, a);
      x2 = f32x4.relaxed_madd(x2, m, a); x3 = f32x4.relaxed_madd(x3, m, a);
      x4 = f32x4.relaxed_madd(x4, m, a); x5 = f32x4.relaxed_madd(x5, m, a);
      x6 = f32x4.relaxed_madd(x6, m, a); x7 = f32x4.relaxed_madd(x7, m, a);
    } else {
      x0 = f32x4.add(f32x4.mul(x0, m), a); x1 = f32x4.add(f32x4.mul(x1, m), a);
      x2 = f32x4.add(f32x4.mul(x2, m), a); x3 = f32x4.add(f32x4.mul(x3, m), a);
      x4 = f32x4.add(f32x4.mul(x4, m), a); x5 = f32x4.add(f32x4.mul(x5, m), a);
      x6 = f32x4.add(f32x4.mul(x6, m), a); x7 = f32x4.add(f32x4.mul(x7, m), a);
    }
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(x4, x5), f32x4.add(x6, x7)));
  return f32x4.extract_lane(s, 0);
}

// 1 when this build uses relaxed SIMD, so the runtime can report which build it runs.
export function build_is_relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
