// Depthwise 2-D convolution (torch.nn.Conv2d with groups = in_channels), NCHW:
//   x [n, c, h, w], weight [c·m, 1, kh, kw] (m outputs per input channel), y [n, c·m, oh, ow],
//   y[i, o, oy, ox] = Σ_{ki,kj} w[o, ki, kj] · xpad[o / m, oy·sh + ki, ox·sw + kj] (+ b[o]).
// Each input plane is copied once into scratch with a zero border (xpad, hp × wp, then a
// zeroed tail of wp + 8 floats so the vector loads of the last row may over-read); outputs
// go four at a time along a row, every tap in registers. Stride 2 reads eight inputs and
// keeps the even lanes, except in the 3×3 kernel, which reads the plane's columns split into
// evens and odds (splitPlane). scratch: f32_dwconv2d_scratch floats.
// Backward to the input scatters through the same padded layout (dxpad), backward to the
// weight is one dot product per tap over the padded plane.

import { ConvAct } from '../codes';
import { convActS, convActV } from './vec';

// Rows go through inline vector copies, not memory.copy, whose per-call cost in V8 outweighs
// rows this short (7 to 112 floats); the last four floats of a row of w ≥ 4 are copied again
// from w − 4 instead of one at a time (the overlap rewrites the same values).
// @ts-ignore: decorator
@inline function padPlane(src: usize, dst: usize, h: i32, w: i32, ph: i32, pw: i32, wp: i32): void {
  const rowBytes = <usize>w << 2;
  for (let iy = 0; iy < h; iy++) {
    const s = src + <usize>iy * rowBytes, d = dst + ((<usize>(iy + ph) * wp + pw) << 2);
    if (w < 4) {
      for (let j = 0; j < w; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
      continue;
    }
    let at: usize = 0;
    for (; at + 16 <= rowBytes; at += 16) v128.store(d + at, v128.load(s + at));
    if (at < rowBytes) v128.store(d + rowBytes - 16, v128.load(s + rowBytes - 16));
  }
}

// Four inputs at stride s from p (s = 1 or 2; other strides go through the scalar tail).
// @ts-ignore: decorator
@inline function loadStrided(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

// Floats of scratch the three depthwise kernels need: the padded plane with its tail, then
// (3×3 at stride 2) the plane with each row's even columns first and odd ones after.
export function f32_dwconv2d_scratch(h: i32, w: i32, ph: i32, pw: i32): i32 {
  const hp = h + 2 * ph, wp = w + 2 * pw;
  return 2 * hp * wp + wp + 16;
}

// The plane as padPlane would lay it out, but with each padded row's even columns first
// (ceil(wp / 2) floats) and its odd ones after: a 3×3 tap at stride 2 then reads four
// consecutive floats (even at ox, odd at ox, even at ox + 1) instead of eight shuffled down to
// four, and the split costs one shuffle per input rather than one per tap. The input's even
// columns land in the half of padded column pw's parity, its odd ones in the other; the
// border positions are never written (zeroed once per call).
// @ts-ignore: decorator
@inline function splitPlane(src: usize, dst: usize, h: i32, w: i32, ph: i32, pw: i32, wp: i32): void {
  const we = (wp + 1) >> 1;
  const ne = (w + 1) >> 1, no = w >> 1;
  // float offsets within a row of the input's even and odd columns
  const at0 = pw & 1 ? we + (pw >> 1) : pw >> 1;
  const at1 = pw & 1 ? (pw + 1) >> 1 : we + (pw >> 1);
  for (let iy = 0; iy < h; iy++) {
    const s = src + ((<usize>iy * w) << 2), row = dst + ((<usize>(iy + ph) * wp) << 2);
    const d0 = row + (<usize>at0 << 2), d1 = row + (<usize>at1 << 2);
    let r = 0;
    for (; r + 4 <= no; r += 4) {
      const a = v128.load(s + (<usize>r << 3)), b = v128.load(s + (<usize>r << 3), 16);
      v128.store(d0 + (<usize>r << 2), v128.shuffle<f32>(a, b, 0, 2, 4, 6));
      v128.store(d1 + (<usize>r << 2), v128.shuffle<f32>(a, b, 1, 3, 5, 7));
    }
    for (let j = r; j < ne; j++) store<f32>(d0 + (<usize>j << 2), load<f32>(s + (<usize>j << 3)));
    for (let j = r; j < no; j++) store<f32>(d1 + (<usize>j << 2), load<f32>(s + (<usize>j << 3), 4));
  }
}

// One output plane of a 3×3 kernel at stride 1 or 2 (MobileNet's depthwise layers), over rows
// wp floats apart in which output ox's taps kj = 0, 1, 2 sit at ox + o0, ox + o1, ox + o2
// (bytes o1, o2: 4, 8 on the padded plane at stride 1; ceil(wp / 2)·4, 4 on splitPlane's
// rows at stride 2). The nine taps splatted once per plane and, per four outputs, the three
// rows summed as independent chains then added, so the adds do not wait on one another (a
// single chain of nine adds is latency-bound). A row of ow ≥ 4 ends with four outputs from
// ow − 4 (overlapping, the same values) rather than one at a time: 7-wide maps (MobileNet's
// last stage) would otherwise spend most of their time in the scalar tail.
// @ts-ignore: decorator
@inline function dw3x3Plane(rows: usize, wo: usize, b: f32, yo: usize, oh: i32, ow: i32, wp: i32, sh: i32, o1: usize, o2: usize, act: i32): void {
  const w0 = v128.load32_splat(wo), w1 = v128.load32_splat(wo, 4), w2 = v128.load32_splat(wo, 8);
  const w3 = v128.load32_splat(wo, 12), w4 = v128.load32_splat(wo, 16), w5 = v128.load32_splat(wo, 20);
  const w6 = v128.load32_splat(wo, 24), w7 = v128.load32_splat(wo, 28), w8 = v128.load32_splat(wo, 32);
  const bv = f32x4.splat(b);
  const rowBytes = <usize>wp << 2;
  for (let oy = 0; oy < oh; oy++) {
    const r0 = rows + ((<usize>oy * sh * wp) << 2), r1 = r0 + rowBytes, r2 = r1 + rowBytes;
    const yr = yo + ((<usize>oy * ow) << 2);
    if (ow < 4) {
      for (let ox = 0; ox < ow; ox++) {
        const at = <usize>ox << 2;
        let acc = b;
        acc += load<f32>(r0 + at) * load<f32>(wo) + load<f32>(r1 + at) * load<f32>(wo, 12) + load<f32>(r2 + at) * load<f32>(wo, 24);
        acc += load<f32>(r0 + at + o1) * load<f32>(wo, 4) + load<f32>(r1 + at + o1) * load<f32>(wo, 16) + load<f32>(r2 + at + o1) * load<f32>(wo, 28);
        acc += load<f32>(r0 + at + o2) * load<f32>(wo, 8) + load<f32>(r1 + at + o2) * load<f32>(wo, 20) + load<f32>(r2 + at + o2) * load<f32>(wo, 32);
        store<f32>(yr + at, convActS(acc, act));
      }
      continue;
    }
    for (let ox = 0; ox < ow; ox += 4) {
      const at = <usize>min(ox, ow - 4) << 2;
      const a0 = f32x4.add(f32x4.add(f32x4.mul(v128.load(r0 + at), w0), f32x4.mul(v128.load(r0 + at + o1), w1)), f32x4.mul(v128.load(r0 + at + o2), w2));
      const a1 = f32x4.add(f32x4.add(f32x4.mul(v128.load(r1 + at), w3), f32x4.mul(v128.load(r1 + at + o1), w4)), f32x4.mul(v128.load(r1 + at + o2), w5));
      const a2 = f32x4.add(f32x4.add(f32x4.mul(v128.load(r2 + at), w6), f32x4.mul(v128.load(r2 + at + o1), w7)), f32x4.mul(v128.load(r2 + at + o2), w8));
      v128.store(yr + at, convActV(f32x4.add(f32x4.add(bv, a0), f32x4.add(a1, a2)), act));
    }
  }
}

export function f32_dwconv2d_fwd(x: usize, weight: usize, bias: usize, y: usize, scratch: usize, n: i32, c: i32, m: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): void {
  dwFwd(x, weight, bias, y, scratch, n, c, m, h, w, kh, kw, sh, sw, ph, pw, ConvAct.none);
}

// The forward with a ReLU or ReLU6 (ConvAct) applied as each output is stored (inference).
export function f32_dwconv2d_fwd_act(x: usize, weight: usize, bias: usize, y: usize, scratch: usize, n: i32, c: i32, m: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, act: i32): void {
  dwFwd(x, weight, bias, y, scratch, n, c, m, h, w, kh, kw, sh, sw, ph, pw, act);
}

// @ts-ignore: decorator
@inline function dwFwd(x: usize, weight: usize, bias: usize, y: usize, scratch: usize, n: i32, c: i32, m: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, act: i32): void {
  const oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
  const hp = h + 2 * ph, wp = w + 2 * pw, kk = kh * kw;
  const vec = sw <= 2 ? ow & ~3 : 0;
  const fast = kh == 3 && kw == 3 && sw <= 2;
  const split = scratch + ((<usize>hp * wp + wp + 16) << 2);
  memory.fill(scratch, 0, <usize>f32_dwconv2d_scratch(h, w, ph, pw) << 2);
  for (let i = 0; i < n; i++) {
    for (let ci = 0; ci < c; ci++) {
      const xc = x + ((<usize>(i * c + ci) * h * w) << 2);
      if (fast && sw == 2) splitPlane(xc, split, h, w, ph, pw, wp);
      else padPlane(xc, scratch, h, w, ph, pw, wp);
      for (let mi = 0; mi < m; mi++) {
        const o = ci * m + mi;
        const wo = weight + ((<usize>o * kk) << 2);
        const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
        const yo = y + ((<usize>(i * c * m + o) * oh * ow) << 2);
        if (fast) {
          if (sw == 1) dw3x3Plane(scratch, wo, b, yo, oh, ow, wp, sh, 4, 8, act);
          else dw3x3Plane(split, wo, b, yo, oh, ow, wp, sh, <usize>((wp + 1) >> 1) << 2, 4, act);
          continue;
        }
        for (let oy = 0; oy < oh; oy++) {
          const row = scratch + ((<usize>oy * sh * wp) << 2);
          const yr = yo + ((<usize>oy * ow) << 2);
          let ox = 0;
          for (; ox < vec; ox += 4) {
            let acc = f32x4.splat(b);
            const base = row + ((<usize>ox * sw) << 2);
            for (let ki = 0; ki < kh; ki++) {
              const r = base + ((<usize>ki * wp) << 2);
              for (let kj = 0; kj < kw; kj++) {
                acc = f32x4.add(acc, f32x4.mul(loadStrided(r + (<usize>kj << 2), sw), f32x4.splat(load<f32>(wo + (<usize>(ki * kw + kj) << 2)))));
              }
            }
            v128.store(yr + (<usize>ox << 2), convActV(acc, act));
          }
          for (; ox < ow; ox++) {
            let acc = b;
            const base = row + ((<usize>ox * sw) << 2);
            for (let ki = 0; ki < kh; ki++) {
              for (let kj = 0; kj < kw; kj++) acc += load<f32>(base + ((<usize>(ki * wp + kj)) << 2)) * load<f32>(wo + (<usize>(ki * kw + kj) << 2));
            }
            store<f32>(yr + (<usize>ox << 2), convActS(acc, act));
          }
        }
      }
    }
  }
}

// dx (+)= the adjoint: every dy[o, oy, ox]·w[o, ki, kj] lands on dxpad[oy·sh + ki, ox·sw + kj].
export function f32_dwconv2d_bwd_input(dy: usize, weight: usize, dx: usize, scratch: usize, n: i32, c: i32, m: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, accumulate: i32): void {
  const oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
  const hp = h + 2 * ph, wp = w + 2 * pw, kk = kh * kw;
  for (let i = 0; i < n; i++) {
    for (let ci = 0; ci < c; ci++) {
      memory.fill(scratch, 0, <usize>(hp * wp) << 2);
      for (let mi = 0; mi < m; mi++) {
        const o = ci * m + mi;
        const wo = weight + ((<usize>o * kk) << 2);
        const go = dy + ((<usize>(i * c * m + o) * oh * ow) << 2);
        for (let oy = 0; oy < oh; oy++) {
          const gr = go + ((<usize>oy * ow) << 2);
          for (let ki = 0; ki < kh; ki++) {
            for (let kj = 0; kj < kw; kj++) {
              const wv = load<f32>(wo + (<usize>(ki * kw + kj) << 2));
              const dst = scratch + ((<usize>((oy * sh + ki) * wp + kj)) << 2);
              let ox = 0;
              if (sw == 1) {
                const v = f32x4.splat(wv);
                for (; ox + 4 <= ow; ox += 4) {
                  const d = dst + (<usize>ox << 2);
                  v128.store(d, f32x4.add(v128.load(d), f32x4.mul(v128.load(gr + (<usize>ox << 2)), v)));
                }
              }
              for (; ox < ow; ox++) {
                const d = dst + ((<usize>ox * sw) << 2);
                store<f32>(d, load<f32>(d) + wv * load<f32>(gr + (<usize>ox << 2)));
              }
            }
          }
        }
      }
      const plane = dx + ((<usize>(i * c + ci) * h * w) << 2);
      for (let iy = 0; iy < h; iy++) {
        const src = scratch + ((<usize>(iy + ph) * wp + pw) << 2);
        const dst = plane + ((<usize>iy * w) << 2);
        if (accumulate) {
          for (let ix = 0; ix < w; ix++) store<f32>(dst + (<usize>ix << 2), load<f32>(dst + (<usize>ix << 2)) + load<f32>(src + (<usize>ix << 2)));
        } else {
          memory.copy(dst, src, <usize>w << 2);
        }
      }
    }
  }
}

// dw[o, ki, kj] (+)= Σ_i Σ_{oy,ox} dy[i, o, oy, ox] · xpad[o / m, oy·sh + ki, ox·sw + kj]
export function f32_dwconv2d_bwd_filter(x: usize, dy: usize, dweight: usize, scratch: usize, n: i32, c: i32, m: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, accumulate: i32): void {
  const oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
  const wp = w + 2 * pw, kk = kh * kw;
  const vec = sw <= 2 ? ow & ~3 : 0;
  if (!accumulate) memory.fill(dweight, 0, (<usize>c * m * kk) << 2);
  memory.fill(scratch, 0, <usize>((h + 2 * ph) * wp + wp + 16) << 2);
  for (let i = 0; i < n; i++) {
    for (let ci = 0; ci < c; ci++) {
      padPlane(x + ((<usize>(i * c + ci) * h * w) << 2), scratch, h, w, ph, pw, wp);
      for (let mi = 0; mi < m; mi++) {
        const o = ci * m + mi;
        const go = dy + ((<usize>(i * c * m + o) * oh * ow) << 2);
        for (let ki = 0; ki < kh; ki++) {
          for (let kj = 0; kj < kw; kj++) {
            let acc = f32x4.splat(0);
            let s: f32 = 0;
            for (let oy = 0; oy < oh; oy++) {
              const r = scratch + ((<usize>((oy * sh + ki) * wp + kj)) << 2);
              const gr = go + ((<usize>oy * ow) << 2);
              let ox = 0;
              for (; ox < vec; ox += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(gr + (<usize>ox << 2)), loadStrided(r + ((<usize>ox * sw) << 2), sw)));
              for (; ox < ow; ox++) s += load<f32>(gr + (<usize>ox << 2)) * load<f32>(r + ((<usize>ox * sw) << 2));
            }
            s += f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
            const d = dweight + ((<usize>(o * kk + ki * kw + kj)) << 2);
            store<f32>(d, load<f32>(d) + s);
          }
        }
      }
    }
  }
}

// A kernel [o, i, kh, kw] placed into a larger zeroed one [o, i, KH, KW] at rows
// offH + ki·dh, columns offW + kj·dw: a dilated (or unevenly 'same'-padded) convolution is
// then a plain one. The backward picks the same positions back out.
export function f32_kernel_embed(src: usize, dst: usize, planes: i32, kh: i32, kw: i32, bigH: i32, bigW: i32, offH: i32, offW: i32, dh: i32, dw: i32): void {
  memory.fill(dst, 0, (<usize>planes * bigH * bigW) << 2);
  for (let p = 0; p < planes; p++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        store<f32>(dst + ((<usize>(p * bigH + offH + ki * dh) * bigW + offW + kj * dw) << 2), load<f32>(src + ((<usize>(p * kh + ki) * kw + kj) << 2)));
      }
    }
  }
}

export function f32_kernel_extract(big: usize, dst: usize, planes: i32, kh: i32, kw: i32, bigH: i32, bigW: i32, offH: i32, offW: i32, dh: i32, dw: i32, accumulate: i32): void {
  for (let p = 0; p < planes; p++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const d = dst + ((<usize>(p * kh + ki) * kw + kj) << 2);
        const v = load<f32>(big + ((<usize>(p * bigH + offH + ki * dh) * bigW + offW + kj * dw) << 2));
        store<f32>(d, accumulate ? load<f32>(d) + v : v);
      }
    }
  }
}
