// The machine's wasm SIMD limit: 12 independent f32x4 multiply+add chains, no memory
// traffic; f32_peak_madd(iters) does iters × 64 flops. Each chain step x = x·m + a is
// mul→add dependent (≈ 6 cycles without FMA), so 8 chains were latency-bound (≈ 30
// GFLOP/s where the FP pipes give ≈ 46); 12 chains cover the latency and still fit the 15
// xmm registers V8 allocates (14+ chains spill and get slower). With relaxed SIMD, the fused
// relaxed_madd variant. Benchmarks report every kernel as a fraction of what this reaches.

// @ts-ignore: decorator
@inline function step(x: v128, m: v128, a: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, m, a);
  return f32x4.add(f32x4.mul(x, m), a);
}

export function f32_peak_madd(iters: i32, seed: f32): f32 {
  const m = f32x4.splat(0.999999);
  const a = f32x4.splat(1e-7);
  let x0 = f32x4.splat(seed), x1 = f32x4.splat(seed + 1), x2 = f32x4.splat(seed + 2), x3 = f32x4.splat(seed + 3);
  let x4 = f32x4.splat(seed + 4), x5 = f32x4.splat(seed + 5), x6 = f32x4.splat(seed + 6), x7 = f32x4.splat(seed + 7);
  let x8 = f32x4.splat(seed + 8), x9 = f32x4.splat(seed + 9), x10 = f32x4.splat(seed + 10), x11 = f32x4.splat(seed + 11);
  // One chain step is 8 flops, an iteration 8 steps: three iterations = 12 chains × 2 steps.
  let i = 0;
  for (; i + 3 <= iters; i += 3) {
    x0 = step(x0, m, a); x1 = step(x1, m, a); x2 = step(x2, m, a); x3 = step(x3, m, a);
    x4 = step(x4, m, a); x5 = step(x5, m, a); x6 = step(x6, m, a); x7 = step(x7, m, a);
    x8 = step(x8, m, a); x9 = step(x9, m, a); x10 = step(x10, m, a); x11 = step(x11, m, a);
    x0 = step(x0, m, a); x1 = step(x1, m, a); x2 = step(x2, m, a); x3 = step(x3, m, a);
    x4 = step(x4, m, a); x5 = step(x5, m, a); x6 = step(x6, m, a); x7 = step(x7, m, a);
    x8 = step(x8, m, a); x9 = step(x9, m, a); x10 = step(x10, m, a); x11 = step(x11, m, a);
  }
  for (; i < iters; i++) {
    x0 = step(x0, m, a); x1 = step(x1, m, a); x2 = step(x2, m, a); x3 = step(x3, m, a);
    x4 = step(x4, m, a); x5 = step(x5, m, a); x6 = step(x6, m, a); x7 = step(x7, m, a);
  }
  const s0 = f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3));
  const s1 = f32x4.add(f32x4.add(x4, x5), f32x4.add(x6, x7));
  const s2 = f32x4.add(f32x4.add(x8, x9), f32x4.add(x10, x11));
  return f32x4.extract_lane(f32x4.add(f32x4.add(s0, s1), s2), 0);
}

// 1 when this build uses relaxed SIMD, so the runtime can report which build it runs.
export function build_is_relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
