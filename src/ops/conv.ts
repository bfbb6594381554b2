// 2-D convolution (torch.nn.functional.conv2d without dilation or groups), NCHW, on the
// im2col + GEMM kernels of assembly/kernels/conv.ts. Forward and backward side by side:
//   y = conv(x, W) + b   dx = convᵀ(dy, W)   dW = Σ dy·colᵀ   db = Σ dy
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, fmtShape, record, untracked } from '../autograd/tensor';
import { checkOptions } from '../options';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Zeros added on each side: n, [h, w], 'valid' (0) or 'same' (output size = input size; stride 1, odd kernels). */
  padding?: Pair | 'same' | 'valid';
}

/** The [h, w] padding of a conv2d from its option, after the kernel size and stride are known. */
export function paddingOf(fn: string, padding: Pair | 'same' | 'valid', [kh, kw]: readonly number[], [sh, sw]: readonly number[]): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding !== 'same') return pairOf(fn, 'padding', padding, 0);
  // torch pads an even kernel unevenly for 'same'; only the symmetric case is supported here
  if (sh !== 1 || sw !== 1 || kh % 2 === 0 || kw % 2 === 0) {
    throw new Error(`${fn}: padding 'same' needs stride 1 and an odd kernel, got kernel ${kh}×${kw}, stride [${sh}, ${sw}]`);
  }
  return [(kh - 1) / 2, (kw - 1) / 2];
}

/** A positive (or, for padding, non-negative) integer pair from `n` or `[h, w]`. */
export function pairOf(fn: string, name: string, v: Pair, min: number): [number, number] {
  const ok = typeof v === 'number' || (Array.isArray(v) && v.length === 2);
  const p: [number, number] = typeof v === 'number' ? [v, v] : ok ? [v[0], v[1]] : [NaN, NaN];
  if (p.some((s) => !Number.isInteger(s) || s < min)) {
    throw new Error(`${fn}: ${name} must be an integer ≥ ${min} or a pair [h, w] of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Runs fn with an untracked scratch buffer of `size` floats, freed after. */
export function withScratch(size: number, fn: (ptr: number) => void): void {
  const t = untracked([size]);
  try {
    fn(t.ptr);
  } finally {
    t.dispose();
  }
}

/**
 * Images per GEMM: enough that the GEMM's n (group · oh · ow) reaches about 512 columns; a map
 * that big goes alone. Measured on the MNIST layers (32→64 on 13×13 and 14×14, batch 64): 2 to
 * 4 images per GEMM are up to 8% faster backward than one; 8 or more no better, 16 slower
 * (the packed panel outgrows L2).
 */
export function convGroup(n: number, ohw: number): number {
  return Math.max(1, Math.min(n, Math.floor(512 / ohw)));
}

/**
 * x [n, c, h, w] ⋆ weight [oc, c, kh, kw] (+ bias [oc]) -> [n, oc, oh, ow], with
 * oh = ⌊(h + 2·padding − kh) / stride⌋ + 1 (torch.nn.functional.conv2d).
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkOptions('conv2d', options, { stride: ['integer', 'array'], padding: ['integer', 'array', ['same', 'valid']] });
  x.ptr, weight.ptr, bias?.ptr;
  const [sh, sw] = pairOf('conv2d', 'stride', options.stride ?? 1, 1);
  if (x.ndim !== 4) throw new Error(`conv2d: x must be 4-D [n, c, h, w], got ${fmtShape(x.shape)}`);
  if (weight.ndim !== 4) throw new Error(`conv2d: weight must be 4-D [out, in, kh, kw], got ${fmtShape(weight.shape)}`);
  const [n, c, h, w] = x.shape;
  const [oc, wc, kh, kw] = weight.shape;
  const [ph, pw] = paddingOf('conv2d', options.padding ?? 0, [kh, kw], [sh, sw]);
  if (wc !== c) throw new Error(`conv2d: x is ${fmtShape(x.shape)} but weight is ${fmtShape(weight.shape)}: x has ${c} channels, weight expects ${wc}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new Error(`conv2d: bias is ${fmtShape(bias.shape)} but weight is ${fmtShape(weight.shape)}: bias must be [${oc}]`);
  }
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (kh < 1 || kw < 1 || oh < 1 || ow < 1) {
    throw new Error(
      `conv2d: kernel ${kh}×${kw} does not fit input ${h}×${w} with padding [${ph}, ${pw}] (x ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)})`,
    );
  }
  const e = getEngine();
  const k = e.k;
  const group = convGroup(n, oh * ow);
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0; // no col needed
  const scratchSize = pointwise ? 0 : (c * kh * kw + (group > 1 ? oc : 0)) * group * oh * ow;
  const geo = [n, c, h, w, oc, kh, kw, sh, sw, ph, pw, group] as const;
  // the forward may take its direct path (no col), which needs the padded image instead
  const fwdScratch = Math.max(scratchSize, k.f32_conv2d_fwd_direct_scratch(c, h, w, oc, kh, kw, sh, sw, ph, pw));
  const out = empty([n, oc, oh, ow]);
  withScratch(fwdScratch, (s) => k.f32_conv2d_fwd(x.ptr, weight.ptr, bias ? bias.ptr : 0, out.ptr, s, ...geo, e.gemmWorkspace));
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, 'conv2d', inputs, (g) => {
    addGrad(x, (p, acc) => withScratch(scratchSize, (s) => k.f32_conv2d_bwd_input(g.ptr, weight.ptr, p, s, ...geo, acc, e.gemmWorkspace)));
    addGrad(weight, (p, acc) => withScratch(scratchSize, (s) => k.f32_conv2d_bwd_filter(x.ptr, g.ptr, p, s, ...geo, acc, e.gemmWorkspace)));
    if (bias) addGrad(bias, (p, acc) => k.f32_conv2d_bwd_bias(g.ptr, p, n, oc, oh * ow, acc));
  });
}
