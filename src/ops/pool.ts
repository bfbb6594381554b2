// 2-D pooling (torch.nn.functional's max_pool2d, avg_pool2d, adaptive_*_pool2d), NCHW, one
// plane per channel. Max pooling saves the argmax offsets as an int32 buffer for the backward
// scatter; average pooling recomputes its windows.
import { AvgPoolFlag } from '../wasm/abi';
import { getEngine } from '../wasm/instance';
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, fmtShape, isGradEnabled, record, untracked } from '../autograd/tensor';
import { checkOptions } from '../options';
import { pairOf, type Pair } from './conv';

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  /** −∞ added on each side, at most half the kernel (default 0). */
  padding?: Pair;
  dilation?: Pair;
  /** Round the output size up (a last window may start in the right/bottom padding). */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
  /** Divide by the whole window, padding included (default true, as torch). */
  countIncludePad?: boolean;
  /** Divide every window by this instead. */
  divisorOverride?: number;
}

const POOL = { stride: ['integer', 'array'], padding: ['integer', 'array'], ceilMode: 'boolean' } as const;
export const MAXPOOL_OPTIONS = { ...POOL, dilation: ['integer', 'array'] } as const;
export const AVGPOOL_OPTIONS = { ...POOL, countIncludePad: 'boolean', divisorOverride: 'integer' } as const;

/** Output size along one side, torch's pooling_output_shape. */
function pooledSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = Math.floor((span + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

interface Geometry {
  n: number; c: number; h: number; w: number; oh: number; ow: number;
  k: [number, number]; s: [number, number]; p: [number, number]; d: [number, number];
}

function geometry(fn: string, x: Tensor, kernelSize: Pair, o: { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean }): Geometry {
  assertLive(fn, 'x', x);
  const k = pairOf(fn, 'kernelSize', kernelSize, 1);
  const s = pairOf(fn, 'stride', o.stride ?? kernelSize, 1);
  const p = pairOf(fn, 'padding', o.padding ?? 0, 0);
  const d = pairOf(fn, 'dilation', o.dilation ?? 1, 1);
  if (x.ndim !== 4) throw new Error(`${fn}: x must be 4-D [n, c, h, w], got ${fmtShape(x.shape)}`);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) throw new Error(`${fn}: padding [${p}] must be at most half the kernel size [${k}]`);
  const [n, c, h, w] = x.shape;
  if (d[0] * (k[0] - 1) + 1 > h + 2 * p[0] || d[1] * (k[1] - 1) + 1 > w + 2 * p[1]) {
    throw new Error(`${fn}: kernel ${k[0]}×${k[1]} is larger than the input ${h}×${w} (padding [${p}], dilation [${d}], x ${fmtShape(x.shape)})`);
  }
  const oh = pooledSize(h, k[0], s[0], p[0], d[0], o.ceilMode ?? false);
  const ow = pooledSize(w, k[1], s[1], p[1], d[1], o.ceilMode ?? false);
  return { n, c, h, w, oh, ow, k, s, p, d };
}

/** x [n, c, h, w] -> [n, c, oh, ow], max over each window (torch.nn.functional.max_pool2d). */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  const o = checkOptions<MaxPool2dOptions>('maxPool2d', options, MAXPOOL_OPTIONS);
  const { n, c, h, w, oh, ow, k: [kh, kw], s: [sh, sw], p: [ph, pw], d: [dh, dw] } = geometry('maxPool2d', x, kernelSize, o);
  const k = getEngine().k;
  const out = empty([n, c, oh, ow]);
  if (dh === 1 && dw === 1 && !(isGradEnabled() && x.requiresGrad)) {
    // no backward can follow (inference): values only, no argmax buffer
    const scratch = untracked([k.f32_maxpool2d_infer_scratch(w, kw, pw)]);
    try {
      k.f32_maxpool2d_fwd_infer(x.ptr, out.ptr, scratch.ptr, n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
    } finally {
      scratch.dispose();
    }
    return out;
  }
  const idx = untracked([n, c, oh, ow]); // int32 offsets stored in a float-sized buffer
  if (ph === 0 && pw === 0 && dh === 1 && dw === 1 && oh === Math.floor((h - kh) / sh) + 1 && ow === Math.floor((w - kw) / sw) + 1) {
    k.f32_maxpool2d_fwd(x.ptr, out.ptr, idx.ptr, n * c, h, w, kh, kw, sh, sw);
  } else {
    k.f32_maxpool2d_fwd_padded(x.ptr, out.ptr, idx.ptr, n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
  }
  return maxRecord(x, out, idx, 'maxPool2d');
}

function maxRecord(x: Tensor, out: Tensor, idx: Tensor, name: string): Tensor {
  const [n, c, h, w] = x.shape;
  const [, , oh, ow] = out.shape;
  const k = getEngine().k;
  return record(out, name, [x], (g) => addGrad(x, (p, acc) => k.f32_maxpool2d_bwd(g.ptr, idx.ptr, p, n * c, h, w, oh, ow, acc)), [idx]);
}

/** x [n, c, h, w] -> [n, c, oh, ow], the mean of each window (torch.nn.functional.avg_pool2d). */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  const o = checkOptions<AvgPool2dOptions>('avgPool2d', options, AVGPOOL_OPTIONS);
  const divisor = o.divisorOverride ?? 0;
  if (o.divisorOverride !== undefined && divisor < 1) throw new Error(`avgPool2d: divisorOverride must be a positive integer, got ${divisor}`);
  const g = geometry('avgPool2d', x, kernelSize, o);
  const flags = (o.countIncludePad ?? true) ? AvgPoolFlag.countIncludePad : 0;
  return avgRun('avgPool2d', x, g, flags, divisor);
}

function avgRun(name: string, x: Tensor, { n, c, h, w, oh, ow, k: [kh, kw], s: [sh, sw], p: [ph, pw] }: Geometry, flags: number, divisor: number): Tensor {
  const k = getEngine().k;
  const out = empty([n, c, oh, ow]);
  const geo = [n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, flags, divisor] as const;
  k.f32_avgpool2d_fwd(x.ptr, out.ptr, ...geo);
  return record(out, name, [x], (gy) => addGrad(x, (p, acc) => k.f32_avgpool2d_bwd(gy.ptr, p, ...geo, acc)));
}

function adaptiveGeometry(fn: string, x: Tensor, outputSize: Pair): Geometry {
  assertLive(fn, 'x', x);
  const [oh, ow] = pairOf(fn, 'outputSize', outputSize, 1);
  if (x.ndim !== 4) throw new Error(`${fn}: x must be 4-D [n, c, h, w], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  return { n, c, h, w, oh, ow, k: [1, 1], s: [1, 1], p: [0, 0], d: [1, 1] };
}

/** x [n, c, h, w] -> [n, c, oh, ow]: windows ⌊i·h/oh⌋ .. ⌈(i+1)·h/oh⌉ averaged (torch's adaptive_avg_pool2d). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  return avgRun('adaptiveAvgPool2d', x, adaptiveGeometry('adaptiveAvgPool2d', x, outputSize), AvgPoolFlag.adaptive, 0);
}

/** x [n, c, h, w] -> [n, c, oh, ow], the max of each adaptive window. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: Pair): Tensor {
  const { n, c, h, w, oh, ow } = adaptiveGeometry('adaptiveMaxPool2d', x, outputSize);
  const out = empty([n, c, oh, ow]);
  const idx = untracked([n, c, oh, ow]);
  getEngine().k.f32_adaptive_maxpool2d_fwd(x.ptr, out.ptr, idx.ptr, n * c, h, w, oh, ow);
  return maxRecord(x, out, idx, 'adaptiveMaxPool2d');
}
