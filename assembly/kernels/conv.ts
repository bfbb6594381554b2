// 2-D convolution (cross-correlation, as torch.nn.Conv2d), NCHW, through im2col + GEMM.
//   x [n, c, h, w], weight [oc, c, kh, kw], bias [oc] (0 = none), y [n, oc, oh, ow]
//   oh = (h + 2·ph − kh) / sh + 1, ow likewise (floor).
// Images go in groups of g: col [c·kh·kw, g·oh·ow] holds the receptive fields of g images
// side by side (zero where they fall in the padding), so that one GEMM serves the group:
//   forward        Y_g  = W · col_g                 (gemm nn: [oc, ckk] · [ckk, g·ohw])
//   to input       dcol = Wᵀ · dY_g, dx = col2im    (gemm tn)
//   to weight      dW  += dY_g · col_gᵀ             (gemm nt: [oc, g·ohw] · [g·ohw, ckk])
//   to bias        db  += Σ_spatial dy
// Y_g / dY_g are [oc, g·ohw]: the group's outputs gathered from (or scattered to) NCHW.
// Grouping helps a little when oh·ow is small (an 11×11 map): a GEMM n of a few hundred
// instead of 121 packs the weights once per group; the caller picks g (src/ops/conv.ts).
// scratch: col then ybuf, (c·kh·kw + oc)·group·oh·ow floats; with group 1 the GEMM reads and
// writes the image's own rows and ybuf is not used.
// A 1×1 kernel with stride 1 and no padding is already its own col: no copy, no grouping.
// The forward usually skips col altogether (convFwdDirect below: GEMM panels packed straight
// from the padded image, one image at a time, output written in place; column stride 1 or 2); scratch is then the
// larger of the two needs (f32_conv2d_fwd_direct_scratch). The filter gradient likewise packs
// its B panels from the padded image when the column stride is 1 (bwdFilterDirectBlock); the
// input gradient keeps im2col's adjoint.
import { f32_gemm_nn, f32_gemm_nn_packed, f32_gemm_part, f32_gemm_tn, f32_gemm_workspace_bytes } from './gemm';
import { KC, MR, NR, microkernel, packLanesFromRows, panelRows } from './gemm-tile';
import { addInto, convActS, convActV } from './vec';
import { pointwisePacked } from './pointwise';
import { ConvAct } from '../codes';

// f32_gemm_part's form code for C = A·Bᵀ.
// @ts-ignore: decorator
@inline const NT = 2;

// @ts-ignore: decorator
@inline function isPointwise(kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
}

// First and one-past-last output column whose input column ox·sw − pw + kj lies in [0, w).
// @ts-ignore: decorator
@inline function validLo(kj: i32, sw: i32, pw: i32): i32 {
  const t = pw - kj;
  return t <= 0 ? 0 : (t + sw - 1) / sw;
}
// @ts-ignore: decorator
@inline function validHi(kj: i32, sw: i32, pw: i32, w: i32, ow: i32): i32 {
  const t = w + pw - kj; // ox·sw < t
  if (t <= 0) return 0;
  const hi = (t + sw - 1) / sw;
  return hi < ow ? hi : ow;
}

// dst[from..to) = 0
// @ts-ignore: decorator
@inline function zeroFloats(dst: usize, from: i32, to: i32): void {
  let j = from;
  for (; j + 4 <= to; j += 4) v128.store(dst + (<usize>j << 2), i32x4.splat(0));
  for (; j < to; j++) store<f32>(dst + (<usize>j << 2), 0);
}

// dst[0..len) = src[0..len) (not overlapping)
// @ts-ignore: decorator
@inline function copyFloats(dst: usize, src: usize, len: i32): void {
  let j = 0;
  for (; j + 4 <= len; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
  for (; j < len; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
}

// col[(ci·kh + ki)·kw + kj, oy·ow + ox] = x[ci, oy·sh − ph + ki, ox·sw − pw + kj] or 0;
// col rows are ld floats apart (ld ≥ oh·ow: one image's block of a group).
function im2col(x: usize, col: usize, ld: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  let row = col;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + ((<usize>ci * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const lo = validLo(kj, sw, pw);
        const hi = validHi(kj, sw, pw, w, ow);
        for (let oy = 0; oy < oh; oy++) {
          const dst = row + ((<usize>oy * ow) << 2);
          const iy = oy * sh - ph + ki;
          // Rows are a few dozen floats: inline loops, not memory.fill / memory.copy, whose
          // per-call cost in V8 outweighs copying rows this short.
          if (iy < 0 || iy >= h || lo >= hi) {
            zeroFloats(dst, 0, ow);
            continue;
          }
          zeroFloats(dst, 0, lo);
          zeroFloats(dst, hi, ow);
          const src = plane + ((<usize>iy * w + (lo * sw - pw + kj)) << 2);
          if (sw == 1) {
            copyFloats(dst + (<usize>lo << 2), src, hi - lo);
          } else {
            let s = src;
            for (let ox = lo; ox < hi; ox++) {
              store<f32>(dst + (<usize>ox << 2), load<f32>(s));
              s += <usize>sw << 2;
            }
          }
        }
        row += <usize>ld << 2;
      }
    }
  }
}

// dx[ci, iy, ix] += col[...]: the adjoint of im2col (padding positions are dropped).
function col2imAdd(col: usize, ld: i32, dx: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  let row = col;
  for (let ci = 0; ci < c; ci++) {
    const plane = dx + ((<usize>ci * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const lo = validLo(kj, sw, pw);
        const hi = validHi(kj, sw, pw, w, ow);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= h || lo >= hi) continue;
          const src = row + ((<usize>oy * ow + lo) << 2);
          const dst = plane + ((<usize>iy * w + (lo * sw - pw + kj)) << 2);
          const len = hi - lo;
          if (sw == 1) {
            addInto(dst, src, len);
          } else {
            for (let j = 0; j < len; j++) {
              const d = dst + ((<usize>j * sw) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>j << 2)));
            }
          }
        }
        row += <usize>ld << 2;
      }
    }
  }
}

// rows [oc, ohw] of image i in NCHW <-> columns [j·ohw, (j+1)·ohw) of a [oc, ld] matrix.
function gatherRows(src: usize, dst: usize, ld: i32, oc: i32, ohw: i32): void {
  for (let o = 0; o < oc; o++) memory.copy(dst + ((<usize>o * ld) << 2), src + ((<usize>o * ohw) << 2), <usize>ohw << 2);
}
function scatterRows(src: usize, ld: i32, dst: usize, oc: i32, ohw: i32): void {
  for (let o = 0; o < oc; o++) memory.copy(dst + ((<usize>o * ohw) << 2), src + ((<usize>o * ld) << 2), <usize>ohw << 2);
}

// y[i, o, :] = act(y[i, o, :] + b[o]) (bias 0: none; act a ConvAct), or with a residual
// ri ≠ 0 (image i of a tensor shaped as y) act((y + b) + r): a block's shortcut added in the
// same pass, in the order of the unfused add.
function biasAct(yi: usize, bias: usize, oc: i32, ohw: i32, act: i32, ri: usize): void {
  if (ri) {
    biasResAct(yi, bias, oc, ohw, act, ri);
    return;
  }
  for (let o = 0; o < oc; o++) {
    const s: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
    const v = f32x4.splat(s);
    const r = yi + ((<usize>o * ohw) << 2);
    let j = 0;
    for (; j + 4 <= ohw; j += 4) v128.store(r + (<usize>j << 2), convActV(f32x4.add(v128.load(r + (<usize>j << 2)), v), act));
    for (; j < ohw; j++) store<f32>(r + (<usize>j << 2), convActS(load<f32>(r + (<usize>j << 2)) + s, act));
  }
}
function biasResAct(yi: usize, bias: usize, oc: i32, ohw: i32, act: i32, ri: usize): void {
  for (let o = 0; o < oc; o++) {
    const s: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
    const v = f32x4.splat(s);
    const off = (<usize>o * ohw) << 2;
    const r = yi + off, q = ri + off;
    let j = 0;
    for (; j + 4 <= ohw; j += 4) {
      const at = <usize>j << 2;
      v128.store(r + at, convActV(f32x4.add(f32x4.add(v128.load(r + at), v), v128.load(q + at)), act));
    }
    for (; j < ohw; j++) store<f32>(r + (<usize>j << 2), convActS(load<f32>(r + (<usize>j << 2)) + s + load<f32>(q + (<usize>j << 2)), act));
  }
}

// Direct forward (no col matrix, no scatter), used when the column stride is 1 or 2 and an
// output row holds at least NR pixels. Per image:
//   xpad [c, hp, wp] (hp = h + 2·ph, wp = w + 2·pw): the image inside a zero border;
//   for each panel of NR consecutive output pixels q0..q0+NR (flattened oy·ow + ox):
//     pack its kc rows straight from xpad into one kc×NR B panel (L1),
//     then the MR×NR microkernel over every MR-row panel of the packed weights (L2),
//     storing into y's own rows: C = y_i viewed as [oc, ohw], no reordering after.
// Panel lanes are flat output pixels: row (ci, ki, kj) of the panel is xpad[ci] read at
// pad(q0) + ki·wp + kj + l·sw for lane l, pad(oy·ow + ox) = oy·sh·wp + ox·sw, except that
// lanes past the end of output row oy (l ≥ a = ow − ox0; NR ≤ ow so there is at most one
// such break) continue on row oy + 1, i.e. jump = sh·wp − ow·sw floats further. So each row
// is two (stride 2: two pairs of shuffled) unaligned 8-float loads, at +0 and +jump, merged by
// a per-panel lane mask. Lanes past ohw in the last panel read finite garbage from xpad's
// zeroed tail; their columns are never stored.
// Small layers (all packed weights within DIRECT_MAX_WEIGHT_FLOATS, kc = c·kh·kw within
// DIRECT_MAX_KC) pack the weights once and sum each output's kc terms in one pass. Bigger
// ones (ResNet's 64 to 512 channels) are blocked like the GEMM: chunks of whole input
// channels (kc ≤ DIRECT_KC: the B panel stays in L1) times blocks of at most DIRECT_MB output
// channels (their packed weights stay in L2); later chunks add into y. The blocks are of
// equal size (rounded up to MR rows): 128, 256 and 512 channels in blocks of 130 rows, not
// 120 + 8 (a second packing of every B panel for a block of two tiles: 2-3% of those layers'
// time in interleaved A/B on a loaded host, near its noise; the sums unchanged). Either way each
// output sums its terms in (ci, ki, kj) order, and im2col's write and re-read of a
// c·kh·kw × oh·ow matrix (7 MiB for a 56×56×64 layer) is never made.
// Workspace (ws, the GEMM's): packed weights | one B panel kc×NR | MR×NR tile.
// scratch: xpad, then a zeroed tail of directTail floats for the over-reads.
// @ts-ignore: decorator
@inline const DIRECT_MAX_WEIGHT_FLOATS = 120 * 256;
// @ts-ignore: decorator
@inline const DIRECT_MAX_KC = 512;
// @ts-ignore: decorator
@inline const DIRECT_KC = 256;
// @ts-ignore: decorator
@inline const DIRECT_MB = 130;

// @ts-ignore: decorator
@inline function directTail(sh: i32, wp: i32, kw: i32): i32 {
  return sh * wp + kw + 2 * NR;
}

// Whether the layer takes the unblocked direct path (weights packed once, one pass).
// @ts-ignore: decorator
@inline function directWhole(ckk: i32, oc: i32): bool {
  return (oc + MR - 1) / MR * MR * ckk <= DIRECT_MAX_WEIGHT_FLOATS && ckk <= DIRECT_MAX_KC;
}

// Channels per chunk and output channels per block (a multiple of MR, the blocks even) of the direct path.
// @ts-ignore: decorator
@inline function directChunk(c: i32, kk: i32, ckk: i32, oc: i32): i32 {
  return directWhole(ckk, oc) ? c : max(1, DIRECT_KC / kk);
}
// @ts-ignore: decorator
@inline function directBlock(ckk: i32, oc: i32): i32 {
  const blocks = directWhole(ckk, oc) ? 1 : (oc + DIRECT_MB - 1) / DIRECT_MB;
  return ((oc + blocks - 1) / blocks + MR - 1) / MR * MR;
}

// Floats the forward needs in scratch for the direct path (0 if it does not apply): the
// caller allocates the larger of this and the im2col path's need (src/ops/conv.ts).
// @ts-ignore: decorator
@inline function directScratch(c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oc: i32, ow: i32): i32 {
  const kk = kh * kw, ckk = c * kk;
  if (sw > 2 || ow < NR) return 0;
  const kc = directChunk(c, kk, ckk, oc) * kk;
  if (directBlock(ckk, oc) * kc + kc * NR + MR * NR > f32_gemm_workspace_bytes() >> 2) return 0;
  const hp = h + 2 * ph, wp = w + 2 * pw;
  return c * hp * wp + directTail(sh, wp, kw);
}

// xpad interior = x_i; the border and tail were zeroed once and are never written.
function padInto(xi: usize, xpad: usize, c: i32, h: i32, w: i32, ph: i32, pw: i32): void {
  const hp = h + 2 * ph, wp = w + 2 * pw;
  for (let ci = 0; ci < c; ci++) {
    const src = xi + ((<usize>ci * h * w) << 2);
    const dst = xpad + ((<usize>(ci * hp + ph) * wp + pw) << 2);
    for (let iy = 0; iy < h; iy++) copyFloats(dst + ((<usize>iy * wp) << 2), src + ((<usize>iy * w) << 2), w);
  }
}

// Four lanes at stride sw (1 or 2, a constant at each call site) from p.
// @ts-ignore: decorator
@inline function loadLanes(p: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(p);
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

// The kc×NR B panel of output pixels q0.. (see above) over c channels; src = xpad + pad(q0), in bytes.
// @ts-ignore: decorator
@inline function packWindowPanel(src: usize, jump: usize, m0: v128, m1: v128, c: i32, kh: i32, kw: i32, planeBytes: usize, rowBytes: usize, dst: usize, sw: i32): void {
  const half = <usize>(4 * sw) << 2; // bytes from lane 0 to lane 4
  for (let ci = 0; ci < c; ci++) {
    let r = src;
    for (let ki = 0; ki < kh; ki++) {
      let s = r;
      for (let kj = 0; kj < kw; kj++) {
        v128.store(dst, v128.bitselect(loadLanes(s, sw), loadLanes(s + jump, sw), m0));
        v128.store(dst, v128.bitselect(loadLanes(s + half, sw), loadLanes(s + jump + half, sw), m1), 16);
        dst += NR * 4;
        s += 4;
      }
      r += rowBytes;
    }
    src += planeBytes;
  }
}

// packed ≠ 0: the weights already packed by f32_pack_a_panels with kb = kc of a whole chunk
// (f32_conv2d_packed_kblock), read in place of the per-image copy in ws.
function convFwdDirect(x: usize, weight: usize, bias: usize, y: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32, oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, ws: usize, act: i32, packed: usize, res: usize): void {
  const ohw = oh * ow, kk = kh * kw, ckk = c * kk, chw = c * h * w;
  const hp = h + 2 * ph, wp = w + 2 * pw;
  const whole = directWhole(ckk, oc);
  const cc = directChunk(c, kk, ckk, oc), mb = directBlock(ckk, oc);
  const pb = ws + ((<usize>mb * cc * kk) << 2), tile = pb + ((<usize>cc * kk * NR) << 2);
  memory.fill(scratch, 0, <usize>(c * hp * wp + directTail(sh, wp, kw)) << 2);
  const jump = <usize>(sh * wp - ow * sw) << 2;
  const ldc = <usize>ohw << 2;
  const planeBytes = (<usize>hp * wp) << 2;
  const lanes0 = i32x4(0, 1, 2, 3), lanes1 = i32x4(4, 5, 6, 7);
  for (let i = 0; i < n; i++) {
    padInto(x + ((<usize>i * chw) << 2), scratch, c, h, w, ph, pw);
    const yi = y + ((<usize>i * oc * ohw) << 2);
    for (let c0 = 0; c0 < c; c0 += cc) {
      const nc = min(cc, c - c0), kc = nc * kk;
      const xc = scratch + <usize>c0 * planeBytes;
      for (let i0 = 0; i0 < oc; i0 += mb) {
        const i1 = min(oc, i0 + mb);
        const pa = packed ? packed + ((<usize>c0 * kk * panelRows(oc) + <usize>i0 * kc) << 2) : ws;
        if (!packed && (!whole || i == 0)) {
          for (let ir = i0; ir < i1; ir += MR) {
            packLanesFromRows(weight + ((<usize>ir * ckk + c0 * kk) << 2), <usize>ckk << 2, min(MR, i1 - ir), kc, pa + ((<usize>(ir - i0) * kc) << 2), MR);
          }
        }
        for (let q0 = 0; q0 < ohw; q0 += NR) {
          const oy = q0 / ow, ox = q0 - oy * ow;
          const a = i32x4.splat(ow - ox); // lanes < a stay on row oy
          const src = xc + ((<usize>oy * sh * wp + ox * sw) << 2);
          const m0 = i32x4.lt_s(lanes0, a), m1 = i32x4.lt_s(lanes1, a);
          if (sw == 1) packWindowPanel(src, jump, m0, m1, nc, kh, kw, planeBytes, <usize>wp << 2, pb, 1);
          else packWindowPanel(src, jump, m0, m1, nc, kh, kw, planeBytes, <usize>wp << 2, pb, 2);
          const nr = min(NR, ohw - q0);
          const cq = yi + (<usize>q0 << 2);
          for (let ir = i0; ir < i1; ir += MR) {
            microkernel(kc, pa + ((<usize>(ir - i0) * kc) << 2), pb, cq + <usize>ir * ldc, ldc, min(MR, i1 - ir), nr, c0 > 0, tile);
          }
        }
      }
    }
    if (bias || act != ConvAct.none || res) biasAct(yi, bias, oc, ohw, act, res ? res + ((<usize>i * oc * ohw) << 2) : 0);
  }
}

// Floats of scratch f32_conv2d_fwd needs beyond the im2col path's (c·kh·kw + oc)·group·oh·ow
// when it takes the direct path: the caller allocates the larger.
export function f32_conv2d_fwd_direct_scratch(c: i32, h: i32, w: i32, oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): i32 {
  const ow = (w + 2 * pw - kw) / sw + 1;
  return directScratch(c, h, w, kh, kw, sh, sw, ph, pw, oc, ow);
}

// y[i, o, :] = act(W[o, :] · col_i + b[o]), the bias and activation applied per image while
// its outputs are in cache (the fused conv + ReLU of training and the fused conv + ReLU/ReLU6
// of inference: the conv's own output is never kept, and the activation costs no pass).
// @ts-ignore: decorator
@inline function convFwd(
  x: usize, weight: usize, bias: usize, y: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, ws: usize, act: i32, packed: usize, res: usize,
): void {
  const oh = (h + 2 * ph - kh) / sh + 1;
  const ow = (w + 2 * pw - kw) / sw + 1;
  const ohw = oh * ow, ckk = c * kh * kw, chw = c * h * w;
  const pointwise = isPointwise(kh, kw, sh, sw, ph, pw);
  if (!pointwise && directScratch(c, h, w, kh, kw, sh, sw, ph, pw, oc, ow) > 0) {
    convFwdDirect(x, weight, bias, y, scratch, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oh, ow, ws, act, packed, res);
    return;
  }
  // inference 1×1 one image per GEMM: the epilogue in the GEMM's tiles (pointwise.ts)
  if (pointwise && packed && group == 1) {
    const yb = (<usize>oc * ohw) << 2;
    for (let i = 0; i < n; i++) pointwisePacked(x + ((<usize>i * chw) << 2), packed, bias, res ? res + i * yb : 0, y + i * yb, oc, ckk, ohw, act, ws);
    return;
  }
  const ybuf = scratch + ((<usize>ckk * group * ohw) << 2);
  for (let i0 = 0; i0 < n; i0 += group) {
    const g = min(group, n - i0);
    const ld = g * ohw;
    const y0 = y + ((<usize>i0 * oc * ohw) << 2);
    // packed pointwise over several images (small maps, inference): their planes gathered side
    // by side so that one GEMM streams the weights once for the group, not once per image
    if (pointwise && packed && g > 1) {
      for (let j = 0; j < g; j++) gatherRows(x + ((<usize>(i0 + j) * chw) << 2), scratch + ((<usize>j * ohw) << 2), ld, c, ohw);
      f32_gemm_nn_packed(packed, scratch, ybuf, oc, ckk, ld, 0, ws);
      for (let j = 0; j < g; j++) scatterRows(ybuf + ((<usize>j * ohw) << 2), ld, y0 + ((<usize>j * oc * ohw) << 2), oc, ohw);
    } else if (pointwise || g == 1) {
      for (let j = 0; j < g; j++) {
        const xi = x + ((<usize>(i0 + j) * chw) << 2);
        if (!pointwise) im2col(xi, scratch, ohw, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
        const yj = y0 + ((<usize>j * oc * ohw) << 2);
        if (packed) f32_gemm_nn_packed(packed, pointwise ? xi : scratch, yj, oc, ckk, ohw, 0, ws);
        else f32_gemm_nn(weight, pointwise ? xi : scratch, yj, oc, ckk, ohw, 0, ws);
      }
    } else {
      for (let j = 0; j < g; j++) {
        im2col(x + ((<usize>(i0 + j) * chw) << 2), scratch + ((<usize>j * ohw) << 2), ld, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
      }
      if (packed) f32_gemm_nn_packed(packed, scratch, ybuf, oc, ckk, ld, 0, ws);
      else f32_gemm_nn(weight, scratch, ybuf, oc, ckk, ld, 0, ws);
      for (let j = 0; j < g; j++) scatterRows(ybuf + ((<usize>j * ohw) << 2), ld, y0 + ((<usize>j * oc * ohw) << 2), oc, ohw);
    }
    if (bias || act != ConvAct.none || res) {
      for (let j = 0; j < g; j++) biasAct(y0 + ((<usize>j * oc * ohw) << 2), bias, oc, ohw, act, res ? res + ((<usize>(i0 + j) * oc * ohw) << 2) : 0);
    }
  }
}

// y[i, o, :] = W[o, :] · col_i + b[o]
export function f32_conv2d_fwd(
  x: usize, weight: usize, bias: usize, y: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, ws: usize,
): void {
  convFwd(x, weight, bias, y, scratch, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group, ws, ConvAct.none, 0, 0);
}

// The forward with a ReLU or ReLU6 (ConvAct) in the bias pass: nn.Sequential's Conv2d + ReLU
// in training (its backward is f32_conv2d_relu_bwd), and the activations nn.fuseBatchNorm
// folds into a conv for inference.
export function f32_conv2d_fwd_act(
  x: usize, weight: usize, bias: usize, y: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, ws: usize, act: i32,
): void {
  convFwd(x, weight, bias, y, scratch, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group, ws, act, 0, 0);
}

// Inference: the forward over weights packed once (f32_pack_a_panels(weight, packed, oc,
// c·kh·kw, f32_conv2d_packed_kblock(…))), with act and, when res ≠ 0, a residual [n, oc, oh,
// ow] added before it: y = act(conv(x) + b + res). Bitwise the unpacked forward followed by
// the add. No backward: the caller records nothing.
export function f32_conv2d_fwd_packed(
  x: usize, packed: usize, bias: usize, res: usize, y: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, ws: usize, act: i32,
): void {
  convFwd(x, 0, bias, y, scratch, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group, ws, act, packed, res);
}

// Floats of scratch f32_conv2d_fwd_packed needs: the unpacked forward's, and for a pointwise
// conv over several images per GEMM (group > 1) the gathered inputs and outputs.
export function f32_conv2d_fwd_packed_scratch(c: i32, h: i32, w: i32, oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32): i32 {
  const oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
  const pointwise = isPointwise(kh, kw, sh, sw, ph, pw);
  const col = pointwise && group == 1 ? 0 : (c * kh * kw + (group > 1 ? oc : 0)) * group * oh * ow;
  return max(col, pointwise ? 0 : directScratch(c, h, w, kh, kw, sh, sw, ph, pw, oc, ow));
}

// The k block of f32_conv2d_fwd_packed's weight layout for this geometry: whole channels per
// chunk on the direct path, the GEMM's KC otherwise (the layout changes with the input size).
export function f32_conv2d_packed_kblock(c: i32, h: i32, w: i32, oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): i32 {
  const ow = (w + 2 * pw - kw) / sw + 1, kk = kh * kw;
  if (!isPointwise(kh, kw, sh, sw, ph, pw) && directScratch(c, h, w, kh, kw, sh, sw, ph, pw, oc, ow) > 0) return directChunk(c, kk, c * kk, oc) * kk;
  return KC;
}

// dx (+)= conv2d transposed: per group dcol = Wᵀ · dY_g, then col2im per image.
export function f32_conv2d_bwd_input(
  dy: usize, weight: usize, dx: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, accumulate: i32, ws: usize,
): void {
  const oh = (h + 2 * ph - kh) / sh + 1;
  const ow = (w + 2 * pw - kw) / sw + 1;
  const ohw = oh * ow, ckk = c * kh * kw, chw = c * h * w;
  if (isPointwise(kh, kw, sh, sw, ph, pw)) {
    for (let i = 0; i < n; i++) {
      f32_gemm_tn(weight, dy + ((<usize>i * oc * ohw) << 2), dx + ((<usize>i * chw) << 2), ckk, oc, ohw, accumulate, ws);
    }
    return;
  }
  if (!accumulate) memory.fill(dx, 0, (<usize>n * chw) << 2);
  const dybuf = scratch + ((<usize>ckk * group * ohw) << 2);
  for (let i0 = 0; i0 < n; i0 += group) {
    const g = min(group, n - i0);
    const ld = g * ohw;
    const dy0 = dy + ((<usize>i0 * oc * ohw) << 2);
    if (g > 1) for (let j = 0; j < g; j++) gatherRows(dy0 + ((<usize>j * oc * ohw) << 2), dybuf + ((<usize>j * ohw) << 2), ld, oc, ohw);
    f32_gemm_tn(weight, g > 1 ? dybuf : dy0, scratch, ckk, oc, ld, 0, ws);
    for (let j = 0; j < g; j++) {
      col2imAdd(scratch + ((<usize>j * ohw) << 2), ld, dx + ((<usize>(i0 + j) * chw) << 2), c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    }
  }
}

// dW (+)= Σ_groups dY_g · col_gᵀ
export function f32_conv2d_bwd_filter(
  x: usize, dy: usize, dweight: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, accumulate: i32, ws: usize,
): void {
  bwdFilterBlock(x, dy, dweight, scratch, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group, accumulate, ws, 0, oc, 0, c);
}

// Threads' shares of the filter gradient: rows o0..o1 (output channels; each share builds the
// whole col) or columns of input channels c0..c1 (each builds only its channels' col).
export function f32_conv2d_bwd_filter_rows(
  x: usize, dy: usize, dweight: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, accumulate: i32, ws: usize, o0: i32, o1: i32,
): void {
  bwdFilterBlock(x, dy, dweight, scratch, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group, accumulate, ws, o0, o1, 0, c);
}
export function f32_conv2d_bwd_filter_channels(
  x: usize, dy: usize, dweight: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, accumulate: i32, ws: usize, c0: i32, c1: i32,
): void {
  bwdFilterBlock(x, dy, dweight, scratch, n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group, accumulate, ws, 0, oc, c0, c1);
}

// The block dW[o0..o1, c0·kh·kw..c1·kh·kw]: the same sums in the same order as the whole
// gradient, so split gradients are bitwise equal to it. Only the block's rows of dy are
// gathered and its channels' rows of col built; the GEMM reads col through a base moved back
// by j0 rows, so rows j0..j1 of the whole col land where they were written (wasm32 addresses
// wrap, and only rows ≥ j0 are read).
function bwdFilterBlock(
  x: usize, dy: usize, dweight: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, accumulate: i32, ws: usize,
  o0: i32, o1: i32, c0: i32, c1: i32,
): void {
  const oh = (h + 2 * ph - kh) / sh + 1;
  const ow = (w + 2 * pw - kw) / sw + 1;
  const ohw = oh * ow, kk = kh * kw, ckk = c * kk, chw = c * h * w;
  const j0 = c0 * kk, j1 = c1 * kk;
  const pointwise = isPointwise(kh, kw, sh, sw, ph, pw);
  if (o1 <= o0 || c1 <= c0) return;
  if (n == 0 && !accumulate) for (let o = o0; o < o1; o++) memory.fill(dweight + ((<usize>o * ckk + j0) << 2), 0, <usize>(j1 - j0) << 2);
  if (!pointwise && ckk > SMALL_FILTER && bwdFilterDirect(c, h, w, kh, kw, sw, ph, pw, oh, ow, group)) {
    bwdFilterDirectBlock(x, dy, dweight, scratch, n, c, h, w, oc, kh, kw, sh, ph, pw, oh, ow, accumulate, ws, o0, o1, c0, c1);
    return;
  }
  const dybuf = scratch + ((<usize>ckk * group * ohw) << 2);
  const step = pointwise ? 1 : group;
  for (let i0 = 0; i0 < n; i0 += step) {
    const g = min(step, n - i0);
    const ld = g * ohw;
    const dy0 = dy + ((<usize>i0 * oc * ohw) << 2);
    const x0 = x + ((<usize>i0 * chw) << 2);
    if (!pointwise) {
      const xc = x0 + ((<usize>c0 * h * w) << 2);
      for (let j = 0; j < g; j++) im2col(xc + ((<usize>j * chw) << 2), scratch + ((<usize>j * ohw) << 2), ld, c1 - c0, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    }
    if (g > 1) {
      for (let j = 0; j < g; j++) gatherRows(dy0 + ((<usize>(j * oc + o0) * ohw) << 2), dybuf + ((<usize>(o0 * ld + j * ohw)) << 2), ld, o1 - o0, ohw);
    }
    const col = pointwise ? x0 : scratch - ((<usize>j0 * ld) << 2);
    const add = i0 > 0 || accumulate ? 1 : 0;
    // chosen by the whole width, so that a thread's block takes the path the whole call takes
    if (ckk <= SMALL_FILTER) dotsNT(g > 1 ? dybuf : dy0, col, dweight, ld, ckk, add, o0, o1, j0, j1);
    else f32_gemm_part(NT, g > 1 ? dybuf : dy0, col, dweight, oc, ld, ckk, add, ws, o0, o1, j0, j1);
  }
}

// The filter gradient without col, for a column stride of 1: dW[o, j] += Σ_q dY_i[o, q]·col_i[j, q]
// image by image, the GEMM's B panels (8 taps j × kc output pixels q) packed straight from the
// zero-bordered image: tap j = (ci, ki, kj) reads xpad[ci] at pad(q) + ki·wp + kj, with
// pad(oy·ow + ox) = oy·sh·wp + ox, four pixels of one output row per load, transposed into
// the panel. Blocked as the GEMM: pixels in chunks of BF_KC (the B panel stays in L1), output
// channels in blocks of BF_MB (their packed dY rows in L2). Each element sums image by image,
// pixel chunk by chunk, in pixel order, whatever the block: split gradients are bitwise whole.
// Workspace: packed dY block BF_MB×BF_KC | one B panel BF_KC×NR | MR×NR tile | tap offsets (ckk i32).
// scratch: xpad for channels c0..c1; taken only when the whole image's fits in the im2col
// path's scratch (which the caller always provides), so every block takes the same path.
// @ts-ignore: decorator
@inline const BF_MB = 120;
// @ts-ignore: decorator
@inline const BF_KC = 256;

// @ts-ignore: decorator
@inline function bwdFilterDirect(c: i32, h: i32, w: i32, kh: i32, kw: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, group: i32): bool {
  const ckk = c * kh * kw;
  if (sw != 1) return false;
  if (BF_MB * BF_KC + BF_KC * NR + MR * NR + ckk > f32_gemm_workspace_bytes() >> 2) return false;
  return <i64>c * (h + 2 * ph) * (w + 2 * pw) <= <i64>ckk * group * oh * ow;
}

// Four consecutive floats at each of b0..b3 (+ o bytes), transposed: panel rows d, d+32, d+64, d+96 get lanes (b0, b1, b2, b3).
// @ts-ignore: decorator
@inline function transposeLanes(b0: usize, b1: usize, b2: usize, b3: usize, o: usize, d: usize): void {
  const r0 = v128.load(b0 + o), r1 = v128.load(b1 + o), r2 = v128.load(b2 + o), r3 = v128.load(b3 + o);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(d, i32x4.shuffle(t0, t2, 2, 3, 6, 7), NR * 4);
  v128.store(d, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 2 * NR * 4);
  v128.store(d, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 3 * NR * 4);
}

// @ts-ignore: decorator
@inline function tapAt(xpad: usize, offs: usize, j: i32, j1: i32): usize {
  return xpad + <usize>load<i32>(offs + (<usize>min(j, j1 - 1) << 2));
}

function bwdFilterDirectBlock(
  x: usize, dy: usize, dweight: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, ph: i32, pw: i32, oh: i32, ow: i32, accumulate: i32, ws: usize,
  o0: i32, o1: i32, c0: i32, c1: i32,
): void {
  const ohw = oh * ow, kk = kh * kw, ckk = c * kk, chw = c * h * w;
  const hp = h + 2 * ph, wp = w + 2 * pw;
  const j0 = c0 * kk, j1 = c1 * kk;
  const pa = ws, pb = pa + ((<usize>BF_MB * BF_KC) << 2), tile = pb + ((<usize>BF_KC * NR) << 2), offs = tile + ((<usize>MR * NR) << 2);
  // byte offset of tap j in xpad (whose first channel is c0)
  for (let j = j0; j < j1; j++) {
    const ci = j / kk, ki = (j - ci * kk) / kw, kj = j - ci * kk - ki * kw;
    store<i32>(offs + (<usize>j << 2), (((ci - c0) * hp + ki) * wp + kj) << 2);
  }
  memory.fill(scratch, 0, (<usize>(c1 - c0) * hp * wp) << 2);
  const ldc = <usize>ckk << 2;
  for (let i = 0; i < n; i++) {
    padInto(x + ((<usize>(i * c + c0) * h * w) << 2), scratch, c1 - c0, h, w, ph, pw);
    const dyi = dy + ((<usize>i * oc * ohw) << 2);
    for (let p0 = 0; p0 < ohw; p0 += BF_KC) {
      const kc = min(BF_KC, ohw - p0);
      const add = i > 0 || p0 > 0 || accumulate != 0;
      for (let ob = o0; ob < o1; ob += BF_MB) {
        const mb = min(BF_MB, o1 - ob);
        for (let ir = 0; ir < mb; ir += MR) {
          packLanesFromRows(dyi + ((<usize>(ob + ir) * ohw + p0) << 2), <usize>ohw << 2, min(MR, mb - ir), kc, pa + ((<usize>ir * kc) << 2), MR);
        }
        for (let jr = j0; jr < j1; jr += NR) {
          const nr = min(NR, j1 - jr);
          // lanes past j1 repeat the last tap: finite values in columns that are never stored
          const b0 = tapAt(scratch, offs, jr, j1), b1 = tapAt(scratch, offs, jr + 1, j1), b2 = tapAt(scratch, offs, jr + 2, j1), b3 = tapAt(scratch, offs, jr + 3, j1);
          const b4 = tapAt(scratch, offs, jr + 4, j1), b5 = tapAt(scratch, offs, jr + 5, j1), b6 = tapAt(scratch, offs, jr + 6, j1), b7 = tapAt(scratch, offs, jr + 7, j1);
          let d = pb;
          let q = p0;
          const q1 = p0 + kc;
          while (q < q1) {
            const oy = q / ow, ox = q - oy * ow;
            const run = min(ow - ox, q1 - q);
            let o = (<usize>(oy * sh * wp + ox)) << 2;
            let r = 0;
            for (; r + 4 <= run; r += 4) {
              transposeLanes(b0, b1, b2, b3, o, d);
              transposeLanes(b4, b5, b6, b7, o, d + 16);
              d += 4 * NR * 4;
              o += 16;
            }
            for (; r < run; r++) {
              store<f32>(d, load<f32>(b0 + o)); store<f32>(d, load<f32>(b1 + o), 4);
              store<f32>(d, load<f32>(b2 + o), 8); store<f32>(d, load<f32>(b3 + o), 12);
              store<f32>(d, load<f32>(b4 + o), 16); store<f32>(d, load<f32>(b5 + o), 20);
              store<f32>(d, load<f32>(b6 + o), 24); store<f32>(d, load<f32>(b7 + o), 28);
              d += NR * 4;
              o += 4;
            }
            q += run;
          }
          const cj = dweight + (<usize>jr << 2);
          for (let ir = 0; ir < mb; ir += MR) {
            microkernel(kc, pa + ((<usize>ir * kc) << 2), pb, cj + <usize>(ob + ir) * ldc, ldc, min(MR, mb - ir), nr, add, tile);
          }
        }
      }
    }
  }
}

// A filter gradient this narrow (a first layer's c·kh·kw, 9 for one input channel) wastes
// most of the GEMM's 8-wide register tile and repacks both operands per image for little
// work: it is computed as plain dot products instead.
// @ts-ignore: decorator
@inline const SMALL_FILTER = 16;

// C[o, j] (+)= Σ_p A[o, p]·B[j, p] for o in o0..o1, j in j0..j1; A [·, k], B [·, k], C [·, n].
// Four columns per pass share each load of A's row.
function dotsNT(a: usize, b: usize, c: usize, k: i32, n: i32, accumulate: i32, o0: i32, o1: i32, j0: i32, j1: i32): void {
  const kb = <usize>k << 2;
  for (let o = o0; o < o1; o++) {
    const ar = a + <usize>o * kb;
    const cr = c + ((<usize>o * n) << 2);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const b0 = b + <usize>j * kb, b1 = b0 + kb, b2 = b1 + kb, b3 = b2 + kb;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const q = <usize>p << 2;
        const av = v128.load(ar + q);
        s0 = f32x4.add(s0, f32x4.mul(av, v128.load(b0 + q)));
        s1 = f32x4.add(s1, f32x4.mul(av, v128.load(b1 + q)));
        s2 = f32x4.add(s2, f32x4.mul(av, v128.load(b2 + q)));
        s3 = f32x4.add(s3, f32x4.mul(av, v128.load(b3 + q)));
      }
      let t0 = hsum4(s0), t1 = hsum4(s1), t2 = hsum4(s2), t3 = hsum4(s3);
      for (; p < k; p++) {
        const q = <usize>p << 2;
        const av = load<f32>(ar + q);
        t0 += av * load<f32>(b0 + q);
        t1 += av * load<f32>(b1 + q);
        t2 += av * load<f32>(b2 + q);
        t3 += av * load<f32>(b3 + q);
      }
      const d = cr + (<usize>j << 2);
      if (accumulate) {
        t0 += load<f32>(d);
        t1 += load<f32>(d, 4);
        t2 += load<f32>(d, 8);
        t3 += load<f32>(d, 12);
      }
      store<f32>(d, t0);
      store<f32>(d, t1, 4);
      store<f32>(d, t2, 8);
      store<f32>(d, t3, 12);
    }
    for (; j < j1; j++) {
      const br = b + <usize>j * kb;
      let s0 = f32x4.splat(0);
      let p = 0;
      for (; p + 4 <= k; p += 4) s0 = f32x4.add(s0, f32x4.mul(v128.load(ar + (<usize>p << 2)), v128.load(br + (<usize>p << 2))));
      let t = hsum4(s0);
      for (; p < k; p++) t += load<f32>(ar + (<usize>p << 2)) * load<f32>(br + (<usize>p << 2));
      const d = cr + (<usize>j << 2);
      store<f32>(d, accumulate ? load<f32>(d) + t : t);
    }
  }
}

// @ts-ignore: decorator
@inline function hsum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// db[o] (+)= s + the lanes of acc: a channel's bias gradient from its four-wide sum and scalar tail.
// @ts-ignore: decorator
@inline function storeBiasGrad(dbias: usize, o: i32, acc: v128, s: f32, accumulate: i32): void {
  s += hsum4(acc);
  const d = dbias + (<usize>o << 2);
  store<f32>(d, accumulate ? load<f32>(d) + s : s);
}

// db[o] (+)= Σ_i Σ_s dy[i, o, s]; dy [n, oc, hw]. Also the bias gradient of any NC(HW) layer.
export function f32_conv2d_bwd_bias(dy: usize, dbias: usize, n: i32, oc: i32, hw: i32, accumulate: i32): void {
  for (let o = 0; o < oc; o++) {
    let acc = f32x4.splat(0);
    let s: f32 = 0;
    for (let i = 0; i < n; i++) {
      const r = dy + ((<usize>(i * oc + o) * hw) << 2);
      let j = 0;
      for (; j + 4 <= hw; j += 4) acc = f32x4.add(acc, v128.load(r + (<usize>j << 2)));
      for (; j < hw; j++) s += load<f32>(r + (<usize>j << 2));
    }
    storeBiasGrad(dbias, o, acc, s, accumulate);
  }
}

// g[o, 0..hw) masked where y > 0 into dst (0 where y is 0 or NaN, as the ReLU's subgradient):
// the four-wide part, summed into acc, then the scalar tail, summed into s.
// @ts-ignore: decorator
@inline function maskRowV(r: usize, m: usize, dst: usize, hw: i32, acc: v128): v128 {
  const zero = f32x4.splat(0);
  for (let j = 0; j + 4 <= hw; j += 4) {
    const t = v128.and(v128.load(r + (<usize>j << 2)), f32x4.gt(v128.load(m + (<usize>j << 2)), zero));
    v128.store(dst + (<usize>j << 2), t);
    acc = f32x4.add(acc, t);
  }
  return acc;
}
// @ts-ignore: decorator
@inline function maskRowS(r: usize, m: usize, dst: usize, hw: i32, s: f32): f32 {
  for (let j = hw & ~3; j < hw; j++) {
    const t: f32 = load<f32>(m + (<usize>j << 2)) > 0 ? load<f32>(r + (<usize>j << 2)) : 0;
    store<f32>(dst + (<usize>j << 2), t);
    s += t;
  }
  return s;
}

// The backward of the fused conv + ReLU, before the conv's own: for channels o0..o1,
// g[i, o, :] = y[i, o, :] > 0 ? g : 0 in place (y the ReLU's output), and, when dbias ≠ 0,
// db[o] (+)= Σ_i Σ_s g — summed in the order of f32_conv2d_bwd_bias, so the bias gradient is
// bitwise that of the unfused layers. One pass over g instead of two (mask, then bias).
// Channel ranges split across threads.
export function f32_conv2d_relu_bwd(y: usize, g: usize, dbias: usize, n: i32, oc: i32, hw: i32, accumulate: i32, o0: i32, o1: i32): void {
  for (let o = o0; o < o1; o++) {
    let acc = f32x4.splat(0);
    let s: f32 = 0;
    for (let i = 0; i < n; i++) {
      const off = (<usize>(i * oc + o) * hw) << 2;
      acc = maskRowV(g + off, y + off, g + off, hw, acc);
      s = maskRowS(g + off, y + off, g + off, hw, s);
    }
    if (dbias) storeBiasGrad(dbias, o, acc, s, accumulate);
  }
}

// The whole backward of a fused conv + ReLU whose input takes no gradient (a first layer) and
// whose filter is narrow (c·kh·kw ≤ SMALL_FILTER: one input channel, 3×3), for output
// channels o0..o1: the mask, the bias gradient (dbias ≠ 0, accumulate accB) and the filter
// gradient (accumulate accW) in one read of y and g. The masked rows of a group of images go
// to a buffer that stays in cache for the dot products, instead of back into g and out to
// memory for a second pass; every sum runs in the order of f32_conv2d_relu_bwd and
// f32_conv2d_bwd_filter, so the gradients are bitwise theirs, whole or split by channels.
// scratch: f32_conv2d_relu_bwd_filter_small_scratch floats: col, then the masked rows
// ((c·kh·kw + oc)·group·oh·ow), then per channel the bias's four-wide sum and its scalar tail,
// carried from group to group (5·oc). A 1×1 filter takes one image per group, as the filter
// gradient does (its col is the image itself), so that its sums run in the same order.
export function f32_conv2d_relu_bwd_filter_small(
  x: usize, y: usize, g: usize, dweight: usize, dbias: usize, scratch: usize, n: i32, c: i32, h: i32, w: i32,
  oc: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, group: i32, accW: i32, accB: i32, o0: i32, o1: i32,
): void {
  const oh = (h + 2 * ph - kh) / sh + 1;
  const ow = (w + 2 * pw - kw) / sw + 1;
  const ohw = oh * ow, ckk = c * kh * kw, chw = c * h * w;
  const step = isPointwise(kh, kw, sh, sw, ph, pw) ? 1 : group;
  if (o1 <= o0) return;
  const accs = scratch + ((<usize>(ckk + oc) * group * ohw) << 2), tails = accs + (<usize>oc << 4);
  for (let o = o0; o < o1; o++) {
    v128.store(accs + (<usize>o << 4), f32x4.splat(0));
    store<f32>(tails + (<usize>o << 2), 0);
  }
  if (n == 0 && !accW) for (let o = o0; o < o1; o++) memory.fill(dweight + ((<usize>o * ckk) << 2), 0, <usize>ckk << 2);
  const rows = scratch + ((<usize>ckk * group * ohw) << 2);
  for (let i0 = 0; i0 < n; i0 += step) {
    const gi = min(step, n - i0);
    const ld = gi * ohw;
    for (let j = 0; j < gi; j++) im2col(x + ((<usize>(i0 + j) * chw) << 2), scratch + ((<usize>j * ohw) << 2), ld, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    for (let o = o0; o < o1; o++) {
      let acc = v128.load(accs + (<usize>o << 4));
      let s = load<f32>(tails + (<usize>o << 2));
      for (let j = 0; j < gi; j++) {
        const off = (<usize>((i0 + j) * oc + o) * ohw) << 2;
        const dst = rows + ((<usize>(o * ld + j * ohw)) << 2);
        acc = maskRowV(g + off, y + off, dst, ohw, acc);
        s = maskRowS(g + off, y + off, dst, ohw, s);
      }
      v128.store(accs + (<usize>o << 4), acc);
      store<f32>(tails + (<usize>o << 2), s);
    }
    dotsNT(rows, scratch, dweight, ld, ckk, i0 > 0 || accW ? 1 : 0, o0, o1, 0, ckk);
  }
  if (dbias) for (let o = o0; o < o1; o++) storeBiasGrad(dbias, o, v128.load(accs + (<usize>o << 4)), load<f32>(tails + (<usize>o << 2)), accB);
}

// Floats of scratch f32_conv2d_relu_bwd_filter_small needs; 0 when the filter is too wide for it.
export function f32_conv2d_relu_bwd_filter_small_scratch(c: i32, kh: i32, kw: i32, oc: i32, ohw: i32, group: i32): i32 {
  const ckk = c * kh * kw;
  return ckk <= SMALL_FILTER ? (ckk + oc) * group * ohw + 5 * oc : 0;
}
