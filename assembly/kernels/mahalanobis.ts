// Mahalanobis distances (x − y)ᵀ M (x − y) for a symmetric M [d, d], pairwise and paired.
// Pairwise goes through the GEMM: with XM = X·M and YM = Y·M,
//   D[i, j] = xm_i·x_i − 2·xm_i·y_j + ym_j·y_j        (xm_i·y_j = x_iᵀ M y_j, M symmetric)
// clamped at 0 (M is meant to be positive semi-definite). As for squared Euclidean
// (distance.ts), both sides are first centred on the mean of y, and entries small relative
// to xm_i·x_i + ym_j·y_j are recomputed as (xm_i − ym_j)·(x_i − y_j), which takes the
// differences first and avoids the cancellation.
// Backward (TypeScript, src/ops/mahalanobis.ts) reuses f32_cdist_l2_bwd_x/y on XM, YM.
import { f32_gemm_nn, f32_gemm_nt, f32_gemm_tn } from './gemm';
import { subInto, subRows } from './vec';
import { f32_sum_cols } from './reduce';

// @ts-ignore: decorator
@inline const RECOMPUTE_BELOW: f32 = 1.0 / 128.0;

// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, d: i32): f32 {
  let s0 = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= d; p += 4) {
    const o = <usize>p << 2;
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1) + f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3);
  for (; p < d; p++) s += load<f32>(a + (<usize>p << 2)) * load<f32>(b + (<usize>p << 2));
  return s;
}

// (am − bm)·(a − b) over d
// @ts-ignore: decorator
@inline function diffDot(am: usize, bm: usize, a: usize, b: usize, d: i32): f32 {
  let s0 = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= d; p += 4) {
    const o = <usize>p << 2;
    s0 = f32x4.add(s0, f32x4.mul(f32x4.sub(v128.load(am + o), v128.load(bm + o)), f32x4.sub(v128.load(a + o), v128.load(b + o))));
  }
  let s = f32x4.extract_lane(s0, 0) + f32x4.extract_lane(s0, 1) + f32x4.extract_lane(s0, 2) + f32x4.extract_lane(s0, 3);
  for (; p < d; p++) {
    const o = <usize>p << 2;
    s += (load<f32>(am + o) - load<f32>(bm + o)) * (load<f32>(a + o) - load<f32>(b + o));
  }
  return s;
}

// out[i, j] = (x_i − y_j)ᵀ M (x_i − y_j); x [n, d], y [m, d], M [d, d] symmetric.
// xm [n, d], ym [m, d] receive (x − μ)·M, (y − μ)·M with μ the mean of y (kept for backward:
// the gradient formulas are unchanged by the shift). Scratch: xc [n, d], yc [m, d], mu [d],
// qx [n], qy [m]. In two steps, so that threads can share the second: the y side
// (f32_mahalanobis_cdist_prep), then rows of x (f32_mahalanobis_cdist_rows).
export function f32_mahalanobis_cdist_fwd(x: usize, y: usize, M: usize, xc: usize, yc: usize, mu: usize, xm: usize, ym: usize, qx: usize, qy: usize, out: usize, n: i32, m: i32, d: i32, ws: usize): void {
  f32_mahalanobis_cdist_prep(y, M, yc, mu, ym, qy, m, d, ws);
  f32_mahalanobis_cdist_rows(x, y, M, xc, yc, mu, xm, ym, qx, qy, out, n, m, d, ws, 0, n);
}

// The y side: mu = mean of y, yc = y − mu, ym = yc·M, qy[j] = ym_j·yc_j.
export function f32_mahalanobis_cdist_prep(y: usize, M: usize, yc: usize, mu: usize, ym: usize, qy: usize, m: i32, d: i32, ws: usize): void {
  f32_sum_cols(y, mu, m, d, 0);
  const inv: f32 = m > 0 ? <f32>1 / <f32>m : 0;
  for (let p = 0; p < d; p++) store<f32>(mu + (<usize>p << 2), load<f32>(mu + (<usize>p << 2)) * inv);
  subRows(y, mu, yc, 0, m, d);
  f32_gemm_nn(yc, M, ym, m, d, d, 0, ws);
  for (let j = 0; j < m; j++) {
    const o = (<usize>j * d) << 2;
    store<f32>(qy + (<usize>j << 2), dot(ym + o, yc + o, d));
  }
}

// Rows i0..i1 of out (and of xc, xm, qx), after the prep: every element computed as by the
// whole call (a GEMM's rows sum in the same order whatever the block), so split rows are
// bitwise equal to it.
export function f32_mahalanobis_cdist_rows(x: usize, y: usize, M: usize, xc: usize, yc: usize, mu: usize, xm: usize, ym: usize, qx: usize, qy: usize, out: usize, n: i32, m: i32, d: i32, ws: usize, i0: i32, i1: i32): void {
  if (i1 <= i0) return;
  subRows(x, mu, xc, i0, i1, d);
  const r0 = (<usize>i0 * d) << 2;
  f32_gemm_nn(xc + r0, M, xm + r0, i1 - i0, d, d, 0, ws);
  for (let i = i0; i < i1; i++) {
    const o = (<usize>i * d) << 2;
    store<f32>(qx + (<usize>i << 2), dot(xm + o, xc + o, d));
  }
  f32_gemm_nt(xm + r0, yc, out + ((<usize>i0 * m) << 2), i1 - i0, d, m, 0, ws);
  for (let i = i0; i < i1; i++) {
    const row = out + ((<usize>i * m) << 2);
    const q = load<f32>(qx + (<usize>i << 2));
    const oi = (<usize>i * d) << 2;
    for (let j = 0; j < m; j++) {
      const s = q + load<f32>(qy + (<usize>j << 2));
      let v = max<f32>(s - 2 * load<f32>(row + (<usize>j << 2)), 0);
      if (v < RECOMPUTE_BELOW * abs<f32>(s)) {
        const oj = (<usize>j * d) << 2;
        v = max<f32>(diffDot(xm + oi, ym + oj, x + oi, y + oj, d), 0);
      }
      store<f32>(row + (<usize>j << 2), v);
    }
  }
}


// out[i] = (x_i − y_i)ᵀ M (x_i − y_i), clamped at 0; diff = x − y and dm = diff·M [n, d]
// are kept for backward.
export function f32_mahalanobis_paired_fwd(x: usize, y: usize, M: usize, diff: usize, dm: usize, out: usize, n: i32, d: i32, ws: usize): void {
  subInto(x, y, diff, n * d);
  f32_gemm_nn(diff, M, dm, n, d, d, 0, ws);
  for (let r = 0; r < n; r++) {
    const o = (<usize>r * d) << 2;
    store<f32>(out + (<usize>r << 2), max<f32>(dot(dm + o, diff + o, d), 0));
  }
}

// ga (+)= scale · g_i · dm_i: scale 2 for x, −2 for y (∂/∂x = 2M(x − y), M symmetric).
export function f32_mahalanobis_paired_bwd_x(dm: usize, g: usize, ga: usize, n: i32, d: i32, scale: f32, accumulate: i32): void {
  for (let r = 0; r < n; r++) {
    const s = f32x4.splat(scale * load<f32>(g + (<usize>r << 2)));
    const o = (<usize>r * d) << 2;
    let p = 0;
    for (; p + 4 <= d; p += 4) {
      const op = o + (<usize>p << 2);
      let v = f32x4.mul(s, v128.load(dm + op));
      if (accumulate) v = f32x4.add(v, v128.load(ga + op));
      v128.store(ga + op, v);
    }
    for (; p < d; p++) {
      const op = o + (<usize>p << 2);
      let v = f32x4.extract_lane(s, 0) * load<f32>(dm + op);
      if (accumulate) v += load<f32>(ga + op);
      store<f32>(ga + op, v);
    }
  }
}

// gM (+)= Σ_i g_i diff_i diff_iᵀ = diffᵀ · (g ⊙ diff); gdiff [n, d] is scratch.
export function f32_mahalanobis_paired_bwd_m(diff: usize, g: usize, gdiff: usize, gM: usize, n: i32, d: i32, accumulate: i32, ws: usize): void {
  f32_mahalanobis_paired_bwd_x(diff, g, gdiff, n, d, 1, 0);
  f32_gemm_tn(diff, gdiff, gM, d, n, d, accumulate, ws);
}
