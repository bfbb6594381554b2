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
  // data makes a compare-and-branch mispredict half the time).
  const pairs = kw == 2 && sw == 2 ? ow & ~3 : 0;
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh;
      let ox = 0;
      for (; ox < pairs; ox += 4) {
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
        v128.store(y + (out << 2), best);
        v128.store(idx + (out << 2), at);
        out += 4;
      }
      for (; ox < ow; ox++) {
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
        store<f32>(y + (out << 2), best);
        store<i32>(idx + (out << 2), bestAt);
        out++;
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
