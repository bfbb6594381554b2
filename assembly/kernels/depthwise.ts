// Depthwise 2-D convolution (torch.nn.Conv2d with groups = in_channels), NCHW:
//   x [n, c, h, w], weight [c·m, 1, kh, kw] (m outputs per input channel), y [n, c·m, oh, ow],
//   y[i, o, oy, ox] = Σ_{ki,kj} w[o, ki, kj] · xpad[o / m, oy·sh + ki, ox·sw + kj] (+ b[o]).
// Each input plane is copied once into scratch with a zero border (xpad, hp × wp, then a
// zeroed tail of wp + 8 floats so the vector loads of the last row may over-read); outputs
// go four at a time along a row, every tap in registers. Stride 2 reads eight inputs and
// keeps the even lanes. scratch: dwScratch floats (see f32_dwconv2d_scratch).
// Backward to the input scatters through the same padded layout (dxpad), backward to the
// weight is one dot product per tap over the padded plane.

import { ConvAct } from '../codes';
import { convActS, convActV } from './vec';

// @ts-ignore: decorator
@inline function padPlane(src: usize, dst: usize, h: i32, w: i32, ph: i32, pw: i32, wp: i32): void {
  for (let iy = 0; iy < h; iy++) memory.copy(dst + ((<usize>(iy + ph) * wp + pw) << 2), src + ((<usize>iy * w) << 2), <usize>w << 2);
}

// Four inputs at stride s from p (s = 1 or 2; other strides go through the scalar tail).
// @ts-ignore: decorator
@inline function loadStrided(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

// Floats of scratch the three depthwise kernels need.
export function f32_dwconv2d_scratch(h: i32, w: i32, ph: i32, pw: i32): i32 {
  const hp = h + 2 * ph, wp = w + 2 * pw;
  return hp * wp + wp + 16;
}

// One output plane of a 3×3 kernel at stride 1 or 2 (MobileNet's depthwise layers): the nine
// taps splatted once per plane and, per four outputs, the three rows summed as independent
// chains then added, so the adds do not wait on one another (a single chain of nine adds
// is latency-bound). Same results as the general loop up to the order of the additions.
// @ts-ignore: decorator
@inline function dw3x3Plane(xpad: usize, wo: usize, b: f32, yo: usize, oh: i32, ow: i32, wp: i32, sh: i32, sw: i32, vec: i32, act: i32): void {
  const w0 = v128.load32_splat(wo), w1 = v128.load32_splat(wo, 4), w2 = v128.load32_splat(wo, 8);
  const w3 = v128.load32_splat(wo, 12), w4 = v128.load32_splat(wo, 16), w5 = v128.load32_splat(wo, 20);
  const w6 = v128.load32_splat(wo, 24), w7 = v128.load32_splat(wo, 28), w8 = v128.load32_splat(wo, 32);
  const bv = f32x4.splat(b);
  const rowBytes = <usize>wp << 2;
  for (let oy = 0; oy < oh; oy++) {
    const r0 = xpad + ((<usize>oy * sh * wp) << 2), r1 = r0 + rowBytes, r2 = r1 + rowBytes;
    const yr = yo + ((<usize>oy * ow) << 2);
    let ox = 0;
    for (; ox < vec; ox += 4) {
      const at = (<usize>ox * sw) << 2;
      const a0 = f32x4.add(f32x4.add(f32x4.mul(loadStrided(r0 + at, sw), w0), f32x4.mul(loadStrided(r0 + at + 4, sw), w1)), f32x4.mul(loadStrided(r0 + at + 8, sw), w2));
      const a1 = f32x4.add(f32x4.add(f32x4.mul(loadStrided(r1 + at, sw), w3), f32x4.mul(loadStrided(r1 + at + 4, sw), w4)), f32x4.mul(loadStrided(r1 + at + 8, sw), w5));
      const a2 = f32x4.add(f32x4.add(f32x4.mul(loadStrided(r2 + at, sw), w6), f32x4.mul(loadStrided(r2 + at + 4, sw), w7)), f32x4.mul(loadStrided(r2 + at + 8, sw), w8));
      v128.store(yr + (<usize>ox << 2), convActV(f32x4.add(f32x4.add(bv, a0), f32x4.add(a1, a2)), act));
    }
    for (; ox < ow; ox++) {
      const p0 = r0 + ((<usize>ox * sw) << 2), p1 = p0 + rowBytes, p2 = p1 + rowBytes;
      let acc = b;
      for (let kj = 0; kj < 3; kj++) {
        const o = <usize>kj << 2;
        acc += load<f32>(p0 + o) * load<f32>(wo + o) + load<f32>(p1 + o) * load<f32>(wo + o + 12) + load<f32>(p2 + o) * load<f32>(wo + o + 24);
      }
      store<f32>(yr + (<usize>ox << 2), convActS(acc, act));
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
  memory.fill(scratch, 0, <usize>f32_dwconv2d_scratch(h, w, ph, pw) << 2);
  for (let i = 0; i < n; i++) {
    for (let ci = 0; ci < c; ci++) {
      padPlane(x + ((<usize>(i * c + ci) * h * w) << 2), scratch, h, w, ph, pw, wp);
      for (let mi = 0; mi < m; mi++) {
        const o = ci * m + mi;
        const wo = weight + ((<usize>o * kk) << 2);
        const b: f32 = bias ? load<f32>(bias + (<usize>o << 2)) : 0;
        const yo = y + ((<usize>(i * c * m + o) * oh * ow) << 2);
        if (kh == 3 && kw == 3 && sw <= 2) {
          dw3x3Plane(scratch, wo, b, yo, oh, ow, wp, sh, sw, vec, act);
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
  memory.fill(scratch, 0, <usize>f32_dwconv2d_scratch(h, w, ph, pw) << 2);
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
