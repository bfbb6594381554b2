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

// The register tile (MR×NR microkernel) and the row-block packer live in gemm-tile.ts.
import { KC, MR, NR, microkernel, packLanesFromCols, packLanesFromRows, mirrorUpper, panelRows } from './gemm-tile';

// Cache blocks: a KC×NR B panel (8 KiB) stays in L1 across the ir loop, the MC×KC A block
// (120 KiB) in L2 across the jr loop, the KC×NC B block (1 MiB) streams from L2/L3 across ic.
// MC is a multiple of MR and NC of NR, so padded panels always fit the workspace.
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
// packedA / packedB ≠ 0: op(A) / op(B) already packed whole (f32_pack_a_panels with kb = KC,
// f32_pack_bt_panels), read in place of the ws copies; 0 at every other call site, so their
// code is unchanged.
// @ts-ignore: decorator
@inline function gemm(form: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize, i0: i32, i1: i32, j0: i32, j1: i32, packedA: usize = 0, packedB: usize = 0): void {
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
      let bpk = pb;
      if (packedB) bpk = packedB + ((<usize>pc * panelCols(n) + <usize>jc * kc) << 2);
      else packB(form, b, k, n, pc, jc, kc, nc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        let ap = pa;
        if (packedA) ap = packedA + ((<usize>pc * panelRows(m) + <usize>ic * kc) << 2);
        else packA(form, a, m, k, ic, pc, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = bpk + ((<usize>jr * kc) << 2);
          const cj = c + ((<usize>ic * n + jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            microkernel(kc, ap + ((<usize>ir * kc) << 2), bp, cj + <usize>ir * ldc, ldc, min(MR, mc - ir), nr, add, tile);
          }
        }
      }
    }
  }
}

export function f32_gemm_nn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(NN, a, b, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0));
}

// A [m, k] row-major -> dst, the MR-row panels the microkernel reads, k in blocks of kb:
// block pc (kc = min(kb, k − pc) columns), rows ir..ir+MR at dst + pc·panelRows(m) + ir·kc
// floats, each panel kc groups of MR values (rows past m zero). panelRows(m)·k floats.
// kb = KC is f32_gemm_nn_packed's layout; the direct convolution blocks k by whole channels.
export function f32_pack_a_panels(a: usize, dst: usize, m: i32, k: i32, kb: i32): void {
  packPanels(a, dst, m, k, kb, MR, panelRows(m));
}

// B stored [n, k] (f32_gemm_nt's, a Linear layer's weight) -> the kc×NR panels the
// microkernel reads, as f32_pack_a_panels with NR lanes and kb = KC: f32_gemm_nt_packed's layout.
export function f32_pack_bt_panels(b: usize, dst: usize, n: i32, k: i32): void {
  packPanels(b, dst, n, k, KC, NR, panelCols(n));
}

// Floats of f32_pack_bt_panels' output for B [n, k].
export function f32_pack_bt_panels_floats(n: i32, k: i32): i32 {
  return panelCols(n) * k;
}

// Rows of src [rows, k] as lanes of w-wide panels, k in blocks of kb, rows padded to `padded`.
// @ts-ignore: decorator
@inline function packPanels(src: usize, dst: usize, rows: i32, k: i32, kb: i32, w: i32, padded: i32): void {
  for (let pc = 0; pc < k; pc += kb) {
    const kc = min(kb, k - pc);
    for (let r = 0; r < rows; r += w) {
      packLanesFromRows(src + ((<usize>r * k + pc) << 2), <usize>k << 2, min(w, rows - r), kc, dst + ((<usize>pc * padded + <usize>r * kc) << 2), w);
    }
  }
}

// Columns of a whole packed B: n rounded up to a multiple of NR.
// @ts-ignore: decorator
@inline function panelCols(n: i32): i32 {
  return (n + NR - 1) / NR * NR;
}

// Floats of f32_pack_a_panels' output for A [m, k].
export function f32_pack_a_panels_floats(m: i32, k: i32): i32 {
  return panelRows(m) * k;
}

// C = A·B with A pre-packed by f32_pack_a_panels(a, packed, m, k, KC) (inference: a
// layer's weights packed once, not at every call); bitwise f32_gemm_nn(a, B).
export function f32_gemm_nn_packed(packed: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(NN, 0, b, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0), packed);
}

// C = A·Bᵀ with B pre-packed by f32_pack_bt_panels (inference: a Linear layer's weight packed
// once); bitwise f32_gemm_nt(A, b).
export function f32_gemm_nt_packed(a: usize, packed: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(NT, a, 0, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0), 0, packed);
}

export function f32_gemm_tn(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(TN, a, b, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0));
}

export function f32_gemm_nt(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize): void {
  gemm(NT, a, b, c, m, k, n, accumulate, ws, 0, max(m, 0), 0, max(n, 0));
}

// C = A·Aᵀ, a [n, k], c [n, n] (overwritten): a product of a batch with itself is symmetric,
// so only the register tiles that reach the diagonal or lie above it are multiplied (each B
// panel against the row panels up to its last column; B packed once per block, as in gemm)
// and the rest mirrored — about half the multiply-adds. Each element sums its terms in the
// order f32_gemm_nt would, and a_i·a_j = a_j·a_i exactly, so C is bitwise f32_gemm_nt(a, a).
export function f32_gemm_nt_self(a: usize, c: usize, n: i32, k: i32, ws: usize): void {
  if (n <= 0) return;
  const ldc = <usize>n << 2;
  if (k <= 0) {
    memory.fill(c, 0, <usize>n * ldc);
    return;
  }
  const pa = ws, pb = ws + WS_A_BYTES, tile = pb + WS_B_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    // rows at or past the block's last column have no tile in it
    const rows = min(n, jc + nc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const add = pc > 0;
      packB(NT, a, k, n, pc, jc, kc, nc, pb);
      for (let ic = 0; ic < rows; ic += MC) {
        const mc = min(MC, rows - ic);
        packA(NT, a, n, k, ic, pc, mc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          // row panels whose first row is left of this panel's end: the tiles on or above the diagonal
          const last = min(mc, jc + jr + nr - ic);
          const bp = pb + ((<usize>jr * kc) << 2);
          const cj = c + ((<usize>ic * n + jc + jr) << 2);
          for (let ir = 0; ir < last; ir += MR) {
            microkernel(kc, pa + ((<usize>ir * kc) << 2), bp, cj + <usize>ir * ldc, ldc, min(MR, mc - ir), nr, add, tile);
          }
        }
      }
    }
  }
  mirrorUpper(c, n);
}

// The block C[i0..i1, j0..j1] of the products above (one thread's share).
export function f32_gemm_part(form: i32, a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32, ws: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (form == NN) gemm(NN, a, b, c, m, k, n, accumulate, ws, i0, i1, j0, j1);
  else if (form == TN) gemm(TN, a, b, c, m, k, n, accumulate, ws, i0, i1, j0, j1);
  else gemm(NT, a, b, c, m, k, n, accumulate, ws, i0, i1, j0, j1);
}
