// Float64 dense kernels for the classic metric learners' n-sized products (LMNN, MMC):
// GEMM in the nn and tn forms, squared distances of indexed row pairs, and the product of a
// weighted pair graph's Laplacian with X (the outer-product sums LMNN's gradient needs).
// Row-major f64, no alignment needed; every size works (f64x2 body, scalar tails).
//
// The GEMMs accumulate every C[i, j] over p = 0, 1, …, k − 1 in order, one rounded multiply
// and one rounded add per term, starting from +0 (or C): bit for bit the naive float64 loop
// `s += a[i, p]·b[p, j]`. The SIMD lanes run over j, never over p.

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
