// LFDA's per-class work (src/learners/lfda.ts): the column of squared distances that gives the
// local scales, in float64 as scikit-learn forms it (np.partition's order depends on its
// rounding), and the heat-kernel affinities of the class in float32, on the class centred
// and scaled by a power of two. The local scatter Zᵀ(D − A)Z does not change when every point
// moves by the same vector (the Laplacian D − A sends constants to zero), so centring changes
// nothing but the rounding: float32 then sees the spread of the class, not its offset, and the
// power of two keeps squared distances inside float32's range for any scale of input.
import { exp4 } from './expf4';
import { KC, MR, NR, microkernel, packLanesFromCols } from './gemm-tile';

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

// out [n, d] = the rows idx [n] (i32) of x [n, d] (the points in class order) when every
// entry of x is finite; returns −1 then, else the flat index of x's first non-finite entry
// (and gathers nothing). x − x is 0 for finite x and NaN for ±inf and NaN.
export function f64_lfda_gather(x: usize, idx: usize, out: usize, n: i32, d: i32): i32 {
  const m = n * d;
  let bad = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const v = v128.load(F(x, i));
    bad = f64x2.add(bad, f64x2.sub(v, v));
  }
  if (i < m) {
    const v = load<f64>(F(x, i));
    bad = f64x2.add(bad, f64x2.splat(v - v));
  }
  if (v128.any_true(f64x2.ne(bad, bad))) {
    for (let j = 0; j < m; j++) {
      const v = load<f64>(F(x, j));
      if (v - v != 0) return j;
    }
  }
  const row = <usize>d << 3;
  for (let k = 0; k < n; k++) memory.copy(out + <usize>k * row, x + <usize>load<i32>(S(idx, k)) * row, row);
  return -1;
}

// z [n, d] f32 = (x − mean)·s for x [n, d] f64, also written to the rows of z2 (ld2 floats
// apart); mean [d] (written) the column means summed in order; a column whose entries are
// all equal gets that entry as its mean (z exactly 0: the sum's rounding would leave a residue
// the scatter matrices then carry). s is the power of two that puts the largest |x − mean| in
// [0.5, 1) (1 when every column is constant); returned. That largest value is max(max − mean,
// mean − min) per column (rounding is monotonic), so one pass gives sums, minima and maxima.
// lo, hi [d] scratch. f64x2 over column pairs (each lane its own column: every sum keeps its
// order), the odd column scalar.
export function f32_lfda_centre(x: usize, n: i32, d: i32, mean: usize, z: usize, z2: usize, ld2: i32, lo: usize, hi: usize): f64 {
  const row = <usize>d << 3, e = d & ~1;
  memory.copy(mean, x, row);
  memory.copy(lo, x, row);
  memory.copy(hi, x, row);
  for (let i = 1; i < n; i++) {
    const r = x + <usize>i * row;
    for (let t = 0; t < e; t += 2) {
      const v = v128.load(F(r, t));
      v128.store(F(mean, t), f64x2.add(v128.load(F(mean, t)), v));
      v128.store(F(lo, t), f64x2.min(v128.load(F(lo, t)), v));
      v128.store(F(hi, t), f64x2.max(v128.load(F(hi, t)), v));
    }
    if (e < d) {
      const v = load<f64>(F(r, e));
      store<f64>(F(mean, e), load<f64>(F(mean, e)) + v);
      store<f64>(F(lo, e), Math.min(load<f64>(F(lo, e)), v));
      store<f64>(F(hi, e), Math.max(load<f64>(F(hi, e)), v));
    }
  }
  let big: f64 = 0;
  for (let t = 0; t < d; t++) {
    const a = load<f64>(F(lo, t)), b = load<f64>(F(hi, t));
    // lo = hi: a constant column (±0 count as equal, as == has them)
    const m = a == b ? load<f64>(F(x, t)) : load<f64>(F(mean, t)) / n;
    store<f64>(F(mean, t), m);
    big = Math.max(big, Math.max(b - m, m - a));
  }
  let s: f64 = 1;
  if (big > 0) {
    // 2^−e with 2^(e−1) ≤ big < 2^e; the loops fix log2's rounding at the ends
    s = Math.pow(2, -Math.floor(Math.log2(big)) - 1);
    while (big * s >= 1) s *= 0.5;
    while (big * s < 0.5) s *= 2;
  }
  const sv = f64x2.splat(s);
  for (let i = 0; i < n; i++) {
    const r = x + <usize>i * row, zr = z + ((<usize>i * d) << 2), z2r = z2 + ((<usize>i * ld2) << 2);
    for (let t = 0; t < e; t += 2) {
      const v = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(v128.load(F(r, t)), v128.load(F(mean, t))), sv));
      v128.store64_lane(S(zr, t), v, 0);
      v128.store64_lane(S(z2r, t), v, 0);
    }
    if (e < d) {
      const v = <f32>((load<f64>(F(r, e)) - load<f64>(F(mean, e))) * s);
      store<f32>(S(zr, e), v);
      store<f32>(S(z2r, e), v);
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
// where σ = 0, at most 1e18), with A[i, j] = exp(−‖zᵢ − zⱼ‖²/(σᵢσⱼ)) (0 where σᵢσⱼ = 0):
// the upper triangle of u [n, n]: u[i, j] = −2·A[i, j] for j > i and u[i, i] = Σ_{j≠i} A[i, j]
// (the Laplacian D − A does not see A's diagonal); nothing below the diagonal is written.
// A is symmetric, so zᵀAz = zᵀ(U + Uᵀ)z for U its strict upper triangle: the symmetric part
// of zᵀ(D − 2U)z is zᵀ(D − A)z at half the product's multiply-adds (f32_lfda_laplacian). The
// squared distances are ‖zᵢ‖² + ‖zⱼ‖² − 2zᵢ·zⱼ, clipped at 0; each pair's exponential is taken
// once and reaches both rows' sums. sq, deg [n] scratch.
export function f32_lfda_affinity(gram: usize, rinv: usize, n: i32, u: usize, deg: usize, sq: usize): void {
  for (let i = 0; i < n; i++) {
    store<f32>(S(sq, i), load<f32>(S(gram, <usize>i * (n + 1))));
    store<f32>(S(deg, i), 0);
  }
  const ld = <usize>n << 2, m2 = f32x4.splat(-2);
  for (let i = 0; i < n; i++) {
    const gr = gram + <usize>i * ld, ur = u + <usize>i * ld;
    const gii = f32x4.splat(load<f32>(S(sq, i))), ri = f32x4.splat(load<f32>(S(rinv, i)));
    let acc = f32x4.splat(0);
    let j = i + 1;
    for (; j + 4 <= n; j += 4) {
      const a = lanes4(gr, sq, rinv, n, j, gii, ri);
      acc = f32x4.add(acc, a);
      v128.store(S(ur, j), f32x4.mul(a, m2));
      v128.store(S(deg, j), f32x4.add(v128.load(S(deg, j)), a));
    }
    if (j < n) {
      const a = lanes4(gr, sq, rinv, n, j, gii, ri);
      acc = f32x4.add(acc, a);
      const a0 = f32x4.extract_lane(a, 0), a1 = f32x4.extract_lane(a, 1), a2 = f32x4.extract_lane(a, 2);
      store<f32>(S(ur, j), -2 * a0);
      store<f32>(S(deg, j), load<f32>(S(deg, j)) + a0);
      if (j + 1 < n) {
        store<f32>(S(ur, j + 1), -2 * a1);
        store<f32>(S(deg, j + 1), load<f32>(S(deg, j + 1)) + a1);
      }
      if (j + 2 < n) {
        store<f32>(S(ur, j + 2), -2 * a2);
        store<f32>(S(deg, j + 2), load<f32>(S(deg, j + 2)) + a2);
      }
    }
    // row i's sum: the columns left of the diagonal came in through deg, the rest in acc
    store<f32>(S(ur, i), load<f32>(S(deg, i)) + ((f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3))));
  }
}

// f32_lfda_laplacian's blocks: MB rows of the product (MR-row panels of u, MB·KC floats) and
// NB columns of z (KC×NR panels, KC·NB floats) packed in the GEMM workspace, which holds more
// (f32_gemm_workspace_bytes: 120·KC + KC·1024 floats and a tile).
// @ts-ignore: decorator
@inline const MB = 120;
// @ts-ignore: decorator
@inline const NB = 512;

// lz [n, d] (rows ldl floats apart) = Tᵀ·z for z [n, d] f32 and T the upper triangle of u [n, n]
// with its diagonal (f32_lfda_affinity's D − 2U; nothing below the diagonal is read: it may
// hold anything). Then lzᵀz = zᵀ(D − 2U)z. The GEMM driver of gemm.ts in its tn form over the
// register tile of gemm-tile.ts, each row panel of Tᵀ multiplied over the columns up to its
// last row only (half the multiply-adds of the full product), the packed panels' entries past
// the diagonal zeroed. ws: the GEMM workspace (16-byte aligned).
export function f32_lfda_laplacian(u: usize, z: usize, lz: usize, n: i32, d: i32, ldl: i32, ws: usize): void {
  const ldu = <usize>n << 2, ldz = <usize>d << 2, ldc = <usize>ldl << 2;
  const pa = ws, pb = ws + MB * KC * 4, tile = pb + KC * NB * 4;
  for (let jc = 0; jc < d; jc += NB) {
    const nc = min(NB, d - jc);
    for (let pc = 0; pc < n; pc += KC) {
      const kc = min(KC, n - pc);
      for (let jr = 0; jr < nc; jr += NR) packLanesFromCols(z + ((<usize>pc * d + jc + jr) << 2), ldz, min(NR, nc - jr), kc, pb + ((<usize>jr * kc) << 2), NR);
      // rows below pc have no term in this k block (Tᵀ[i, p] = 0 for p > i)
      for (let ic = pc - pc % MB; ic < n; ic += MB) {
        const mc = min(MB, n - ic);
        for (let ir = 0; ir < mc; ir += MR) {
          const i0 = ic + ir, mr = min(MR, mc - ir), ke = min(kc, i0 + mr - pc);
          if (ke <= 0) continue;
          const dst = pa + ((<usize>ir * kc) << 2);
          packLanesFromCols(u + ((<usize>pc * n + i0) << 2), ldu, mr, ke, dst, MR);
          // past the diagonal (p > i): zeros
          for (let p = max(pc, i0 + 1); p < pc + ke; p++) {
            const step = dst + ((<usize>(p - pc) * MR) << 2);
            for (let m = 0; m < min(mr, p - i0); m++) store<f32>(S(step, m), 0);
          }
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr), bp = pb + ((<usize>jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const i0 = ic + ir, mr = min(MR, mc - ir), ke = min(kc, i0 + mr - pc);
            // the first k block reaches every row panel: it writes, later ones add
            if (ke > 0) microkernel(ke, pa + ((<usize>ir * kc) << 2), bp, lz + ((<usize>i0 * ldl + jc + jr) << 2), ldc, mr, nr, pc > 0, tile);
          }
        }
      }
    }
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
