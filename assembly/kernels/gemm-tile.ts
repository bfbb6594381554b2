// The GEMM register tile shared by the GEMM driver (gemm.ts) and the direct convolution
// (conv.ts): the MR×NR microkernel and the packing of row-major blocks into its panels.
// Packed A panel: kc groups of MR values (column p of the MR rows); packed B panel: kc rows of
// NR values. Internal to the kernels (assembly/index.ts does not re-export this module).

import { convActS, convActV } from './vec';

// Register tile: MR rows × NR columns = MR·NR/4 v128 accumulators. V8 on x64 gives wasm 15
// xmm registers: 5×8 uses 10 accumulators + 2 B vectors + the A splat + the product = 14.
// Measured on this machine (512³): 4×8 ≈ 41 GFLOP/s (8 chains sit on the add latency),
// 5×8 ≈ 48, 6×8 ≈ 26 (16 live registers: spills). Relaxed builds: 4×8, 5×8, 6×8 all ≈ 49.
// Unrolling k by 2 made V8 spill (≈ 25-30) so the loop is not unrolled.
// @ts-ignore: decorator
@inline export const MR = 5;
// @ts-ignore: decorator
@inline export const NR = 8;
// The GEMM's k block (gemm.ts): a KC×NR B panel (8 KiB) stays in L1.
// @ts-ignore: decorator
@inline export const KC = 256;

// acc + a·b; fused (one rounding) in the relaxed build.
// @ts-ignore: decorator
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// One 8-wide accumulator row pair into C row c: added to C when add, then, when ep, made
// act((y + s) + r) (s the row's bias, r the residual row or 0: pointwise.ts's epilogue, in
// registers instead of a pass over the stored tile).
// @ts-ignore: decorator
@inline function storeRow(c: usize, lo: v128, hi: v128, add: bool, ep: bool, s: f32, r: usize, act: i32): void {
  if (add) {
    lo = f32x4.add(v128.load(c), lo);
    hi = f32x4.add(v128.load(c, 16), hi);
  }
  if (ep) {
    const v = f32x4.splat(s);
    lo = f32x4.add(lo, v);
    hi = f32x4.add(hi, v);
    if (r) {
      lo = f32x4.add(lo, v128.load(r));
      hi = f32x4.add(hi, v128.load(r, 16));
    }
    lo = convActV(lo, act);
    hi = convActV(hi, act);
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}

// C[0..mr, 0..nr] (+)= Σ_p pa[p] ⊗ B[p] over kc steps, B's step p the NR floats at pb + p·ldb
// (ldb bytes: NR·4 for a packed panel, a source row for B read in place), then when ep each
// row i made act((y + bias[i]) + res[i]) (bias 0: none; res rows ldc apart, or 0) before it
// is stored. Each accumulator chain carries only the add (the product is independent), so 10
// chains keep both FP add ports busy without waiting on latency.
// @ts-ignore: decorator
@inline function tile(kc: i32, pa: usize, pb: usize, ldb: usize, c: usize, ldc: usize, mr: i32, nr: i32, add: bool, scratch: usize, ep: bool, bias: usize, res: usize, act: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    // load32_splat is one broadcast load (vbroadcastss): no shuffle on the FP ports.
    let a = v128.load32_splat(pa);
    c00 = madd(c00, a, b0); c01 = madd(c01, a, b1);
    a = v128.load32_splat(pa, 4);
    c10 = madd(c10, a, b0); c11 = madd(c11, a, b1);
    a = v128.load32_splat(pa, 8);
    c20 = madd(c20, a, b0); c21 = madd(c21, a, b1);
    a = v128.load32_splat(pa, 12);
    c30 = madd(c30, a, b0); c31 = madd(c31, a, b1);
    a = v128.load32_splat(pa, 16);
    c40 = madd(c40, a, b0); c41 = madd(c41, a, b1);
    pa += MR * 4;
    pb += ldb;
  }
  if (nr == NR) {
    // rows past mr (zero rows of the last A panel) are dropped, never stored
    storeRow(c, c00, c01, add, ep, rowBias(bias, 0, ep), res, act);
    if (mr > 1) storeRow(c + ldc, c10, c11, add, ep, rowBias(bias, 1, ep), res ? res + ldc : 0, act);
    if (mr > 2) storeRow(c + 2 * ldc, c20, c21, add, ep, rowBias(bias, 2, ep), res ? res + 2 * ldc : 0, act);
    if (mr > 3) storeRow(c + 3 * ldc, c30, c31, add, ep, rowBias(bias, 3, ep), res ? res + 3 * ldc : 0, act);
    if (mr > 4) storeRow(c + 4 * ldc, c40, c41, add, ep, rowBias(bias, 4, ep), res ? res + 4 * ldc : 0, act);
    return;
  }
  // Edge tile: spill to the scratch tile, then copy only the valid mr×nr part, so C is
  // never touched (nor read) outside its m×n elements.
  storeRow(scratch, c00, c01, false, false, 0, 0, 0);
  storeRow(scratch + NR * 4, c10, c11, false, false, 0, 0, 0);
  storeRow(scratch + 2 * NR * 4, c20, c21, false, false, 0, 0, 0);
  storeRow(scratch + 3 * NR * 4, c30, c31, false, false, 0, 0, 0);
  storeRow(scratch + 4 * NR * 4, c40, c41, false, false, 0, 0, 0);
  for (let r = 0; r < mr; r++) {
    const cr = c + <usize>r * ldc, rr = res + <usize>r * ldc;
    const tr = scratch + ((<usize>r * NR) << 2);
    const s = rowBias(bias, r, ep);
    for (let q = 0; q < nr; q++) {
      const o = <usize>q << 2;
      let y = load<f32>(tr + o);
      if (add) y = load<f32>(cr + o) + y;
      if (ep) {
        y += s;
        if (res) y += load<f32>(rr + o);
        y = convActS(y, act);
      }
      store<f32>(cr + o, y);
    }
  }
}

// @ts-ignore: decorator
@inline function rowBias(bias: usize, i: i32, ep: bool): f32 {
  return ep && bias ? load<f32>(bias + (<usize>i << 2)) : 0;
}

// C[0..mr, 0..nr] (+)= Σ_p pa[p] ⊗ pb[p] over kc packed steps; ldc in bytes.
export function microkernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, mr: i32, nr: i32, add: bool, scratch: usize): void {
  tile(kc, pa, pb, NR * 4, c, ldc, mr, nr, add, scratch, false, 0, 0, 0);
}

// microkernel over B steps ldb bytes apart, and, when ep (the last k block), each row i of the
// tile act((y + bias[i]) + res[i]) before it is stored: bias and res already at the tile's
// first row (0: none), act a ConvAct (pointwise.ts).
export function microkernelEp(kc: i32, pa: usize, pb: usize, ldb: usize, c: usize, ldc: usize, mr: i32, nr: i32, add: bool, scratch: usize, ep: bool, bias: usize, res: usize, act: i32): void {
  tile(kc, pa, pb, ldb, c, ldc, mr, nr, add, scratch, ep, bias, res, act);
}

// Transposes the 4×4 block whose rows start at s, s+ld, s+2ld, s+3ld into 4 consecutive
// v128 at d, d+dstride, …: d row p = (s[0][p], s[1][p], s[2][p], s[3][p]).
// @ts-ignore: decorator
@inline function transpose4x4(s: usize, ld: usize, d: usize, dstride: usize): void {
  const r0 = v128.load(s), r1 = v128.load(s + ld), r2 = v128.load(s + 2 * ld), r3 = v128.load(s + 3 * ld);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(d + dstride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(d + 2 * dstride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(d + 3 * dstride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// The lower triangle of c [n, n] (rows n·4 bytes apart) copied from the upper: in 16×16 blocks
// so that the column reads stay in cache, whole 4×4 blocks below the diagonal transposed in
// registers, the rest one by one.
export function mirrorUpper(c: usize, n: i32): void {
  const ldc = <usize>n << 2;
  for (let i0 = 0; i0 < n; i0 += 16) {
    const i1 = min(i0 + 16, n);
    for (let j0 = 0; j0 <= i0; j0 += 16) {
      const j1 = min(j0 + 16, n);
      for (let ib = i0; ib < i1; ib += 4) {
        const whole = ib + 4 <= n;
        if (whole) for (let jb = j0; jb < min(j1, ib); jb += 4) transpose4x4(c + <usize>jb * ldc + (<usize>ib << 2), ldc, c + <usize>ib * ldc + (<usize>jb << 2), ldc);
        for (let i = ib; i < min(ib + 4, i1); i++) {
          for (let j = whole ? max(j0, ib) : j0; j < min(j1, i); j++) store<f32>(c + <usize>i * ldc + (<usize>j << 2), load<f32>(c + <usize>j * ldc + (<usize>i << 2)));
        }
      }
    }
  }
}

// Packs a "contiguous" block: element (p, r) is src[p·ld + r] (lanes already contiguous):
// A for tn, B for nn/tn. cols ≤ w valid lanes; missing lanes are zero. ld in bytes.
// @ts-ignore: decorator
@inline export function packLanesFromCols(src: usize, ld: usize, cols: i32, kc: i32, dst: usize, w: i32): void {
  const dstride = <usize>w << 2;
  if (cols == w) {
    for (let p = 0; p < kc; p++) {
      const s = src + <usize>p * ld;
      const d = dst + <usize>p * dstride;
      let q = 0;
      for (; q + 4 <= w; q += 4) v128.store(d + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
      for (; q < w; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>q << 2)));
    }
    return;
  }
  memory.fill(dst, 0, <usize>kc * dstride);
  for (let p = 0; p < kc; p++) {
    const s = src + <usize>p * ld;
    const d = dst + <usize>p * dstride;
    for (let q = 0; q < cols; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>q << 2)));
  }
}

// Packs a "strided" block: dst panel of w lanes (w = MR or NR) per step p, where element
// (p, r) is src[r·ld + p] (rows of the source are the lanes): A for nn/nt, B for nt.
// rows ≤ w valid lanes; missing lanes are zero. ld in bytes.
// @ts-ignore: decorator
@inline export function packLanesFromRows(src: usize, ld: usize, rows: i32, kc: i32, dst: usize, w: i32): void {
  const dstride = <usize>w << 2;
  if (rows == w) {
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const s = src + (<usize>p << 2);
      const d = dst + <usize>p * dstride;
      let r = 0;
      for (; r + 4 <= w; r += 4) transpose4x4(s + <usize>r * ld, ld, d + (<usize>r << 2), dstride);
      for (; r < w; r++) {
        for (let q = 0; q < 4; q++) store<f32>(d + <usize>q * dstride + (<usize>r << 2), load<f32>(s + <usize>r * ld + (<usize>q << 2)));
      }
    }
    for (; p < kc; p++) {
      const d = dst + <usize>p * dstride;
      for (let r = 0; r < w; r++) store<f32>(d + (<usize>r << 2), load<f32>(src + <usize>r * ld + (<usize>p << 2)));
    }
    return;
  }
  memory.fill(dst, 0, <usize>kc * dstride);
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * ld;
    const d = dst + (<usize>r << 2);
    for (let p = 0; p < kc; p++) store<f32>(d + <usize>p * dstride, load<f32>(s + (<usize>p << 2)));
  }
}


// Rows of a whole packed A: m rounded up to a multiple of MR (the last panel's missing rows are zeros).
// @ts-ignore: decorator
@inline export function panelRows(m: i32): i32 {
  return (m + MR - 1) / MR * MR;
}
