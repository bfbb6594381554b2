// The inference 1×1 convolution (stride 1, no padding) of one image over weights packed once:
//   y [oc, n] = act(W [oc, c] · x [c, n] + b (+ res)),  n = h·w,
// the GEMM of gemm.ts (same KC blocks, same microkernel: each output sums its terms in the
// same order, so y is bitwise f32_gemm_nn followed by conv.ts's biasAct) with the bias, the
// shortcut and the activation applied in registers to each MR×NR tile of the last k block
// before it is stored (microkernelEp): a separate pass re-read and re-wrote the whole output,
// and MobileNetV2's expansions write 6× their input (96 × 112² floats for the first).
// With c ≤ KC (one k block: every layer of MobileNetV2 with under 257 input channels) the
// microkernel reads x's rows in place instead of a packed copy, only a part-filled last
// panel is packed (zero lanes): the copy was a pass over the input per layer.
// Internal to the kernels (conv.ts calls it; assembly/index.ts does not re-export it).
import { KC, MR, NR, microkernelEp, packLanesFromCols } from './gemm-tile';
import { ConvAct } from '../codes';

// Column block (the B block kc×PW_NC streams from L2 across the row blocks) and row block
// (the PW_MC×kc packed A block stays in L2 across the column panels), as gemm.ts's NC and MC;
// the B block and one MR×NR tile fit the GEMM workspace.
// @ts-ignore: decorator
@inline const PW_NC = 512;
// @ts-ignore: decorator
@inline const PW_MC = 120;

// x[pc.., jc+j0..jc+nc] (rows n floats apart) into panels of kc rows of NR lanes (missing
// lanes zero), the panel of column jr at dst + jr·kc floats.
// @ts-ignore: decorator
@inline function packColumns(x: usize, n: i32, pc: i32, jc: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = j0; jr < nc; jr += NR) packLanesFromCols(x + ((<usize>pc * n + jc + jr) << 2), <usize>n << 2, min(NR, nc - jr), kc, dst + ((<usize>jr * kc) << 2), NR);
}

// The tile of rows o.. and columns jc + jr.. over k block pc: B in place (x's rows, direct and
// a whole panel) or from the packed block pb; the epilogue when last.
// @ts-ignore: decorator
@inline function tileAt(
  x: usize, pb: usize, ap: usize, y: usize, bias: usize, res: usize, n: i32, pc: i32, jc: i32, jr: i32, nc: i32, kc: i32,
  o: i32, oc: i32, direct: bool, last: bool, act: i32, tile: usize,
): void {
  const ldc = <usize>n << 2;
  const nr = min(NR, nc - jr);
  const inPlace = direct && nr == NR;
  const bp = inPlace ? x + ((<usize>pc * n + jc + jr) << 2) : pb + ((<usize>jr * kc) << 2);
  const off = <usize>o * ldc + (<usize>(jc + jr) << 2);
  const b = last && bias ? bias + (<usize>o << 2) : 0;
  microkernelEp(kc, ap + ((<usize>o * kc) << 2), bp, inPlace ? ldc : NR * 4, y + off, ldc, min(MR, oc - o), nr, pc > 0, tile, last, b, last && res ? res + off : 0, act);
}

// packed: f32_pack_a_panels(W, packed, oc, c, KC); res: [oc, n] or 0; ws: the GEMM workspace.
export function pointwisePacked(x: usize, packed: usize, bias: usize, res: usize, y: usize, oc: i32, c: i32, n: i32, act: i32, ws: usize): void {
  const pb = ws, tile = ws + ((<usize>KC * PW_NC) << 2);
  const fused = bias != 0 || res != 0 || act != ConvAct.none;
  const rows = (oc + MR - 1) / MR * MR;
  const direct = c <= KC;
  // Maps of a block or more with x read in place: each MR-row tile sweeps the block's panels,
  // so its output rows are written as MR sequential streams, not oc scattered 32-byte pieces
  // (interleaved A/B at batch 32, CPU time: 1.21× on 16→96 at 112², 1.07-1.09× on 32→16 and
  // 144→24; on 14² maps the panel-outer order keeps the B panel in L1: 0.79-0.92× otherwise).
  const rowsOuter = direct && n >= PW_NC;
  for (let jc = 0; jc < n; jc += PW_NC) {
    const nc = min(PW_NC, n - jc);
    for (let pc = 0; pc < c; pc += KC) {
      const kc = min(KC, c - pc);
      const last = fused && pc + kc >= c;
      packColumns(x, n, pc, jc, direct ? nc - nc % NR : 0, kc, nc, pb);
      const ap = packed + ((<usize>pc * rows) << 2);
      if (rowsOuter) {
        for (let o = 0; o < oc; o += MR) {
          for (let jr = 0; jr < nc; jr += NR) tileAt(x, pb, ap, y, bias, res, n, pc, jc, jr, nc, kc, o, oc, direct, last, act, tile);
        }
        continue;
      }
      for (let ic = 0; ic < oc; ic += PW_MC) {
        const mc = min(PW_MC, oc - ic);
        for (let jr = 0; jr < nc; jr += NR) {
          for (let ir = 0; ir < mc; ir += MR) tileAt(x, pb, ap, y, bias, res, n, pc, jc, jr, nc, kc, ic + ir, oc, direct, last, act, tile);
        }
      }
    }
  }
}
