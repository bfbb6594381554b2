// GEMM: C[m, n] (+)= op(A) · op(B), row-major, f32.
//   f32_gemm_nn: A [m, k],        B [k, n]
//   f32_gemm_tn: A stored [k, m], B [k, n]        (C = Aᵀ·B, weight gradients)
//   f32_gemm_nt: A [m, k],        B stored [n, k] (C = A·Bᵀ, y = x·Wᵀ)
// accumulate != 0 adds into C (gradient accumulation); otherwise C is overwritten and never
// read (it may hold garbage or NaN). m or n = 0 is a no-op; k = 0 zeroes C unless accumulating.
//
// Goto/BLIS blocking; the three forms differ only in how they pack:
//   for jc in n by NC:  for pc in k by KC:  pack B[pc.., jc..] → KC×NR panels (ws)
//     for ic in m by MC:  pack A[ic.., pc..] → MR×KC panels (ws)
//       for jr by NR, ir by MR:  MR×NR microkernel over kc, C tile += Apanel · Bpanel
// Packed A panel: kc groups of MR values (column p of the MR rows); packed B panel: kc rows of
// NR values. Rows/columns beyond m/n are packed as zeros, so the microkernel always computes a
// full tile and only its stores are clipped (through a scratch tile in ws).
// Contract: A, B, C are read/written strictly within their m·k, k·n, m·n elements (no
// over-read, they may end at the end of memory); ws must be f32_gemm_workspace_bytes() bytes,
// 16-byte aligned. Nothing allocates or throws.

// Register tile: MR rows × NR columns = MR·NR/4 v128 accumulators. V8 on x64 gives wasm 15
// xmm registers: 5×8 uses 10 accumulators + 2 B vectors + the A splat + the product = 14.
// Measured on this machine (512³): 4×8 ≈ 41 GFLOP/s (8 chains sit on the add latency),
// 5×8 ≈ 48, 6×8 ≈ 26 (16 live registers: spills). Relaxed builds: 4×8, 5×8, 6×8 all ≈ 49.
// Unrolling k by 2 made V8 spill (≈ 25-30) so the loop is not unrolled.
// @ts-ignore: decorator
@inline const MR = 5;
// @ts-ignore: decorator
@inline const NR = 8;
// Cache blocks: a KC×NR B panel (8 KiB) stays in L1 across the ir loop, the MC×KC A block
// (120 KiB) in L2 across the jr loop, the KC×NC B block (1 MiB) streams from L2/L3 across ic.
// MC is a multiple of MR and NC of NR, so padded panels always fit the workspace.
// @ts-ignore: decorator
@inline const KC = 256;
// @ts-ignore: decorator
@inline const MC = 120;
// @ts-ignore: decorator
@inline const NC = 1024;

// Workspace layout: packed A block | packed B block | one MR×NR scratch tile.
// @ts-ignore: decorator
@inline const WS_A_BYTES = MC * KC * 4;
// @ts-ignore: decorator
@inline const WS_B_BYTES = KC * NC * 4;
// @ts-ignore: decorator
@inline const WS_TILE_BYTES = MR * NR * 4;

export function f32_gemm_workspace_bytes(): i32 {
  return WS_A_BYTES + WS_B_BYTES + WS_TILE_BYTES;
}

// Forms, compile-time constants at every call site so each export gets its own packers.
// @ts-ignore: decorator
@inline const NN = 0;
// @ts-ignore: decorator
@inline const TN = 1;
// @ts-ignore: decorator
@inline const NT = 2;

// acc + a·b; fused (one rounding) in the relaxed build.
// @ts-ignore: decorator
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// Stores one 8-wide accumulator row pair into C (overwriting or adding).
// @ts-ignore: decorator
@inline function storeRow(c: usize, lo: v128, hi: v128, add: bool): void {
  if (add) {
    lo = f32x4.add(v128.load(c), lo);
    hi = f32x4.add(v128.load(c, 16), hi);
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}

// C[0..mr, 0..nr] (+)= Σ_p pa[p] ⊗ pb[p] over kc packed steps; ldc in bytes.
// Each accumulator chain carries only the add (the product is independent), so 10 chains
// keep both FP add ports busy without waiting on latency.
function microkernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, mr: i32, nr: i32, add: bool, tile: usize): void {
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
    pb += NR * 4;
  }
  if (mr == MR && nr == NR) {
    storeRow(c, c00, c01, add);
    storeRow(c + ldc, c10, c11, add);
    storeRow(c + 2 * ldc, c20, c21, add);
    storeRow(c + 3 * ldc, c30, c31, add);
    storeRow(c + 4 * ldc, c40, c41, add);
    return;
  }
  // Edge tile: spill to the scratch tile, then copy only the valid mr×nr part, so C is
  // never touched (nor read) outside its m×n elements.
  storeRow(tile, c00, c01, false);
  storeRow(tile + NR * 4, c10, c11, false);
  storeRow(tile + 2 * NR * 4, c20, c21, false);
  storeRow(tile + 3 * NR * 4, c30, c31, false);
  storeRow(tile + 4 * NR * 4, c40, c41, false);
  for (let r = 0; r < mr; r++) {
    const cr = c + <usize>r * ldc;
    const tr = tile + ((<usize>r * NR) << 2);
    for (let q = 0; q < nr; q++) {
      const o = <usize>q << 2;
      const v = load<f32>(tr + o);
      store<f32>(cr + o, add ? load<f32>(cr + o) + v : v);
    }
  }
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

// Packs a "strided" block: dst panel of w lanes (w = MR or NR) per step p, where element
// (p, r) is src[r·ld + p] (rows of the source are the lanes): A for nn/nt, B for nt.
// rows ≤ w valid lanes; missing lanes are zero. ld in bytes.
// @ts-ignore: decorator
@inline function packLanesFromRows(src: usize, ld: usize, rows: i32, kc: i32, dst: usize, w: i32): void {
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

// Packs a "contiguous" block: element (p, r) is src[p·ld + r] (lanes already contiguous):
// A for tn, B for nn/tn. cols ≤ w valid lanes; missing lanes are zero. ld in bytes.
// @ts-ignore: decorator
@inline function packLanesFromCols(src: usize, ld: usize, cols: i32, kc: i32, dst: usize, w: i32): void {
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

// Packs op(A)[ic..ic+mc, pc..pc+kc] into ceil(mc/MR) panels of MR×kc.
// @ts-ignore: decorator
@inline function packA(form: i32, a: usize, m: i32, k: i32, ic: i32, pc: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const d = dst + ((<usize>ir * kc) << 2);
    if (form == TN) {
      // A stored [k, m]: op(A)[i, p] = a[p·m + i].
      packLanesFromCols(a + ((<usize>pc * m + ic + ir) << 2), <usize>m << 2, rows, kc, d, MR);
    } else {
      packLanesFromRows(a + ((<usize>(ic + ir) * k + pc) << 2), <usize>k << 2, rows, kc, d, MR);
    }
  }
}

// Packs op(B)[pc..pc+kc, jc..jc+nc] into ceil(nc/NR) panels of kc×NR.
// @ts-ignore: decorator
@inline function packB(form: i32, b: usize, k: i32, n: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const d = dst + ((<usize>jr * kc) << 2);
    if (form == NT) {
      // B stored [n, k]: op(B)[p, j] = b[j·k + p].
      packLanesFromRows(b + ((<usize>(jc + jr) * k + pc) << 2), <usize>k << 2, cols, kc, d, NR);
    } else {
      packLanesFromCols(b + ((<usize>pc * n + jc + jr) << 2), <usize>n << 2, cols, kc, d, NR);
    }
  }
}

// Computes only the block C[i0..i1, j0..j1] of the m×n product (threads split one product
// this way, each over its own ws). Every element sums its k terms in the same order whatever
// the block, so a split product is bitwise equal to the whole one.
// @ts-ignore: decorator
@inline function gemm(form: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (i1 <= i0 || j1 <= j0) return;
  const ldc = <usize>n << 2;
  if (k <= 0) {
    if (!accumulate) for (let i = i0; i < i1; i++) memory.fill(c + <usize>i * ldc + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
    return;
  }
  const pa = ws, pb = ws + WS_A_BYTES, tile = pb + WS_B_BYTES;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      // Only the first k block may overwrite C; later ones add to it.
      const add = accumulate != 0 || pc > 0;
      packB(form, b, k, n, pc, jc, kc, nc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(form, a, m, k, ic, pc, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = pb + ((<usize>jr * kc) << 2);
          const cj = c + ((<usize>ic * n + jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            microkernel(kc, pa + ((<usize>ir * kc) << 2), bp, cj + <usize>ir * ldc, ldc, min(MR, mc - ir), nr, add, tile);
          }
        }
      }
    }
  }
}

export function f32_gemm_nn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(NN, a, b, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0));
}

export function f32_gemm_tn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(TN, a, b, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0));
}

export function f32_gemm_nt(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(NT, a, b, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0));
}

// The block C[i0..i1, j0..j1] of the products above (one thread's share).
export function f32_gemm_part(form: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (form == NN) gemm(NN, a, b, c, m, k, n, accumulate, ws, i0, i1, j0, j1);
  else if (form == TN) gemm(TN, a, b, c, m, k, n, accumulate, ws, i0, i1, j0, j1);
  else gemm(NT, a, b, c, m, k, n, accumulate, ws, i0, i1, j0, j1);
}
