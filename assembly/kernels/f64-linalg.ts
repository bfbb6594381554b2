// Float64 dense kernels for the classic metric learners' n-sized products (LMNN, LFDA, MMC):
// GEMM in the nn and tn forms, squared distances of indexed row pairs, and the product of a
// weighted pair graph's Laplacian with X (the outer-product sums LMNN's gradient needs).
// Row-major f64, no alignment needed; every size works (f64x2 body, scalar tails).
//
// The GEMMs accumulate every C[i, j] over p = 0, 1, …, k − 1 in order, one rounded multiply
// and one rounded add per term, starting from +0 (or C): bit for bit the naive float64 loop
// `s += a[i, p]·b[p, j]`. The SIMD lanes run over j, never over p, so LFDA's distances (whose
// rounding decides where a partition puts near-ties) come out as the plain JS loop had them.

import { gemm } from './f64-tile';

// @ts-ignore: decorator
@inline function F(p: usize, i: usize): usize {
  return p + (i << 3);
}

// c [m, n] = a [m, k] · b [k, n] (+ c when accumulate ≠ 0). k = 0 gives zeros (or c).
export function f64_gemm_nn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  gemm(a, <usize>k, 1, b, c, m, k, n, accumulate != 0);
}

// c [m, n] = aᵀ · b (+ c when accumulate ≠ 0) for a [k, m], b [k, n].
export function f64_gemm_tn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  gemm(a, 1, <usize>m, b, c, m, k, n, accumulate != 0);
}

// out[p] = Σ_t (x[ia[p], t] − x[ib[p], t])² for m index pairs into x [·, d]; ia, ib i32.
// The difference is taken before squaring (no cancellation); f64x2 over t.
export function f64_sqdist_pairs(x: usize, ia: usize, ib: usize, out: usize, m: i32, d: i32): void {
  const row = <usize>d << 3;
  for (let p = 0; p < m; p++) {
    const xa = x + <usize>load<i32>(ia + (<usize>p << 2)) * row;
    const xb = x + <usize>load<i32>(ib + (<usize>p << 2)) * row;
    let acc = f64x2.splat(0);
    let t = 0;
    for (; t + 2 <= d; t += 2) {
      const v = f64x2.sub(v128.load(F(xa, t)), v128.load(F(xb, t)));
      acc = f64x2.add(acc, f64x2.mul(v, v));
    }
    let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (t < d) {
      const v = load<f64>(F(xa, t)) - load<f64>(F(xb, t));
      s += v * v;
    }
    store<f64>(F(out, p), s);
  }
}

// out [·, d] += S·x for the Laplacian S = Σ_p w[p]·(e_ia − e_ib)(e_ia − e_ib)ᵀ of a weighted
// graph of m index pairs: out[ia] += w·(x_ia − x_ib), out[ib] −= w·(x_ia − x_ib). Then
// xᵀ·out = Σ_p w[p]·(x_ia − x_ib)(x_ia − x_ib)ᵀ at O(m·d) + one GEMM instead of O(m·d²).
// A pair with ia = ib contributes nothing. out must not alias x.
export function f64_pair_laplacian_mul(x: usize, ia: usize, ib: usize, w: usize, out: usize, m: i32, d: i32): void {
  const row = <usize>d << 3;
  for (let p = 0; p < m; p++) {
    const a = <usize>load<i32>(ia + (<usize>p << 2)) * row, b = <usize>load<i32>(ib + (<usize>p << 2)) * row;
    const wp = load<f64>(F(w, p));
    const ww = f64x2.splat(wp);
    const xa = x + a, xb = x + b, oa = out + a, ob = out + b;
    let t = 0;
    for (; t + 2 <= d; t += 2) {
      const v = f64x2.mul(ww, f64x2.sub(v128.load(F(xa, t)), v128.load(F(xb, t))));
      v128.store(F(oa, t), f64x2.add(v128.load(F(oa, t)), v));
      v128.store(F(ob, t), f64x2.sub(v128.load(F(ob, t)), v));
    }
    if (t < d) {
      const v = wp * (load<f64>(F(xa, t)) - load<f64>(F(xb, t)));
      store<f64>(F(oa, t), load<f64>(F(oa, t)) + v);
      store<f64>(F(ob, t), load<f64>(F(ob, t)) - v);
    }
  }
}

// e^x lane-wise for x ≤ 0 (f64x2): x = k·ln2 + r, |r| ≤ ln2/2, e^r by its Taylor series to
// r¹³ (truncation < 2e-17), 2^k added to the exponent bits (k read from the low mantissa bits
// of x·log2e + 1.5·2⁵²). About 2 ulp. Below −707 the result is 0 (e^x < 1e-307 there;
// the clamp keeps 2^k normal).
// @ts-ignore: decorator
@inline function expNonPositive(x: v128): v128 {
  const tiny = f64x2.lt(x, f64x2.splat(-707));
  const xc = f64x2.max(x, f64x2.splat(-707));
  const t = f64x2.add(f64x2.mul(xc, f64x2.splat(1.4426950408889634)), f64x2.splat(6755399441055744.0));
  const kf = f64x2.sub(t, f64x2.splat(6755399441055744.0));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(kf, f64x2.splat(6.93147180369123816490e-1))), f64x2.mul(kf, f64x2.splat(1.90821492927058770002e-10)));
  let p = f64x2.splat(1.0 / 6227020800.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 479001600.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const y = i64x2.add(p, i64x2.shl(t, 52));
  return v128.andnot(y, tiny);
}

// LFDA's local-scaling heat kernel: a[i, j] = exp(−dist[i, j] / (σᵢσⱼ)), 0 where σᵢσⱼ = 0;
// colSum[j] = Σᵢ a[i, j] (over i in order). dist ≥ 0, a [n, n]; sigma, colSum [n]. a may alias dist.
export function f64_heat_affinity(dist: usize, sigma: usize, a: usize, colSum: usize, n: i32): void {
  for (let j = 0; j < n; j++) store<f64>(F(colSum, j), 0);
  const zero = f64x2.splat(0);
  for (let i = 0; i < n; i++) {
    const si = load<f64>(F(sigma, i));
    const sv = f64x2.splat(si);
    const row = <usize>i * n;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const s = f64x2.mul(sv, v128.load(F(sigma, j)));
      // 0/0 lanes (σᵢσⱼ = 0) are masked to 0 after the division
      const e = v128.andnot(expNonPositive(f64x2.div(f64x2.neg(v128.load(F(dist, row + j))), s)), f64x2.eq(s, zero));
      v128.store(F(a, row + j), e);
      v128.store(F(colSum, j), f64x2.add(v128.load(F(colSum, j)), e));
    }
    for (; j < n; j++) {
      const s = si * load<f64>(F(sigma, j));
      const v = s == 0 ? 0 : Math.exp(-load<f64>(F(dist, row + j)) / s);
      store<f64>(F(a, row + j), v);
      store<f64>(F(colSum, j), load<f64>(F(colSum, j)) + v);
    }
  }
}

// Squared distances as scikit-learn's euclidean_distances forms them, for X against itself:
// out[i, j] = max(0, (−2·xᵢ·xⱼ + ‖xᵢ‖²) + ‖xⱼ‖²), 0 on the diagonal, with every dot product
// and norm summed over t in order (the plain loop's rounding, which LFDA's partition sees).
// Each dot product is formed once and gives both out[i, j] and out[j, i] (rounded apart as
// scikit-learn leaves them). x [n, d], xt = xᵀ [d, n], sq [n] (written: the norms), out [n, n].
// @ts-ignore: decorator
@inline function putPair(out: usize, sq: usize, n: i32, i: i32, j: i32, dot: f64): void {
  const m2 = -2 * dot;
  const si = load<f64>(F(sq, i)), sj = load<f64>(F(sq, j));
  const a = m2 + si + sj, b = m2 + sj + si;
  store<f64>(F(out, <usize>i * n + j), a > 0 ? a : 0);
  store<f64>(F(out, <usize>j * n + i), b > 0 ? b : 0);
}

export function f64_sqdist_gram(x: usize, xt: usize, sq: usize, out: usize, n: i32, d: i32): void {
  for (let i = 0; i < n; i++) {
    let s: f64 = 0;
    for (let t = 0; t < d; t++) {
      const v = load<f64>(F(x, <usize>i * d + t));
      s += v * v;
    }
    store<f64>(F(sq, i), s);
  }
  const ldt = <usize>n << 3;
  let i0 = 0;
  for (; i0 + 4 <= n; i0 += 4) {
    const a0 = x + ((<usize>i0 * d) << 3), a1 = a0 + (<usize>d << 3), a2 = a1 + (<usize>d << 3), a3 = a2 + (<usize>d << 3);
    let j = i0;
    for (; j + 4 <= n; j += 4) {
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
      let pb = xt + (<usize>j << 3), pa: usize = 0;
      for (let p = 0; p < d; p++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        const x0 = f64x2.splat(load<f64>(a0 + pa)), x1 = f64x2.splat(load<f64>(a1 + pa));
        const x2 = f64x2.splat(load<f64>(a2 + pa)), x3 = f64x2.splat(load<f64>(a3 + pa));
        s00 = f64x2.add(s00, f64x2.mul(x0, b0)); s01 = f64x2.add(s01, f64x2.mul(x0, b1));
        s10 = f64x2.add(s10, f64x2.mul(x1, b0)); s11 = f64x2.add(s11, f64x2.mul(x1, b1));
        s20 = f64x2.add(s20, f64x2.mul(x2, b0)); s21 = f64x2.add(s21, f64x2.mul(x2, b1));
        s30 = f64x2.add(s30, f64x2.mul(x3, b0)); s31 = f64x2.add(s31, f64x2.mul(x3, b1));
        pb += ldt;
        pa += 8;
      }
      putPair(out, sq, n, i0, j, f64x2.extract_lane(s00, 0)); putPair(out, sq, n, i0, j + 1, f64x2.extract_lane(s00, 1));
      putPair(out, sq, n, i0, j + 2, f64x2.extract_lane(s01, 0)); putPair(out, sq, n, i0, j + 3, f64x2.extract_lane(s01, 1));
      putPair(out, sq, n, i0 + 1, j, f64x2.extract_lane(s10, 0)); putPair(out, sq, n, i0 + 1, j + 1, f64x2.extract_lane(s10, 1));
      putPair(out, sq, n, i0 + 1, j + 2, f64x2.extract_lane(s11, 0)); putPair(out, sq, n, i0 + 1, j + 3, f64x2.extract_lane(s11, 1));
      putPair(out, sq, n, i0 + 2, j, f64x2.extract_lane(s20, 0)); putPair(out, sq, n, i0 + 2, j + 1, f64x2.extract_lane(s20, 1));
      putPair(out, sq, n, i0 + 2, j + 2, f64x2.extract_lane(s21, 0)); putPair(out, sq, n, i0 + 2, j + 3, f64x2.extract_lane(s21, 1));
      putPair(out, sq, n, i0 + 3, j, f64x2.extract_lane(s30, 0)); putPair(out, sq, n, i0 + 3, j + 1, f64x2.extract_lane(s30, 1));
      putPair(out, sq, n, i0 + 3, j + 2, f64x2.extract_lane(s31, 0)); putPair(out, sq, n, i0 + 3, j + 3, f64x2.extract_lane(s31, 1));
    }
    for (; j < n; j++)
      for (let r = 0; r < 4; r++) {
        let s: f64 = 0;
        for (let p = 0; p < d; p++) s += load<f64>(F(x, <usize>(i0 + r) * d + p)) * load<f64>(F(xt, <usize>p * n + j));
        putPair(out, sq, n, i0 + r, j, s);
      }
  }
  for (let i = i0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s: f64 = 0;
      for (let p = 0; p < d; p++) s += load<f64>(F(x, <usize>i * d + p)) * load<f64>(F(xt, <usize>p * n + j));
      putPair(out, sq, n, i, j, s);
    }
  for (let i = 0; i < n; i++) store<f64>(F(out, <usize>i * n + i), 0);
}
