// LFDA's per-class work (src/learners/lfda.ts): the column of squared distances that gives the
// local scales, in float64 as scikit-learn forms it (np.partition's order depends on its
// rounding), and the heat-kernel affinities of the class in float32, on the class centred
// and scaled by a power of two. The local scatter Zᵀ(D − A)Z does not change when every point
// moves by the same vector (the Laplacian D − A sends constants to zero), so centring changes
// nothing but the rounding: float32 then sees the spread of the class, not its offset, and the
// power of two keeps squared distances inside float32's range for any scale of input.
import { exp4 } from './expf4';

// @ts-ignore: decorator
@inline function F(p: usize, i: usize): usize {
  return p + (i << 3);
}

// @ts-ignore: decorator
@inline function S(p: usize, i: usize): usize {
  return p + (i << 2);
}

// out[i] = max(0, (−2·xᵢ·x_k + ‖xᵢ‖²) + ‖x_k‖²), out[k] = 0: column k of scikit-learn's
// euclidean_distances(x, squared=True) for x [n, d], every dot product and norm summed over
// t in order (the plain float64 loop's rounding). f64x2 over four rows at a time, each lane
// its own row, so every sum keeps its order.
export function f64_lfda_distance_column(x: usize, n: i32, d: i32, k: i32, out: usize): void {
  const xk = x + ((<usize>k * d) << 3);
  let sk: f64 = 0;
  for (let t = 0; t < d; t++) {
    const v = load<f64>(F(xk, t));
    sk += v * v;
  }
  const row = <usize>d << 3;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const a = x + <usize>i * row, b = a + row;
    let dot = f64x2.splat(0), sq = f64x2.splat(0);
    for (let t = 0; t < d; t++) {
      const v = f64x2.replace_lane(f64x2.splat(load<f64>(F(a, t))), 1, load<f64>(F(b, t)));
      dot = f64x2.add(dot, f64x2.mul(v, f64x2.splat(load<f64>(F(xk, t)))));
      sq = f64x2.add(sq, f64x2.mul(v, v));
    }
    const r = f64x2.add(f64x2.add(f64x2.mul(dot, f64x2.splat(-2)), sq), f64x2.splat(sk));
    v128.store(F(out, i), f64x2.max(r, f64x2.splat(0)));
  }
  for (; i < n; i++) {
    const a = x + <usize>i * row;
    let dot: f64 = 0, sq: f64 = 0;
    for (let t = 0; t < d; t++) {
      const v = load<f64>(F(a, t));
      dot += v * load<f64>(F(xk, t));
      sq += v * v;
    }
    const r = -2 * dot + sq + sk;
    store<f64>(F(out, i), r > 0 ? r : 0);
  }
  store<f64>(F(out, k), 0);
}

// z [n, d] f32 = (x − mean)·s for x [n, d] f64, and zt [d, n] = zᵀ (for ZᵀZ as a symmetric
// product); mean [d] (written) the column means summed in order; a column whose entries are
// all equal gets that entry as its mean (z exactly 0: the sum's rounding would leave a residue
// the scatter matrices then carry). s is the power of two that puts the largest |x − mean| in
// [0.5, 1) (1 when every column is constant); returned. colMin [d] scratch.
export function f32_lfda_centre(x: usize, n: i32, d: i32, mean: usize, z: usize, zt: usize, colMin: usize): f64 {
  const row = <usize>d << 3;
  for (let t = 0; t < d; t++) {
    const v = load<f64>(F(x, t));
    store<f64>(F(mean, t), v);
    store<f64>(F(colMin, t), v);
  }
  for (let i = 1; i < n; i++) {
    const r = x + <usize>i * row;
    for (let t = 0; t < d; t++) {
      const v = load<f64>(F(r, t));
      store<f64>(F(mean, t), load<f64>(F(mean, t)) + v);
      if (v != load<f64>(F(colMin, t))) store<f64>(F(colMin, t), NaN);
    }
  }
  for (let t = 0; t < d; t++) {
    const c = load<f64>(F(colMin, t));
    // NaN marks a column with two different entries
    store<f64>(F(mean, t), c == c ? c : load<f64>(F(mean, t)) / n);
  }
  let big: f64 = 0;
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * row;
    for (let t = 0; t < d; t++) big = Math.max(big, Math.abs(load<f64>(F(r, t)) - load<f64>(F(mean, t))));
  }
  let s: f64 = 1;
  if (big > 0) {
    // 2^−e with 2^(e−1) ≤ big < 2^e; the loops fix log2's rounding at the ends
    s = Math.pow(2, -Math.floor(Math.log2(big)) - 1);
    while (big * s >= 1) s *= 0.5;
    while (big * s < 0.5) s *= 2;
  }
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * row, zr = z + ((<usize>i * d) << 2);
    for (let t = 0; t < d; t++) {
      const v = <f32>((load<f64>(F(r, t)) - load<f64>(F(mean, t))) * s);
      store<f32>(S(zr, t), v);
      store<f32>(S(zt, <usize>t * n + i), v);
    }
  }
  return s;
}

// A[i, j … j+3] = exp(−dist·rᵢrⱼ) from the Gram row of i: lanes at or past n read as r = 0
// and come out 0, as every lane where rᵢrⱼ = 0 (σ = 0). j > i.
// @ts-ignore: decorator
@inline function lanes4(gr: usize, sq: usize, rinv: usize, n: i32, j: i32, gii: v128, ri: v128): v128 {
  let g = f32x4.splat(0), gjj = f32x4.splat(0), rj = f32x4.splat(0);
  if (j + 4 <= n) {
    g = v128.load(S(gr, j));
    gjj = v128.load(S(sq, j));
    rj = v128.load(S(rinv, j));
  } else {
    // replace_lane takes a constant lane: the (at most three) tail lanes one by one
    g = f32x4.replace_lane(g, 0, load<f32>(S(gr, j)));
    gjj = f32x4.replace_lane(gjj, 0, load<f32>(S(sq, j)));
    rj = f32x4.replace_lane(rj, 0, load<f32>(S(rinv, j)));
    if (j + 1 < n) {
      g = f32x4.replace_lane(g, 1, load<f32>(S(gr, j + 1)));
      gjj = f32x4.replace_lane(gjj, 1, load<f32>(S(sq, j + 1)));
      rj = f32x4.replace_lane(rj, 1, load<f32>(S(rinv, j + 1)));
    }
    if (j + 2 < n) {
      g = f32x4.replace_lane(g, 2, load<f32>(S(gr, j + 2)));
      gjj = f32x4.replace_lane(gjj, 2, load<f32>(S(sq, j + 2)));
      rj = f32x4.replace_lane(rj, 2, load<f32>(S(rinv, j + 2)));
    }
  }
  const dist = f32x4.max(f32x4.sub(f32x4.add(gii, gjj), f32x4.add(g, g)), f32x4.splat(0));
  // r ≤ 1e18 (the caller clamps it), so rᵢrⱼ is finite and a coincident pair gives e⁰ = 1
  const rr = f32x4.mul(ri, rj);
  return v128.andnot(exp4(f32x4.neg(f32x4.mul(dist, rr))), f32x4.eq(rr, f32x4.splat(0)));
}

// From gram [n, n] = z·zᵀ (z [n, d] f32; the upper triangle read) and rinv [n] = 1/σ (0
// where σ = 0, at most 1e18): negA [n, n] = −A with A[i, j] = exp(−‖zᵢ − zⱼ‖²/(σᵢσⱼ)) (0 where
// σᵢσⱼ = 0) and 0 on the diagonal (the Laplacian D − A does not see it), and lz [n, d] = D·z with
// D = diag(Σⱼ A[i, j]): a GEMM lz += negA·z then makes lz the Laplacian times z. The squared
// distances are ‖zᵢ‖² + ‖zⱼ‖² − 2zᵢ·zⱼ, clipped at 0. Each pair's exponential is taken once
// (j > i) and written to both triangles: A is exactly symmetric. sq, rowSum [n] scratch.
export function f32_lfda_affinity(gram: usize, rinv: usize, z: usize, n: i32, d: i32, negA: usize, lz: usize, sq: usize, rowSum: usize): void {
  for (let i = 0; i < n; i++) {
    store<f32>(S(sq, i), load<f32>(S(gram, <usize>i * (n + 1))));
    store<f32>(S(rowSum, i), 0);
  }
  const ld = <usize>n << 2;
  for (let i = 0; i < n; i++) {
    const gr = gram + <usize>i * ld, ar = negA + <usize>i * ld;
    const gii = f32x4.splat(load<f32>(S(sq, i))), ri = f32x4.splat(load<f32>(S(rinv, i)));
    store<f32>(S(ar, i), 0);
    let acc = f32x4.splat(0);
    let j = i + 1;
    for (; j + 4 <= n; j += 4) {
      const a = lanes4(gr, sq, rinv, n, j, gii, ri);
      acc = f32x4.add(acc, a);
      v128.store(S(ar, j), f32x4.neg(a));
      v128.store(S(rowSum, j), f32x4.add(v128.load(S(rowSum, j)), a));
      const col = negA + ((<usize>j * n + i) << 2);
      store<f32>(col, -f32x4.extract_lane(a, 0));
      store<f32>(col + ld, -f32x4.extract_lane(a, 1));
      store<f32>(col + 2 * ld, -f32x4.extract_lane(a, 2));
      store<f32>(col + 3 * ld, -f32x4.extract_lane(a, 3));
    }
    if (j < n) {
      const a = lanes4(gr, sq, rinv, n, j, gii, ri);
      acc = f32x4.add(acc, a);
      const col = negA + ((<usize>j * n + i) << 2);
      const a0 = f32x4.extract_lane(a, 0), a1 = f32x4.extract_lane(a, 1), a2 = f32x4.extract_lane(a, 2);
      store<f32>(S(ar, j), -a0);
      store<f32>(col, -a0);
      store<f32>(S(rowSum, j), load<f32>(S(rowSum, j)) + a0);
      if (j + 1 < n) {
        store<f32>(S(ar, j + 1), -a1);
        store<f32>(col + ld, -a1);
        store<f32>(S(rowSum, j + 1), load<f32>(S(rowSum, j + 1)) + a1);
      }
      if (j + 2 < n) {
        store<f32>(S(ar, j + 2), -a2);
        store<f32>(col + 2 * ld, -a2);
        store<f32>(S(rowSum, j + 2), load<f32>(S(rowSum, j + 2)) + a2);
      }
    }
    // row i's sum: the columns left of the diagonal came in through rowSum, the rest in acc
    const sum = load<f32>(S(rowSum, i)) + ((f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3)));
    const sv = f32x4.splat(sum);
    const zr = z + ((<usize>i * d) << 2), lr = lz + ((<usize>i * d) << 2);
    let t = 0;
    for (; t + 4 <= d; t += 4) v128.store(S(lr, t), f32x4.mul(sv, v128.load(S(zr, t))));
    for (; t < d; t++) store<f32>(S(lr, t), sum * load<f32>(S(zr, t)));
  }
}

// sw += cw·G, sb += cb·G + cwb·W for G, W [d, d] f32 (the class's products) into the float64
// scatter matrices sw, sb [d, d].
export function f64_lfda_scatter_add(g: usize, w: usize, d: i32, cw: f64, cb: f64, cwb: f64, sw: usize, sb: usize): void {
  const m = d * d;
  for (let i = 0; i < m; i++) {
    const gi = <f64>load<f32>(S(g, i));
    store<f64>(F(sw, i), load<f64>(F(sw, i)) + cw * gi);
    store<f64>(F(sb, i), load<f64>(F(sb, i)) + (cb * gi + cwb * <f64>load<f32>(S(w, i))));
  }
}
