// Argument checks shared by every distance entry point. They run before any kernel, name
// the calling function and the argument, and cost O(size) — against O(n·m·d) for a pairwise
// distance, so non-finite values are always checked rather than behind a flag: a NaN in a
// distance matrix otherwise surfaces much later as a NaN loss with no trail back.
import { f32, getEngine } from '../wasm/instance';
import { Tensor, fmtShape } from '../autograd/tensor';

export function checkTensor(fn: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor, got ${describe(t)}`);
  if (t.isDisposed) throw new Error(`${fn}: ${name} ${fmtShape(t.shape)} was disposed and cannot be used`);
}

export function check2d(fn: string, name: string, t: unknown): asserts t is Tensor {
  checkTensor(fn, name, t);
  if (t.shape.length !== 2) throw new Error(`${fn}: ${name} must be 2-D [rows, dim], got ${fmtShape(t.shape)}`);
}

/** Throws naming the first NaN / ±Infinity of t; returns max |t| (0 for an empty t). */
export function checkFinite(fn: string, name: string, t: Tensor): number {
  const k = getEngine().k;
  const mag = k.f32_absmax(t.ptr, t.size);
  if (Number.isFinite(mag)) return mag;
  const i = k.f32_find_nonfinite(t.ptr, t.size);
  const v = f32()[(t.ptr >>> 2) + i];
  const at = t.shape.length === 2 ? `[${Math.floor(i / t.shape[1])}, ${i % t.shape[1]}]` : `${i}`;
  throw new Error(`${fn}: ${name} has a non-finite value (${v}) at ${at} of ${fmtShape(t.shape)}`);
}

/** x [n, d] and y [m, d] (pairwise) or both [n, d] (paired), finite; returns max(|x|, |y|). */
export function checkPair(fn: string, x: unknown, y: unknown, mode: 'pairwise' | 'paired'): number {
  check2d(fn, 'x', x);
  check2d(fn, 'y', y);
  if (x.shape[1] !== y.shape[1]) {
    throw new Error(`${fn}: x is ${fmtShape(x.shape)} but y is ${fmtShape(y.shape)}: last dimensions must match`);
  }
  if (mode === 'paired' && x.shape[0] !== y.shape[0]) {
    throw new Error(`${fn}: x is ${fmtShape(x.shape)} but y is ${fmtShape(y.shape)}: paired distances need the same number of rows`);
  }
  const mx = checkFinite(fn, 'x', x);
  return y === x ? mx : Math.max(mx, checkFinite(fn, 'y', y));
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Tensor) return `a Tensor ${fmtShape(v.shape)}`;
  // Stated names first (distances, layers): minifiers rename classes in dist/simlearn.js.
  if (typeof v === 'object') {
    const o = v as { name?: unknown; typeName?: unknown; constructor?: { name?: string } };
    if (typeof o.typeName === 'string') return o.typeName;
    if (typeof o.name === 'string') return o.name;
    return o.constructor?.name || 'an object';
  }
  return `${typeof v} ${String(v)}`;
}
