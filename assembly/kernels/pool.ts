// 2-D max pooling (torch.nn.MaxPool2d, no padding, floor mode), planes of one channel.
//   x [planes, h, w] -> y [planes, oh, ow], oh = (h − kh) / sh + 1, ow likewise.
//   idx [planes, oh, ow] int32: the argmax's flat offset inside its input plane (iy·w + ix),
//   as torch's return_indices; the first maximum wins a tie, NaN wins over numbers (torch).
// Backward scatters dy to the saved offsets; overlapping windows (stride < kernel) add up.

export function f32_maxpool2d_fwd(x: usize, y: usize, idx: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32): void {
  const oh = (h - kh) / sh + 1;
  const ow = (w - kw) / sw + 1;
  let out: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + ((<usize>p * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const y0 = oy * sh, x0 = ox * sw;
        let bestAt = y0 * w + x0;
        let best = load<f32>(plane + (<usize>bestAt << 2));
        for (let ki = 0; ki < kh; ki++) {
          const rowAt = (y0 + ki) * w + x0;
          for (let kj = 0; kj < kw; kj++) {
            const v = load<f32>(plane + (<usize>(rowAt + kj) << 2));
            if (v > best || (v != v && best == best)) {
              best = v;
              bestAt = rowAt + kj;
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
