// 2-D max pooling (torch.nn.MaxPool2d, no padding, floor mode), planes of one channel.
//   x [planes, h, w] -> y [planes, oh, ow], oh = (h − kh) / sh + 1, ow likewise.
//   idx [planes, oh, ow] int32: the argmax's flat offset inside its input plane (iy·w + ix),
//   as torch's return_indices; the first maximum wins a tie, NaN wins over numbers (torch).
// Backward scatters dy to the saved offsets; overlapping windows (stride < kernel) add up.

// Whether v replaces best: greater, or NaN (torch's CPU rule, so NaN propagates and the last
// NaN of a window gives the index).
// @ts-ignore: decorator
@inline function beats(v: f32, best: f32): bool {
  return v > best || v != v;
}

// @ts-ignore: decorator
@inline function beatsX4(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

export function f32_maxpool2d_fwd(x: usize, y: usize, idx: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32): void {
  const oh = (h - kh) / sh + 1;
  const ow = (w - kw) / sw + 1;
  // Windows two wide at stride two (the common MaxPool2d(2)): four outputs per step, the even
  // and odd columns of eight inputs split by shuffles and compared without branches (random
  // data makes a compare-and-branch mispredict half the time). A row's last step starts at
  // ow − 4, over outputs already written where ow is not a multiple of 4: each output's window
  // and arithmetic are its own, so it is written again with the same value and index.
  const quads = kw == 2 && sw == 2 && ow >= 4;
  for (let p = 0; p < planes; p++) {
    const plane = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh;
      const row = (<usize>p * oh + oy) * ow;
      if (quads) {
        for (let step = 0; step < ow; step += 4) {
          const ox = min(step, ow - 4);
          let best = f32x4.splat(0), at = i32x4.splat(0);
          for (let ki = 0; ki < kh; ki++) {
            const rowAt = (y0 + ki) * w + 2 * ox;
            const a = v128.load(plane + (<usize>rowAt << 2));
            const b = v128.load(plane + (<usize>rowAt << 2), 16);
            const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
            const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
            const evenAt = i32x4.add(i32x4.splat(rowAt), i32x4(0, 2, 4, 6));
            if (ki == 0) {
              best = even;
              at = evenAt;
            } else {
              const t = beatsX4(even, best);
              best = v128.bitselect(even, best, t);
              at = v128.bitselect(evenAt, at, t);
            }
            const t = beatsX4(odd, best);
            best = v128.bitselect(odd, best, t);
            at = v128.bitselect(i32x4.add(evenAt, i32x4.splat(1)), at, t);
          }
          v128.store(y + ((row + ox) << 2), best);
          v128.store(idx + ((row + ox) << 2), at);
        }
        continue;
      }
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw;
        let bestAt = y0 * w + x0;
        let best = load<f32>(plane + (<usize>bestAt << 2));
        for (let ki = 0; ki < kh; ki++) {
          const rowAt = (y0 + ki) * w + x0;
          for (let kj = 0; kj < kw; kj++) {
            const v = load<f32>(plane + (<usize>(rowAt + kj) << 2));
            const t = beats(v, best);
            best = select<f32>(v, best, t);
            bestAt = select<i32>(rowAt + kj, bestAt, t);
          }
        }
        store<f32>(y + ((row + ox) << 2), best);
        store<i32>(idx + ((row + ox) << 2), bestAt);
      }
    }
  }
}

// dx[p, idx] (+)= dy[p, o]
export function f32_maxpool2d_bwd(dy: usize, idx: usize, dx: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, accumulate: i32): void {
  const hw = h * w;
  const ohw = oh * ow;
  if (!accumulate) memory.fill(dx, 0, (<usize>planes * hw) << 2);
  for (let p = 0; p < planes; p++) {
    const plane = dx + ((<usize>p * hw) << 2);
    const base = <usize>p * ohw;
    for (let o = 0; o < ohw; o++) {
      const at = plane + (<usize>load<i32>(idx + ((base + o) << 2)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(dy + ((base + o) << 2)));
    }
  }
}

// Max pooling with padding (−∞ outside) and dilation (torch.nn.MaxPool2d's general case);
// the caller gives oh, ow (floor or ceil mode). idx as above, offsets inside the unpadded plane.
export function f32_maxpool2d_fwd_padded(x: usize, y: usize, idx: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32): void {
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        let best: f32 = -Infinity;
        let bestAt = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = y0 + ki * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = x0 + kj * dw;
            if (ix < 0 || ix >= w) continue;
            const v = load<f32>(plane + ((<usize>(iy * w + ix)) << 2));
            if (bestAt < 0 || beats(v, best)) {
              best = v;
              bestAt = iy * w + ix;
            }
          }
        }
        store<f32>(y + (out << 2), best);
        store<i32>(idx + (out << 2), bestAt);
        out++;
      }
    }
  }
}

// Adaptive max pooling: window oy covers rows ⌊oy·h/oh⌋ .. ⌈(oy+1)·h/oh⌉ (torch's).
export function f32_adaptive_maxpool2d_fwd(x: usize, y: usize, idx: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32): void {
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * h / oh, y1 = ((oy + 1) * h + oh - 1) / oh;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * w / ow, x1 = ((ox + 1) * w + ow - 1) / ow;
        let bestAt = y0 * w + x0;
        let best = load<f32>(plane + (<usize>bestAt << 2));
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const v = load<f32>(plane + ((<usize>(iy * w + ix)) << 2));
            if (beats(v, best)) {
              best = v;
              bestAt = iy * w + ix;
            }
          }
        }
        store<f32>(y + (out << 2), best);
        store<i32>(idx + (out << 2), bestAt);
        out++;
      }
    }
  }
}

// Average pooling window of output (oy, ox) clipped to the plane, and its divisor:
//   regular: rows oy·sh − ph .. + kh, capped at h + ph (torch's avg_pool2d); the divisor is
//   the window inside the padded plane (countIncludePad), the part inside the plane, or
//   `divisor` when > 0 (divisor_override);
//   adaptive (AvgPoolFlag.adaptive): rows ⌊oy·h/oh⌋ .. ⌈(oy+1)·h/oh⌉, divided by its size.
// Returns the divisor; the window goes to the four globals below.
let wy0 = 0, wy1 = 0, wx0 = 0, wx1 = 0;

// @ts-ignore: decorator
@inline function avgWindow(oy: i32, ox: i32, h: i32, w: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, flags: i32, divisor: i32): f32 {
  if (flags & 2) {
    wy0 = oy * h / oh; wy1 = ((oy + 1) * h + oh - 1) / oh;
    wx0 = ox * w / ow; wx1 = ((ox + 1) * w + ow - 1) / ow;
    return <f32>((wy1 - wy0) * (wx1 - wx0));
  }
  let y0 = oy * sh - ph, x0 = ox * sw - pw;
  let y1 = min(y0 + kh, h + ph), x1 = min(x0 + kw, w + pw);
  const padded = (y1 - y0) * (x1 - x0);
  wy0 = max(y0, 0); wy1 = min(y1, h); wx0 = max(x0, 0); wx1 = min(x1, w);
  if (divisor > 0) return <f32>divisor;
  return <f32>(flags & 1 ? padded : (wy1 - wy0) * (wx1 - wx0));
}

export function f32_avgpool2d_fwd(x: usize, y: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, flags: i32, divisor: i32): void {
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const div = avgWindow(oy, ox, h, w, oh, ow, kh, kw, sh, sw, ph, pw, flags, divisor);
        let acc = f32x4.splat(0);
        let s: f32 = 0;
        for (let iy = wy0; iy < wy1; iy++) {
          const r = plane + ((<usize>iy * w) << 2);
          let ix = wx0;
          for (; ix + 4 <= wx1; ix += 4) acc = f32x4.add(acc, v128.load(r + (<usize>ix << 2)));
          for (; ix < wx1; ix++) s += load<f32>(r + (<usize>ix << 2));
        }
        s += f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
        store<f32>(y + (out << 2), s / div);
        out++;
      }
    }
  }
}

// dx (+)= each dy spread evenly (÷ divisor) over its window.
export function f32_avgpool2d_bwd(dy: usize, dx: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, flags: i32, divisor: i32, accumulate: i32): void {
  if (!accumulate) memory.fill(dx, 0, (<usize>planes * h * w) << 2);
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = dx + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const div = avgWindow(oy, ox, h, w, oh, ow, kh, kw, sh, sw, ph, pw, flags, divisor);
        const g = load<f32>(dy + (out << 2)) / div;
        for (let iy = wy0; iy < wy1; iy++) {
          const r = plane + ((<usize>iy * w) << 2);
          for (let ix = wx0; ix < wx1; ix++) store<f32>(r + (<usize>ix << 2), load<f32>(r + (<usize>ix << 2)) + g);
        }
        out++;
      }
    }
  }
}

// Max pooling for inference: values only, no argmax (nothing will run a backward), with
// padding (−∞ outside), dilation 1, any kernel and stride; oh, ow from the caller (floor or
// ceil mode). Per output row: the max over its kh input rows (clipped to the plane) into a
// row buffer with pw −∞ on each side, then the max over kw of that row, four outputs at a
// time at stride 1 or 2. f32x4.max and the scalar max both propagate NaN, as torch does.
// scratch: f32_maxpool2d_infer_scratch(w, kw, pw) floats: the row, its borders, and a −∞
// tail for ceil mode's last window and stride 2's eight-float reads.
export function f32_maxpool2d_infer_scratch(w: i32, kw: i32, pw: i32): i32 {
  return w + 2 * pw + kw + 8;
}

export function f32_maxpool2d_fwd_infer(x: usize, y: usize, scratch: usize, planes: i32, h: i32, w: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): void {
  const wp = w + 2 * pw;
  const ninf = f32x4.splat(-Infinity);
  for (let j = 0; j < wp + kw + 8; j++) store<f32>(scratch + (<usize>j << 2), -Infinity);
  const row = scratch + (<usize>pw << 2);
  const vec = sw <= 2 ? ow & ~3 : 0;
  let out = y;
  for (let p = 0; p < planes; p++) {
    const plane = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const i0 = max(y0, 0), i1 = min(y0 + kh, h);
      // the window's rows, max-reduced into row[0 .. w)
      let j = 0;
      for (; j + 4 <= w; j += 4) {
        let m = ninf;
        for (let iy = i0; iy < i1; iy++) m = f32x4.max(m, v128.load(plane + ((<usize>(iy * w + j)) << 2)));
        v128.store(row + (<usize>j << 2), m);
      }
      for (; j < w; j++) {
        let m: f32 = -Infinity;
        for (let iy = i0; iy < i1; iy++) m = max(m, load<f32>(plane + ((<usize>(iy * w + j)) << 2)));
        store<f32>(row + (<usize>j << 2), m);
      }
      let ox = 0;
      for (; ox < vec; ox += 4) {
        const at = scratch + ((<usize>ox * sw) << 2);
        let m = ninf;
        for (let kj = 0; kj < kw; kj++) {
          const q = at + (<usize>kj << 2);
          m = f32x4.max(m, sw == 1 ? v128.load(q) : v128.shuffle<f32>(v128.load(q), v128.load(q, 16), 0, 2, 4, 6));
        }
        v128.store(out + (<usize>ox << 2), m);
      }
      for (; ox < ow; ox++) {
        const at = scratch + ((<usize>ox * sw) << 2);
        let m: f32 = -Infinity;
        for (let kj = 0; kj < kw; kj++) m = max(m, load<f32>(at + (<usize>kj << 2)));
        store<f32>(out + (<usize>ox << 2), m);
      }
      out += <usize>ow << 2;
    }
  }
}
