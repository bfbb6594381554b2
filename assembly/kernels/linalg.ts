// Dense symmetric positive-definite linear algebra for Mahalanobis.fromData: Cholesky
// factorisation and the inverse through it. d is small (an embedding size), so these are
// plain loops; they run in f64 (in the caller's workspace) because a covariance inverse
// amplifies rounding by its condition number.
//
// Singularity: pivot k fails when it is ≤ relTol · A[k, k] — the share of feature k's
// variance not explained by the features before it. That is scale-free: anisotropic but
// independent features pass, a (numerically) collinear or constant feature fails.

// L (f64, lower, row-major [d, d]) with A = L·Lᵀ. Returns −1, or the failing pivot's index.
// @ts-ignore: decorator
@inline function choleskyF64(a: usize, L: usize, d: i32, relTol: f64): i32 {
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < j; i++) store<f64>(L + ((<usize>i * d + j) << 3), 0);
    let s = <f64>load<f32>(a + ((<usize>j * d + j) << 2));
    const ajj = s;
    for (let k = 0; k < j; k++) {
      const v = load<f64>(L + ((<usize>j * d + k) << 3));
      s -= v * v;
    }
    if (!(s > relTol * ajj) || !(ajj > 0)) return j;
    const ljj = Math.sqrt(s);
    store<f64>(L + ((<usize>j * d + j) << 3), ljj);
    for (let i = j + 1; i < d; i++) {
      let t = <f64>load<f32>(a + ((<usize>i * d + j) << 2));
      for (let k = 0; k < j; k++) t -= load<f64>(L + ((<usize>i * d + k) << 3)) * load<f64>(L + ((<usize>j * d + k) << 3));
      store<f64>(L + ((<usize>i * d + j) << 3), t / ljj);
    }
  }
  return -1;
}

// l = cholesky(a) as f32 (lower triangle, zeros above). a [d, d] symmetric (the lower
// triangle is read); ws: 8·d² bytes. Returns −1, or the index of the failing pivot.
export function f32_cholesky(a: usize, l: usize, d: i32, relTol: f64, ws: usize): i32 {
  const r = choleskyF64(a, ws, d, relTol);
  if (r >= 0) return r;
  for (let i = 0; i < d * d; i++) store<f32>(l + (<usize>i << 2), <f32>load<f64>(ws + (<usize>i << 3)));
  return -1;
}

// out = a⁻¹ for symmetric positive-definite a [d, d], as L⁻ᵀ·L⁻¹ (exactly symmetric).
// ws: 16·d² bytes. Returns −1, or the index of the failing pivot (out untouched).
export function f32_spd_inverse(a: usize, out: usize, d: i32, relTol: f64, ws: usize): i32 {
  const L = ws, W = ws + ((<usize>d * d) << 3);
  const r = choleskyF64(a, L, d, relTol);
  if (r >= 0) return r;
  // W = L⁻¹ (lower) by forward substitution on the columns of I.
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) {
      if (i < j) {
        store<f64>(W + ((<usize>i * d + j) << 3), 0);
        continue;
      }
      let t: f64 = i == j ? 1 : 0;
      for (let k = j; k < i; k++) t -= load<f64>(L + ((<usize>i * d + k) << 3)) * load<f64>(W + ((<usize>k * d + j) << 3));
      store<f64>(W + ((<usize>i * d + j) << 3), t / load<f64>(L + ((<usize>i * d + i) << 3)));
    }
  }
  // out[i, j] = Σ_k W[k, i] W[k, j], k ≥ max(i, j)
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s: f64 = 0;
      for (let k = i; k < d; k++) s += load<f64>(W + ((<usize>k * d + i) << 3)) * load<f64>(W + ((<usize>k * d + j) << 3));
      store<f32>(out + ((<usize>i * d + j) << 2), <f32>s);
      store<f32>(out + ((<usize>j * d + i) << 2), <f32>s);
    }
  }
  return -1;
}
