// 2-D convolution (torch.nn.functional.conv2d), NCHW, on the im2col + GEMM kernels of
// assembly/kernels/conv.ts. Forward and backward side by side:
//   y = conv(x, W) + b   dx = convᵀ(dy, W)   dW = Σ dy·colᵀ   db = Σ dy
// Depthwise convolutions (groups = in channels) have their own kernels
// (assembly/kernels/depthwise.ts); other groups run the dense kernels group by group.
// Dilation and an uneven 'same' padding become a plain convolution with a larger kernel
// holding the weights among zeros (kernelEmbed), so the kernels know neither.
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, composite, fmtShape, isGradEnabled, needsGrad, record, untracked } from '../autograd/tensor';
import { checkOptions } from '../options';
import { ConvAct } from '../wasm/abi';
import { reshape } from './shape';
import { relu } from './eltwise';
import { activation } from './activation';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Zeros added on each side: n, [h, w], 'valid' (0) or 'same' (output size = input size; stride 1). */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  /** Input and output channels split into this many independent groups (default 1). */
  groups?: number;
}

export const CONV2D_OPTIONS = { stride: ['integer', 'array'], padding: ['integer', 'array', ['same', 'valid']], dilation: ['integer', 'array'], groups: 'integer' } as const;

/**
 * The padding of a conv from its option as [top, left, bottom, right]: symmetric except for
 * 'same' with an even dilated kernel extent, where torch puts the extra zero after.
 */
export function paddingOf(fn: string, padding: Pair | 'same' | 'valid', [kh, kw]: readonly number[], [sh, sw]: readonly number[], [dh, dw]: readonly number[] = [1, 1]): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') {
    const [ph, pw] = pairOf(fn, 'padding', padding, 0);
    return [ph, pw, ph, pw];
  }
  if (sh !== 1 || sw !== 1) throw new Error(`${fn}: padding 'same' needs stride 1, got stride [${sh}, ${sw}]`);
  const th = dh * (kh - 1), tw = dw * (kw - 1);
  return [th >> 1, tw >> 1, th - (th >> 1), tw - (tw >> 1)];
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
 * x [n, c, h, w] ⋆ weight [oc, c / groups, kh, kw] (+ bias [oc]) -> [n, oc, oh, ow], with
 * oh = ⌊(h + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1 (torch.nn.functional.conv2d).
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return convOp(x, weight, bias ?? null, options, ConvAct.none);
}

/**
 * relu(conv2d(x, weight, bias)) as one op (nn.Sequential fuses a Conv2d followed by a ReLU
 * into it): the ReLU runs in the conv's epilogue and its backward in one pass with the bias
 * gradient, and the conv's own output is never kept — the same values, one activation less
 * saved for backward. Recorded depthwise, dilated and unevenly padded convs compose the two ops.
 */
export function conv2dRelu(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return convOp(x, weight, bias ?? null, options, ConvAct.relu);
}

/**
 * relu(conv2d(…)) or relu6(conv2d(…)) for the nn.Conv2d layers nn.fuseBatchNorm gave an
 * activation: ReLU is conv2dRelu; ReLU6 runs in the conv kernel's bias pass when no backward
 * can follow (inference), else as the two recorded ops.
 */
export function conv2dActivated(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions, act: 'relu' | 'relu6'): Tensor {
  if (act === 'relu') return conv2dRelu(x, weight, bias, options);
  if (!isRecorded(x, weight, bias)) return convOp(x, weight, bias, options, ConvAct.relu6);
  return composite(() => activation('relu6', conv2d(x, weight, bias, options)));
}

/** Whether a conv over these tensors would be recorded for backward. */
export function isRecorded(x: Tensor, weight: Tensor, bias: Tensor | null): boolean {
  return isGradEnabled() && (x.requiresGrad || weight.requiresGrad || !!bias?.requiresGrad);
}

export interface ConvGeometry {
  stride: [number, number];
  dilation: [number, number];
  groups: number;
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
}

/** conv2d's checks of its arguments (before any work), and the geometry they give. */
export function convGeometry(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions): ConvGeometry {
  checkOptions('conv2d', options, CONV2D_OPTIONS);
  assertLive('conv2d', 'x', x);
  assertLive('conv2d', 'weight', weight);
  if (bias) assertLive('conv2d', 'bias', bias);
  const stride = pairOf('conv2d', 'stride', options.stride ?? 1, 1);
  const [dh, dw] = pairOf('conv2d', 'dilation', options.dilation ?? 1, 1);
  const groups = options.groups ?? 1;
  if (x.ndim !== 4) throw new Error(`conv2d: x must be 4-D [n, c, h, w], got ${fmtShape(x.shape)}`);
  if (weight.ndim !== 4) throw new Error(`conv2d: weight must be 4-D [out, in / groups, kh, kw], got ${fmtShape(weight.shape)}`);
  const [, c] = x.shape;
  const [oc, wc, kh, kw] = weight.shape;
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0 || oc % groups !== 0) {
    throw new Error(`conv2d: groups ${groups} must be a positive integer dividing the ${c} input and ${oc} output channels (x ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)})`);
  }
  if (wc * groups !== c) {
    throw new Error(`conv2d: x is ${fmtShape(x.shape)} but weight is ${fmtShape(weight.shape)}: x has ${c} channels, weight expects ${wc}·${groups} (groups)`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new Error(`conv2d: bias is ${fmtShape(bias.shape)} but weight is ${fmtShape(weight.shape)}: bias must be [${oc}]`);
  }
  const pads = paddingOf('conv2d', options.padding ?? 0, [kh, kw], stride, [dh, dw]);
  return { stride, dilation: [dh, dw], groups, pads };
}

// act: ConvAct.relu (recorded or not), or ConvAct.relu6 only when nothing is recorded.
function convOp(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions, act: ConvAct): Tensor {
  const { stride, dilation: [dh, dw], groups, pads: [pt, pl, pb, pr] } = convGeometry(x, weight, bias, options);
  const [, c] = x.shape;
  const [, , kh, kw] = weight.shape;
  const plain = dh === 1 && dw === 1 && pt === pb && pl === pr;
  // the fused ReLU's backward exists for the dense plain path only
  if (act !== ConvAct.none && isRecorded(x, weight, bias) && (!plain || (groups > 1 && groups === c))) {
    return composite(() => relu(convOp(x, weight, bias, options, ConvAct.none)));
  }
  if (plain) return conv2dPlain(x, weight, bias, stride, [pt, pl], groups, act);
  // the weights among zeros in a kernel of the dilated extent (plus one for an uneven pad)
  return composite(() => {
    const bigH = dh * (kh - 1) + 1 + (pb - pt), bigW = dw * (kw - 1) + 1 + (pr - pl);
    const big = kernelEmbed(weight, bigH, bigW, pb - pt, pr - pl, dh, dw);
    return conv2dPlain(x, big, bias, stride, [pb, pr], groups, act);
  });
}

/** weight [o, i, kh, kw] placed in a zeroed [o, i, bigH, bigW] at (offH + ki·dh, offW + kj·dw). */
function kernelEmbed(weight: Tensor, bigH: number, bigW: number, offH: number, offW: number, dh: number, dw: number): Tensor {
  const [o, i, kh, kw] = weight.shape;
  const k = getEngine().k;
  const out = empty([o, i, bigH, bigW]);
  const geo = [o * i, kh, kw, bigH, bigW, offH, offW, dh, dw] as const;
  k.f32_kernel_embed(weight.ptr, out.ptr, ...geo);
  return record(out, 'kernelEmbed', [weight], (g) => addGrad(weight, (p, acc) => k.f32_kernel_extract(g.ptr, p, ...geo, acc)));
}

// act: recorded only as ConvAct.relu (its backward below); ReLU6 only when nothing is recorded.
/** [oh, ow] of a plain conv (symmetric padding, no dilation); throws when the kernel does not fit. */
export function convOutSize(x: Tensor, weight: Tensor, [sh, sw]: readonly number[], [ph, pw]: readonly number[]): [number, number] {
  const [, , h, w] = x.shape;
  const [, , kh, kw] = weight.shape;
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (kh < 1 || kw < 1 || oh < 1 || ow < 1) {
    throw new Error(
      `conv2d: kernel ${kh}×${kw} does not fit input ${h}×${w} with padding [${ph}, ${pw}] (x ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)})`,
    );
  }
  return [oh, ow];
}

function conv2dPlain(x: Tensor, weight: Tensor, bias: Tensor | null, [sh, sw]: readonly number[], [ph, pw]: readonly number[], groups: number, act: ConvAct): Tensor {
  const [n, c, h, w] = x.shape;
  const [oc, , kh, kw] = weight.shape;
  const [oh, ow] = convOutSize(x, weight, [sh, sw], [ph, pw]);
  if (groups > 1 && groups === c) return depthwise(x, weight, bias, [n, c, h, w, oc, kh, kw, sh, sw, ph, pw], act);
  const e = getEngine();
  const k = e.k;
  const cg = c / groups, ocg = oc / groups;
  // grouped: one image and one group per kernel call, with the batch of that call 1
  const nb = groups > 1 ? 1 : n;
  const group = convGroup(nb, oh * ow);
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0; // no col needed
  const scratchSize = pointwise ? 0 : (cg * kh * kw + (group > 1 ? ocg : 0)) * group * oh * ow;
  const geo = [nb, cg, h, w, ocg, kh, kw, sh, sw, ph, pw, group] as const;
  // the forward may take its direct path (no col), which needs the padded image instead
  const fwdScratch = Math.max(scratchSize, k.f32_conv2d_fwd_direct_scratch(cg, h, w, ocg, kh, kw, sh, sw, ph, pw));
  // byte offsets of image i, group j: in x, in y, in the weight
  const xAt = (i: number, j: number) => (i * c + j * cg) * h * w * 4;
  const yAt = (i: number, j: number) => (i * oc + j * ocg) * oh * ow * 4;
  const wAt = (j: number) => j * ocg * cg * kh * kw * 4;
  const each = (fn: (i: number, j: number, first: boolean) => void) => {
    if (groups === 1) return fn(0, 0, true);
    for (let i = 0; i < n; i++) for (let j = 0; j < groups; j++) fn(i, j, i === 0);
  };
  const out = empty([n, oc, oh, ow]);
  withScratch(fwdScratch, (s) =>
    each((i, j) => {
      const b = bias ? bias.ptr + j * ocg * 4 : 0;
      if (act === ConvAct.none) k.f32_conv2d_fwd(x.ptr + xAt(i, j), weight.ptr + wAt(j), b, out.ptr + yAt(i, j), s, ...geo, e.gemmWorkspace);
      else k.f32_conv2d_fwd_act(x.ptr + xAt(i, j), weight.ptr + wAt(j), b, out.ptr + yAt(i, j), s, ...geo, e.gemmWorkspace, act);
    }),
  );
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const withRelu = act === ConvAct.relu;
  return record(out, withRelu ? 'conv2dRelu' : 'conv2d', inputs, (g) => {
    // A narrow first layer (its input takes no gradient): mask, bias and filter gradient in
    // one pass that leaves g unmasked, as nothing else reads it.
    const smallScratch = withRelu && groups === 1 && !needsGrad(x) && needsGrad(weight) ? k.f32_conv2d_relu_bwd_filter_small_scratch(c, kh, kw, oc, oh * ow, group) : 0;
    if (smallScratch > 0) {
      const filter = (pb: number, accB: number) =>
        addGrad(weight, (p, acc) => withScratch(smallScratch, (s) => k.f32_conv2d_relu_bwd_filter_small(x.ptr, out.ptr, g.ptr, p, pb, s, ...geo, acc, accB, 0, oc)));
      if (bias && needsGrad(bias)) addGrad(bias, (p, acc) => filter(p, acc));
      else filter(0, 0);
      return;
    }
    // The ReLU's backward masks g in place (backward owns g), with the bias gradient in the same pass.
    if (withRelu) {
      if (bias && needsGrad(bias)) addGrad(bias, (p, acc) => k.f32_conv2d_relu_bwd(out.ptr, g.ptr, p, n, oc, oh * ow, acc, 0, oc));
      else k.f32_conv2d_relu_bwd(out.ptr, g.ptr, 0, n, oc, oh * ow, 0, 0, oc);
    }
    addGrad(x, (p, acc) =>
      withScratch(scratchSize, (s) => each((i, j) => k.f32_conv2d_bwd_input(g.ptr + yAt(i, j), weight.ptr + wAt(j), p + xAt(i, j), s, ...geo, acc, e.gemmWorkspace))),
    );
    addGrad(weight, (p, acc) =>
      withScratch(scratchSize, (s) =>
        each((i, j, first) => k.f32_conv2d_bwd_filter(x.ptr + xAt(i, j), g.ptr + yAt(i, j), p + wAt(j), s, ...geo, first ? acc : 1, e.gemmWorkspace)),
      ),
    );
    if (bias && !withRelu) addGrad(bias, (p, acc) => k.f32_conv2d_bwd_bias(g.ptr, p, n, oc, oh * ow, acc));
  });
}

/** groups = c: each input channel convolved with its own oc / c filters. */
function depthwise(x: Tensor, weight: Tensor, bias: Tensor | null, geo: readonly number[], act: ConvAct): Tensor {
  const [n, c, h, w, oc, kh, kw, sh, sw, ph, pw] = geo;
  const m = oc / c;
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1, ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const k = getEngine().k;
  const dims = [n, c, m, h, w, kh, kw, sh, sw, ph, pw] as const;
  const scratch = k.f32_dwconv2d_scratch(h, w, ph, pw);
  const out = empty([n, oc, oh, ow]);
  withScratch(scratch, (s) => {
    if (act === ConvAct.none) k.f32_dwconv2d_fwd(x.ptr, weight.ptr, bias ? bias.ptr : 0, out.ptr, s, ...dims);
    else k.f32_dwconv2d_fwd_act(x.ptr, weight.ptr, bias ? bias.ptr : 0, out.ptr, s, ...dims, act);
  });
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, 'conv2d', inputs, (g) => {
    addGrad(x, (p, acc) => withScratch(scratch, (s) => k.f32_dwconv2d_bwd_input(g.ptr, weight.ptr, p, s, ...dims, acc)));
    addGrad(weight, (p, acc) => withScratch(scratch, (s) => k.f32_dwconv2d_bwd_filter(x.ptr, g.ptr, p, s, ...dims, acc)));
    if (bias) addGrad(bias, (p, acc) => k.f32_conv2d_bwd_bias(g.ptr, p, n, oc, oh * ow, acc));
  });
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
}

/** x [n, c, l] ⋆ weight [oc, c / groups, k] (+ bias) -> [n, oc, ol] (torch.nn.functional.conv1d): a conv2d of height 1. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = checkOptions<Conv1dOptions>('conv1d', options, { stride: 'integer', padding: ['integer', ['same', 'valid']], dilation: 'integer', groups: 'integer' });
  assertLive('conv1d', 'x', x);
  assertLive('conv1d', 'weight', weight);
  if (x.ndim !== 3 || weight.ndim !== 3) throw new Error(`conv1d: x must be [n, c, l] and weight [out, in / groups, k], got x ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)}`);
  return composite(() => {
    const [n, c, l] = x.shape;
    const y = conv2d(reshape(x, [n, c, 1, l]), reshape(weight, [weight.shape[0], weight.shape[1], 1, weight.shape[2]]), bias, {
      stride: [1, stride], padding: typeof padding === 'number' ? [0, padding] : padding, dilation: [1, dilation], groups,
    });
    return reshape(y, [n, y.shape[1], y.shape[3]]);
  });
}
