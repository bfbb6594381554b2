// Elementwise unary ops y = f(x) and their backward gx (+)= gy·f'(x), one op code each
// (UnaryOp in assembly/codes.ts; `a`, `b` the op's parameters: the exponent of pow, the
// bounds of clamp). The ops with a SIMD instruction (neg, abs, square, sqrt, clamp) run
// f32x4 with a scalar tail; the transcendental ones (exp, log, softplus, sigmoid, tanh)
// run scalar, as wasm has no vector exp. Each exported function switches once on the op
// and then runs a loop specialised for it (the inlined op folds to a constant).
// x, y, gy, gx [n]; y may alias x in forward; backward reads y (the forward's output).

import { UnaryOp } from '../codes';

// @ts-ignore: decorator
@inline function sigmoidOf(x: f32): f32 {
  if (x >= 0) return 1 / (1 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1 + e);
}

// ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|): no overflow for large x, no loss for very negative x
// @ts-ignore: decorator
@inline function softplusOf(x: f32): f32 {
  return max<f32>(x, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(x)));
}

// @ts-ignore: decorator
@inline function value(op: i32, x: f32, a: f32, b: f32): f32 {
  switch (op) {
    case UnaryOp.exp: return Mathf.exp(x);
    case UnaryOp.log: return Mathf.log(x);
    case UnaryOp.softplus: return softplusOf(x);
    case UnaryOp.sigmoid: return sigmoidOf(x);
    case UnaryOp.sqrt: return Mathf.sqrt(x);
    case UnaryOp.pow: return Mathf.pow(x, a);
    case UnaryOp.abs: return Mathf.abs(x);
    case UnaryOp.clamp: return min<f32>(max<f32>(x, a), b);
    case UnaryOp.neg: return -x;
    case UnaryOp.square: return x * x;
    case UnaryOp.logSigmoid: return -softplusOf(-x);
    default: return Mathf.tanh(x);
  }
}

// f'(x) given x and y = f(x). Kinks take torch's subgradients: |x|' = 0 at 0; clamp passes
// the gradient where a ≤ x ≤ b (both ends included, as torch.clamp).
// @ts-ignore: decorator
@inline function slope(op: i32, x: f32, y: f32, a: f32, b: f32): f32 {
  switch (op) {
    case UnaryOp.exp: return y;
    case UnaryOp.log: return 1 / x;
    case UnaryOp.softplus: return sigmoidOf(x);
    case UnaryOp.sigmoid: return y * (1 - y);
    case UnaryOp.sqrt: return 0.5 / y;
    case UnaryOp.pow: return a == 0 ? 0 : a * Mathf.pow(x, a - 1);
    case UnaryOp.abs: return x > 0 ? 1 : x < 0 ? -1 : 0;
    case UnaryOp.clamp: return x >= a && x <= b ? 1 : 0;
    case UnaryOp.neg: return -1;
    case UnaryOp.square: return 2 * x;
    case UnaryOp.logSigmoid: return sigmoidOf(-x);
    default: return 1 - y * y;
  }
}

// @ts-ignore: decorator
@inline function vvalue(op: i32, x: v128, a: v128, b: v128): v128 {
  switch (op) {
    case UnaryOp.neg: return f32x4.neg(x);
    case UnaryOp.abs: return f32x4.abs(x);
    case UnaryOp.square: return f32x4.mul(x, x);
    case UnaryOp.sqrt: return f32x4.sqrt(x);
    default: return f32x4.min(f32x4.max(x, a), b); // clamp
  }
}

// @ts-ignore: decorator
@inline function forward(op: i32, x: usize, y: usize, n: i32, a: f32, b: f32, simd: bool): void {
  let i = 0;
  if (simd) {
    const va = f32x4.splat(a), vb = f32x4.splat(b);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, vvalue(op, v128.load(x + o), va, vb));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, value(op, load<f32>(x + o), a, b));
  }
}

// @ts-ignore: decorator
@inline function backward(op: i32, x: usize, y: usize, gy: usize, gx: usize, n: i32, a: f32, b: f32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    let g = load<f32>(gy + o) * slope(op, load<f32>(x + o), load<f32>(y + o), a, b);
    if (accumulate) g += load<f32>(gx + o);
    store<f32>(gx + o, g);
  }
}

// y[i] = f(x[i]) for the UnaryOp `op`
export function f32_unary_fwd(op: i32, x: usize, y: usize, n: i32, a: f32, b: f32): void {
  switch (op) {
    case UnaryOp.exp: forward(UnaryOp.exp, x, y, n, a, b, false); break;
    case UnaryOp.log: forward(UnaryOp.log, x, y, n, a, b, false); break;
    case UnaryOp.softplus: forward(UnaryOp.softplus, x, y, n, a, b, false); break;
    case UnaryOp.sigmoid: forward(UnaryOp.sigmoid, x, y, n, a, b, false); break;
    case UnaryOp.sqrt: forward(UnaryOp.sqrt, x, y, n, a, b, true); break;
    case UnaryOp.pow: forward(UnaryOp.pow, x, y, n, a, b, false); break;
    case UnaryOp.abs: forward(UnaryOp.abs, x, y, n, a, b, true); break;
    case UnaryOp.clamp: forward(UnaryOp.clamp, x, y, n, a, b, true); break;
    case UnaryOp.neg: forward(UnaryOp.neg, x, y, n, a, b, true); break;
    case UnaryOp.square: forward(UnaryOp.square, x, y, n, a, b, true); break;
    case UnaryOp.logSigmoid: forward(UnaryOp.logSigmoid, x, y, n, a, b, false); break;
    default: forward(UnaryOp.tanh, x, y, n, a, b, false);
  }
}

// gx[i] (+)= gy[i]·f'(x[i]); y is the forward's output
export function f32_unary_bwd(op: i32, x: usize, y: usize, gy: usize, gx: usize, n: i32, a: f32, b: f32, accumulate: i32): void {
  switch (op) {
    case UnaryOp.exp: backward(UnaryOp.exp, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.log: backward(UnaryOp.log, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.softplus: backward(UnaryOp.softplus, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.sigmoid: backward(UnaryOp.sigmoid, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.sqrt: backward(UnaryOp.sqrt, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.pow: backward(UnaryOp.pow, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.abs: backward(UnaryOp.abs, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.clamp: backward(UnaryOp.clamp, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.neg: backward(UnaryOp.neg, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.square: backward(UnaryOp.square, x, y, gy, gx, n, a, b, accumulate); break;
    case UnaryOp.logSigmoid: backward(UnaryOp.logSigmoid, x, y, gy, gx, n, a, b, accumulate); break;
    default: backward(UnaryOp.tanh, x, y, gy, gx, n, a, b, accumulate);
  }
}
