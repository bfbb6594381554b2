// The float64 GEMM tile of f64-linalg.ts. Internal to the kernels (assembly/index.ts does not
// re-export this module).
//
// Every C[i, j] is accumulated over p in ascending order (p = 0, 1, …, k − 1),
// one rounded multiply and one rounded add per term, starting from +0 (or C): bit for bit the
// naive float64 loop `s += a[i, p]·b[p, j]`. The SIMD lanes run over j, never over p.

// Rows i0..i0+3 of C [m, n] (ldc n) += A(i, p)·B[p, j] over p < k, where A(i, p) sits at
// a + (i·sai + p·sap)·8: (sai, sap) = (k, 1) for A [m, k], (1, m) for Aᵀ with A [k, m].
// @ts-ignore: decorator
@inline export function rows4(a: usize, sai: usize, sap: usize, b: usize, c: usize, i0: usize, k: i32, n: i32, accumulate: bool): void {
  const a0 = a + ((i0 * sai) << 3), a1 = a0 + (sai << 3), a2 = a1 + (sai << 3), a3 = a2 + (sai << 3);
  const c0 = c + ((i0 * <usize>n) << 3), c1 = c0 + (<usize>n << 3), c2 = c1 + (<usize>n << 3), c3 = c2 + (<usize>n << 3);
  const ldb = <usize>n << 3, step = sap << 3;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const jo = <usize>j << 3;
    let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
    let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
    if (accumulate) {
      s00 = v128.load(c0 + jo); s01 = v128.load(c0 + jo, 16);
      s10 = v128.load(c1 + jo); s11 = v128.load(c1 + jo, 16);
      s20 = v128.load(c2 + jo); s21 = v128.load(c2 + jo, 16);
      s30 = v128.load(c3 + jo); s31 = v128.load(c3 + jo, 16);
    }
    for (let p: usize = 0; p < <usize>k; p++) {
      const pa = p * step, pb = b + p * ldb + jo;
      const v0 = load<f64>(a0 + pa), v1 = load<f64>(a1 + pa), v2 = load<f64>(a2 + pa), v3 = load<f64>(a3 + pa);
      // four zero A values add nothing (sparse factors skip their zero steps)
      if (v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0) continue;
      const b0 = v128.load(pb), b1 = v128.load(pb, 16);
      const x0 = f64x2.splat(v0), x1 = f64x2.splat(v1), x2 = f64x2.splat(v2), x3 = f64x2.splat(v3);
      s00 = f64x2.add(s00, f64x2.mul(x0, b0)); s01 = f64x2.add(s01, f64x2.mul(x0, b1));
      s10 = f64x2.add(s10, f64x2.mul(x1, b0)); s11 = f64x2.add(s11, f64x2.mul(x1, b1));
      s20 = f64x2.add(s20, f64x2.mul(x2, b0)); s21 = f64x2.add(s21, f64x2.mul(x2, b1));
      s30 = f64x2.add(s30, f64x2.mul(x3, b0)); s31 = f64x2.add(s31, f64x2.mul(x3, b1));
    }
    v128.store(c0 + jo, s00); v128.store(c0 + jo, s01, 16);
    v128.store(c1 + jo, s10); v128.store(c1 + jo, s11, 16);
    v128.store(c2 + jo, s20); v128.store(c2 + jo, s21, 16);
    v128.store(c3 + jo, s30); v128.store(c3 + jo, s31, 16);
  }
  for (; j < n; j++) {
    const jo = <usize>j << 3;
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    if (accumulate) {
      s0 = load<f64>(c0 + jo); s1 = load<f64>(c1 + jo); s2 = load<f64>(c2 + jo); s3 = load<f64>(c3 + jo);
    }
    for (let p: usize = 0; p < <usize>k; p++) {
      const pa = p * step, y = load<f64>(b + p * ldb + jo);
      s0 += load<f64>(a0 + pa) * y; s1 += load<f64>(a1 + pa) * y;
      s2 += load<f64>(a2 + pa) * y; s3 += load<f64>(a3 + pa) * y;
    }
    store<f64>(c0 + jo, s0); store<f64>(c1 + jo, s1); store<f64>(c2 + jo, s2); store<f64>(c3 + jo, s3);
  }
}

// Row i of C as rows4 does it, for the last m mod 4 rows.
// @ts-ignore: decorator
@inline export function row1(a: usize, sai: usize, sap: usize, b: usize, c: usize, i: usize, k: i32, n: i32, accumulate: bool): void {
  const a0 = a + ((i * sai) << 3), c0 = c + ((i * <usize>n) << 3);
  const ldb = <usize>n << 3, step = sap << 3;
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const jo = <usize>j << 3;
    let s = accumulate ? v128.load(c0 + jo) : f64x2.splat(0);
    for (let p: usize = 0; p < <usize>k; p++) {
      s = f64x2.add(s, f64x2.mul(f64x2.splat(load<f64>(a0 + p * step)), v128.load(b + p * ldb + jo)));
    }
    v128.store(c0 + jo, s);
  }
  for (; j < n; j++) {
    const jo = <usize>j << 3;
    let s: f64 = accumulate ? load<f64>(c0 + jo) : 0;
    for (let p: usize = 0; p < <usize>k; p++) {
      s += load<f64>(a0 + p * step) * load<f64>(b + p * ldb + jo);
    }
    store<f64>(c0 + jo, s);
  }
}

// C [m, n] (+)= A·B over all p, A(i, p) at a + (i·sai + p·sap)·8.
// @ts-ignore: decorator
@inline export function gemm(a: usize, sai: usize, sap: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) rows4(a, sai, sap, b, c, <usize>i, k, n, accumulate);
  for (; i < m; i++) row1(a, sai, sap, b, c, <usize>i, k, n, accumulate);
}
