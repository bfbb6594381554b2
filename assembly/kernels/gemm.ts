// GEMM: C[m, n] (+)= op(A) · op(B), row-major, f32.
//   f32_gemm_nn: A [m, k],        B [k, n]
//   f32_gemm_tn: A stored [k, m], B [k, n]        (C = Aᵀ·B, weight gradients)
//   f32_gemm_nt: A [m, k],        B stored [n, k] (C = A·Bᵀ, y = x·Wᵀ)
// accumulate != 0 adds into C (gradient accumulation); otherwise C is overwritten.
// ws: workspace of f32_gemm_workspace_bytes() bytes for packed panels, 16-byte aligned.
// Placeholder: row-axpy loops (correct for every size); the tuned kernels replace it.

export function f32_gemm_workspace_bytes(): i32 {
  return 0;
}

// @ts-ignore: decorator
@inline function rowAxpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

export function f32_gemm_nn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  if (!accumulate) memory.fill(c, 0, (<usize>m * n) << 2);
  for (let i = 0; i < m; i++) {
    const ci = c + ((<usize>i * n) << 2);
    for (let p = 0; p < k; p++) rowAxpy(load<f32>(a + ((<usize>i * k + p) << 2)), b + ((<usize>p * n) << 2), ci, n);
  }
}

export function f32_gemm_tn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  if (!accumulate) memory.fill(c, 0, (<usize>m * n) << 2);
  for (let p = 0; p < k; p++) {
    const bp = b + ((<usize>p * n) << 2);
    for (let i = 0; i < m; i++) rowAxpy(load<f32>(a + ((<usize>p * m + i) << 2)), bp, c + ((<usize>i * n) << 2), n);
  }
}

export function f32_gemm_nt(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  for (let i = 0; i < m; i++) {
    const ai = a + ((<usize>i * k) << 2);
    for (let j = 0; j < n; j++) {
      const bj = b + ((<usize>j * k) << 2);
      let acc = f32x4.splat(0);
      let p = 0;
      for (; p + 4 <= k; p += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(ai + (<usize>p << 2)), v128.load(bj + (<usize>p << 2))));
      let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; p < k; p++) s += load<f32>(ai + (<usize>p << 2)) * load<f32>(bj + (<usize>p << 2));
      const o = c + ((<usize>i * n + j) << 2);
      store<f32>(o, accumulate ? load<f32>(o) + s : s);
    }
  }
}
