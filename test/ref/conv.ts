// float64 oracles for the conv, pool and norm families. Never imported by src/.
type Arr = ArrayLike<number>;

/** Direct 2-D cross-correlation, NCHW, zero padding. */
export function conv2dRef(
  x: Arr, [n, c, h, w]: number[], wt: Arr, [oc, , kh, kw]: number[], bias: Arr | null, [sh, sw]: number[], [ph, pw]: number[],
): { y: Float64Array; shape: number[] } {
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const y = new Float64Array(n * oc * oh * ow);
  for (let i = 0; i < n; i++)
    for (let o = 0; o < oc; o++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let s = bias ? bias[o] : 0;
          for (let ci = 0; ci < c; ci++)
            for (let ki = 0; ki < kh; ki++)
              for (let kj = 0; kj < kw; kj++) {
                const iy = oy * sh - ph + ki, ix = ox * sw - pw + kj;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += x[((i * c + ci) * h + iy) * w + ix] * wt[((o * c + ci) * kh + ki) * kw + kj];
              }
          y[((i * oc + o) * oh + oy) * ow + ox] = s;
        }
  return { y, shape: [n, oc, oh, ow] };
}

/** Gradients of conv2dRef for an output gradient g: dx, dw, db. */
export function conv2dBackwardRef(
  x: Arr, [n, c, h, w]: number[], wt: Arr, [oc, , kh, kw]: number[], g: Arr, [sh, sw]: number[], [ph, pw]: number[],
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const dx = new Float64Array(n * c * h * w), dw = new Float64Array(oc * c * kh * kw), db = new Float64Array(oc);
  for (let i = 0; i < n; i++)
    for (let o = 0; o < oc; o++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const gv = g[((i * oc + o) * oh + oy) * ow + ox];
          db[o] += gv;
          for (let ci = 0; ci < c; ci++)
            for (let ki = 0; ki < kh; ki++)
              for (let kj = 0; kj < kw; kj++) {
                const iy = oy * sh - ph + ki, ix = ox * sw - pw + kj;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const xi = ((i * c + ci) * h + iy) * w + ix, wi = ((o * c + ci) * kh + ki) * kw + kj;
                dx[xi] += gv * wt[wi];
                dw[wi] += gv * x[xi];
              }
        }
  return { dx, dw, db };
}

/** Max pooling without padding, floor mode: values and flat in-plane argmax (first max wins). */
export function maxPool2dRef(x: Arr, [n, c, h, w]: number[], [kh, kw]: number[], [sh, sw]: number[]): { y: Float64Array; idx: Int32Array; shape: number[] } {
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const y = new Float64Array(n * c * oh * ow);
  const idx = new Int32Array(y.length);
  for (let p = 0; p < n * c; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity, at = -1;
        for (let ki = 0; ki < kh; ki++)
          for (let kj = 0; kj < kw; kj++) {
            const off = (oy * sh + ki) * w + ox * sw + kj;
            const v = x[p * h * w + off];
            if (v > best) (best = v), (at = off);
          }
        y[(p * oh + oy) * ow + ox] = best;
        idx[(p * oh + oy) * ow + ox] = at;
      }
  return { y, idx, shape: [n, c, oh, ow] };
}

/** Grouped conv2d (depthwise when groups = c): conv2dRef on each group's channels alone. */
export function groupedConv2dRef(x: Arr, [n, c, h, w]: number[], wt: Arr, [oc, cg, kh, kw]: number[], bias: Arr | null, s: number[], p: number[]): { y: Float64Array; shape: number[] } {
  const groups = c / cg, og = oc / groups;
  let out: Float64Array | null = null, shape: number[] = [];
  for (let g = 0; g < groups; g++) {
    const xg = new Float64Array(n * cg * h * w);
    for (let i = 0; i < n; i++) for (let j = 0; j < cg * h * w; j++) xg[i * cg * h * w + j] = x[(i * c + g * cg) * h * w + j];
    const wg = Array.from({ length: og * cg * kh * kw }, (_, j) => wt[g * og * cg * kh * kw + j]);
    const bg = bias ? Array.from({ length: og }, (_, j) => bias[g * og + j]) : null;
    const r = conv2dRef(xg, [n, cg, h, w], wg, [og, cg, kh, kw], bg, s, p);
    const [, , oh, ow] = r.shape;
    shape = [n, oc, oh, ow];
    out ??= new Float64Array(n * oc * oh * ow);
    for (let i = 0; i < n; i++) out.set(r.y.subarray(i * og * oh * ow, (i + 1) * og * oh * ow), (i * oc + g * og) * oh * ow);
  }
  return { y: out!, shape };
}

/** Max pooling with −∞ padding (torch.nn.functional.max_pool2d, dilation 1, floor mode): values only. */
export function maxPool2dPaddedRef(x: Arr, [n, c, h, w]: number[], [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[]): { y: Float64Array; shape: number[] } {
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const y = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity;
        for (let ki = 0; ki < kh; ki++)
          for (let kj = 0; kj < kw; kj++) {
            const iy = oy * sh - ph + ki, ix = ox * sw - pw + kj;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) best = Math.max(best, x[(p * h + iy) * w + ix]);
          }
        y[(p * oh + oy) * ow + ox] = best;
      }
  return { y, shape: [n, c, oh, ow] };
}

/** Batch norm over [n, c, l]: training (batch statistics) or evaluation (given running ones). */
export function batchNormRef(
  x: Arr, n: number, c: number, l: number, gamma: Arr, beta: Arr, eps: number,
  running: { mean: Arr; var: Arr } | null,
): { y: Float64Array; mean: Float64Array; biasedVar: Float64Array; unbiasedVar: Float64Array } {
  const m = n * l;
  const mean = new Float64Array(c), biasedVar = new Float64Array(c), unbiasedVar = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) s += x[(i * c + ch) * l + j];
    mean[ch] = s / m;
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) q += (x[(i * c + ch) * l + j] - mean[ch]) ** 2;
    biasedVar[ch] = q / m;
    unbiasedVar[ch] = q / (m - 1);
  }
  const y = new Float64Array(n * c * l);
  for (let ch = 0; ch < c; ch++) {
    const mu = running ? running.mean[ch] : mean[ch];
    const v = running ? running.var[ch] : biasedVar[ch];
    const is = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) {
      const at = (i * c + ch) * l + j;
      y[at] = (x[at] - mu) * is * gamma[ch] + beta[ch];
    }
  }
  return { y, mean, biasedVar, unbiasedVar };
}
