// Elementwise activations of torch.nn, forward and backward side by side, chosen by an
// Activation code (assembly/codes.ts). Backward reads the saved input x, as torch's
// *_backward functions do, and writes gx (+)= f'(x)·gy. Piecewise ones (ReLU6, Hardswish,
// Hardsigmoid, LeakyReLU) run four lanes at a time; the transcendental ones are scalar, in
// f64 inside so that float32 results round once.
import { Activation } from '../codes';

const SQRT1_2: f64 = 0.7071067811865476;
const INV_SQRT_2PI: f64 = 0.3989422804014327;
const TANH_K: f64 = 0.7978845608028654; // √(2/π)

// erf to about 1e-7 relative (Numerical Recipes' erfc Chebyshev fit); f32 needs no more.
function erf(x: f64): f64 {
  const z = Math.abs(x);
  const t = 1.0 / (1.0 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1.0 - r : r - 1.0;
}

// @ts-ignore: decorator
@inline function sigmoid(x: f64): f64 {
  return 1.0 / (1.0 + Math.exp(-x));
}

// Called, not inlined: one copy of each switch keeps the module small.
function scalarFwd(kind: i32, x: f64, alpha: f64): f64 {
  switch (kind) {
    case Activation.relu6: return x != x ? x : Math.min(Math.max(x, 0), 6);
    case Activation.hardswish: return x <= -3 ? 0 : x >= 3 ? x : x * (x + 3) / 6;
    case Activation.hardsigmoid: return x <= -3 ? 0 : x >= 3 ? 1 : (x + 3) / 6;
    case Activation.gelu: return 0.5 * x * (1 + erf(x * SQRT1_2));
    case Activation.geluTanh: return 0.5 * x * (1 + Math.tanh(TANH_K * (x + 0.044715 * x * x * x)));
    case Activation.silu: return x * sigmoid(x);
    case Activation.sigmoid: return sigmoid(x);
    case Activation.tanh: return Math.tanh(x);
    default: return x > 0 ? x : alpha * x;
  }
}

// f'(x), with torch's choices at the kinks (ReLU6: 0 at 0 and 6; Hardswish: the left piece at ±3).
function scalarSlope(kind: i32, x: f64, alpha: f64): f64 {
  switch (kind) {
    case Activation.relu6: return x > 0 && x < 6 ? 1 : 0;
    case Activation.hardswish: return x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;
    case Activation.hardsigmoid: return x > -3 && x < 3 ? 1.0 / 6 : 0;
    case Activation.gelu: return 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case Activation.geluTanh: {
      const t = Math.tanh(TANH_K * (x + 0.044715 * x * x * x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * TANH_K * (1 + 3 * 0.044715 * x * x);
    }
    case Activation.silu: {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case Activation.sigmoid: {
      const s = sigmoid(x);
      return s * (1 - s);
    }
    case Activation.tanh: {
      const t = Math.tanh(x);
      return 1 - t * t;
    }
    default: return x > 0 ? 1 : alpha;
  }
}

// @ts-ignore: decorator
@inline function vectorFwd(kind: i32, x: v128, alpha: f32): v128 {
  const zero = f32x4.splat(0);
  if (kind == Activation.relu6) return f32x4.min(f32x4.max(x, zero), f32x4.splat(6));
  if (kind == Activation.leakyRelu) return v128.bitselect(x, f32x4.mul(x, f32x4.splat(alpha)), f32x4.gt(x, zero));
  // torch's forms: hardsigmoid = clamp(x + 3, 0, 6) / 6, hardswish = x · clamp(x + 3, 0, 6) / 6
  const r6 = f32x4.min(f32x4.max(f32x4.add(x, f32x4.splat(3)), zero), f32x4.splat(6));
  return f32x4.div(kind == Activation.hardsigmoid ? r6 : f32x4.mul(x, r6), f32x4.splat(6));
}

// @ts-ignore: decorator
@inline function isPiecewise(kind: i32): bool {
  return kind == Activation.relu6 || kind == Activation.hardswish || kind == Activation.hardsigmoid || kind == Activation.leakyRelu;
}

// y = f(x), n elements.
export function f32_activation_fwd(kind: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  let i = 0;
  if (isPiecewise(kind)) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, vectorFwd(kind, v128.load(x + o), alpha));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>scalarFwd(kind, <f64>load<f32>(x + o), alpha));
  }
}

// gx (+)= f'(x)·gy
export function f32_activation_bwd(kind: i32, x: usize, gy: usize, gx: usize, n: i32, alpha: f32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    let g = <f32>(scalarSlope(kind, <f64>load<f32>(x + o), alpha) * <f64>load<f32>(gy + o));
    if (accumulate) g += load<f32>(gx + o);
    store<f32>(gx + o, g);
  }
}

// PReLU over x [n, c, l]: y = x if x > 0 else a[ch]·x, with ch = c-index when na = c, or 0
// when one slope is shared (na = 1).
export function f32_prelu_fwd(x: usize, a: usize, y: usize, n: i32, c: i32, l: i32, na: i32): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const s = load<f32>(a + (<usize>(na == 1 ? 0 : ch) << 2));
      const base = (<usize>(i * c + ch) * l) << 2;
      const vs = f32x4.splat(s), zero = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= l; j += 4) {
        const v = v128.load(x + base + (<usize>j << 2));
        v128.store(y + base + (<usize>j << 2), v128.bitselect(v, f32x4.mul(v, vs), f32x4.gt(v, zero)));
      }
      for (; j < l; j++) {
        const v = load<f32>(x + base + (<usize>j << 2));
        store<f32>(y + base + (<usize>j << 2), v > 0 ? v : s * v);
      }
    }
  }
}

// gx (+)= gy·(x > 0 ? 1 : a[ch]) when gx ≠ 0; ga (+)= Σ_{x ≤ 0} gy·x when ga ≠ 0.
export function f32_prelu_bwd(x: usize, a: usize, gy: usize, gx: usize, ga: usize, n: i32, c: i32, l: i32, na: i32, accX: i32, accA: i32): void {
  if (ga && !accA) memory.fill(ga, 0, <usize>na << 2);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const at = <usize>(na == 1 ? 0 : ch) << 2;
      const s = load<f32>(a + at);
      const base = (<usize>(i * c + ch) * l) << 2;
      let sa: f32 = 0;
      for (let j = 0; j < l; j++) {
        const o = base + (<usize>j << 2);
        const v = load<f32>(x + o), g = load<f32>(gy + o);
        if (gx) store<f32>(gx + o, (v > 0 ? g : s * g) + (accX ? load<f32>(gx + o) : 0));
        if (v <= 0) sa += g * v;
      }
      if (ga) store<f32>(ga + at, load<f32>(ga + at) + sa);
    }
  }
}
