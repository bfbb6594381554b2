// Elementwise unary ops: one kernel pair (f32_unary_fwd / f32_unary_bwd) keyed by UnaryOp,
// the backward reading x and the forward's output y (exp, sigmoid, sqrt, tanh reuse y).
import { empty } from '../autograd/create';
import { Tensor, addGrad, assertLive, record } from '../autograd/tensor';
import { UnaryOp } from '../wasm/abi';
import { getEngine } from '../wasm/instance';

function unary(fn: string, op: UnaryOp, x: Tensor, a = 0, b = 0): Tensor {
  assertLive(fn, 'x', x);
  const k = getEngine().k;
  const y = empty(x.shape);
  k.f32_unary_fwd(op, x.ptr, y.ptr, x.size, a, b);
  return record(y, fn, [x], (g) => addGrad(x, (p, acc) => k.f32_unary_bwd(op, x.ptr, y.ptr, g.ptr, p, x.size, a, b, acc)));
}

function checkNumber(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${fn}: ${name} must be a number, got ${String(v)}`);
  return v;
}

/** eˣ */
export const exp = (x: Tensor): Tensor => unary('exp', UnaryOp.exp, x);
/** ln x (−inf at 0, NaN below, as torch.log). */
export const log = (x: Tensor): Tensor => unary('log', UnaryOp.log, x);
/** ln(1 + eˣ), stable for any x (torch.nn.functional.softplus with beta 1). */
export const softplus = (x: Tensor): Tensor => unary('softplus', UnaryOp.softplus, x);
/** 1 / (1 + e⁻ˣ) */
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', UnaryOp.sigmoid, x);
/** ln σ(x) = −softplus(−x), stable for any x. */
export const logSigmoid = (x: Tensor): Tensor => unary('logSigmoid', UnaryOp.logSigmoid, x);
/** √x (its gradient is inf at 0, as torch.sqrt). */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', UnaryOp.sqrt, x);
/** |x| (gradient 0 at 0). */
export const abs = (x: Tensor): Tensor => unary('abs', UnaryOp.abs, x);
/** −x */
export const neg = (x: Tensor): Tensor => unary('neg', UnaryOp.neg, x);
/** x² */
export const square = (x: Tensor): Tensor => unary('square', UnaryOp.square, x);
/** tanh x */
export const tanh = (x: Tensor): Tensor => unary('tanh', UnaryOp.tanh, x);

/** xᵖ for a number p (torch.pow(x, p)). */
export function pow(x: Tensor, p: number): Tensor {
  return unary('pow', UnaryOp.pow, x, checkNumber('pow', 'p', p));
}

/**
 * x clamped to [min, max] (either bound may be null: no bound), as torch.clamp: the gradient
 * passes where min ≤ x ≤ max.
 */
export function clamp(x: Tensor, min: number | null, max: number | null = null): Tensor {
  const lo = min === null ? -Infinity : checkNumber('clamp', 'min', min);
  const hi = max === null ? Infinity : checkNumber('clamp', 'max', max);
  if (lo > hi) throw new Error(`clamp: min ${lo} is above max ${hi}`);
  return unary('clamp', UnaryOp.clamp, x, lo, hi);
}
