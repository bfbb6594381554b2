// The inference 1×1 convolution (stride 1, no padding) of one image over weights packed once:
//   y [oc, n] = act(W [oc, c] · x [c, n] + b (+ res)),  n = h·w,
// the GEMM of gemm.ts (same KC blocks, same microkernel: each output sums its terms in the
// same order, so y is bitwise f32_gemm_nn followed by conv.ts's biasAct) with the bias, the
// shortcut and the activation applied to each MR×NR tile as soon as its last k block is
// stored, while it is in L1. A separate pass re-read and re-wrote the whole output from
// memory: MobileNetV2's expansions write 6× their input (96 × 112² floats for the first).
// Internal to the kernels (conv.ts calls it; assembly/index.ts does not re-export it).
import { KC, MR, NR, microkernel, packLanesFromCols } from './gemm-tile';
import { convActS, convActV } from './vec';
import { ConvAct } from '../codes';

// Column block (the B block kc×PW_NC streams from L2 across the row blocks) and row block
// (the PW_MC×kc packed A block stays in L2 across the column panels), as gemm.ts's NC and MC;
// the B block and one MR×NR tile fit the GEMM workspace.
// @ts-ignore: decorator
@inline const PW_NC = 512;
// @ts-ignore: decorator
@inline const PW_MC = 120;

// x[pc.., jc..jc+nc] (rows n floats apart) into ceil(nc / NR) panels of kc rows of NR lanes
// (missing lanes zero).
// @ts-ignore: decorator
@inline function packColumns(x: usize, n: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) packLanesFromCols(x + ((<usize>pc * n + jc + jr) << 2), <usize>n << 2, min(NR, nc - jr), kc, dst + ((<usize>jr * kc) << 2), NR);
}

// The rows × cols tile at c (rows ldc bytes apart, first row o0): act((y + b[o]) + res) in
// place, the order of conv.ts's biasAct; r = the residual at the same place, or 0.
// @ts-ignore: decorator
@inline function epilogue(c: usize, r: usize, ldc: usize, bias: usize, o0: i32, rows: i32, cols: i32, act: i32): void {
  for (let i = 0; i < rows; i++) {
    const s: f32 = bias ? load<f32>(bias + (<usize>(o0 + i) << 2)) : 0;
    const cr = c + <usize>i * ldc, rr = r + <usize>i * ldc;
    if (cols == NR) {
      const v = f32x4.splat(s);
      let lo = f32x4.add(v128.load(cr), v), hi = f32x4.add(v128.load(cr, 16), v);
      if (r) {
        lo = f32x4.add(lo, v128.load(rr));
        hi = f32x4.add(hi, v128.load(rr, 16));
      }
      v128.store(cr, convActV(lo, act));
      v128.store(cr, convActV(hi, act), 16);
      continue;
    }
    for (let q = 0; q < cols; q++) {
      const o = <usize>q << 2;
      let y = load<f32>(cr + o) + s;
      if (r) y += load<f32>(rr + o);
      store<f32>(cr + o, convActS(y, act));
    }
  }
}

// packed: f32_pack_a_panels(W, packed, oc, c, KC); res: [oc, n] or 0; ws: the GEMM workspace.
export function pointwisePacked(x: usize, packed: usize, bias: usize, res: usize, y: usize, oc: i32, c: i32, n: i32, act: i32, ws: usize): void {
  const ldc = <usize>n << 2;
  const pb = ws, tile = ws + ((<usize>KC * PW_NC) << 2);
  const fused = bias != 0 || res != 0 || act != ConvAct.none;
  const rows = (oc + MR - 1) / MR * MR;
  for (let jc = 0; jc < n; jc += PW_NC) {
    const nc = min(PW_NC, n - jc);
    for (let pc = 0; pc < c; pc += KC) {
      const kc = min(KC, c - pc);
      const last = fused && pc + kc >= c;
      packColumns(x, n, pc, jc, kc, nc, pb);
      const ap = packed + ((<usize>pc * rows) << 2);
      for (let ic = 0; ic < oc; ic += PW_MC) {
        const mc = min(PW_MC, oc - ic);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = pb + ((<usize>jr * kc) << 2);
          const at = <usize>ic * ldc + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const off = at + <usize>ir * ldc;
            microkernel(kc, ap + ((<usize>(ic + ir) * kc) << 2), bp, y + off, ldc, mr, nr, pc > 0, tile);
            if (last) epilogue(y + off, res ? res + off : 0, ldc, bias, ic + ir, mr, nr, act);
          }
        }
      }
    }
  }
}
