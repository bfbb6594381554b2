// Default initialisation of torch.nn.Linear and Conv2d (reset_parameters): weight by
// kaiming_uniform_(a = √5), which reduces to U(−1/√fanIn, 1/√fanIn), and bias by
// U(−1/√fanIn, 1/√fanIn); drawn from the global generator (sl.manualSeed), weight first.
import { f32 } from '../wasm/instance';
import { Tensor, markWritten, untracked, type Shape } from '../autograd/tensor';
import { rngFor } from '../random';
import { checkShape } from '../autograd/create';

let deferred = false;

/**
 * Runs fn with uniformParameter leaving its tensors at zero, for a model that refills them
 * with its own initialisation (torchvision's convs): no draws wasted on values overwritten.
 */
export function withInitDeferred<T>(fn: () => T): T {
  const prev = deferred;
  deferred = true;
  try {
    return fn();
  } finally {
    deferred = prev;
  }
}

/** An untracked tensor of U(−bound, bound) samples; `fn` and `name` (its role) for errors. */
export function uniformParameter(fn: string, name: string, shape: Shape, bound: number): Tensor {
  checkShape(fn, shape, name);
  if (deferred) return constantParameter(shape, 0);
  const rng = rngFor();
  const t = untracked(shape);
  const vals = new Float32Array(t.size);
  for (let i = 0; i < vals.length; i++) vals[i] = (rng.uniform() * 2 - 1) * bound;
  f32().set(vals, t.ptr >>> 2);
  return t;
}

/** An untracked tensor filled with `value`. */
export function constantParameter(shape: Shape, value: number): Tensor {
  const t = untracked(shape);
  f32().fill(value, t.ptr >>> 2, (t.ptr >>> 2) + t.size);
  return t;
}

export function checkPositiveInt(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${fn}: ${name} must be a positive integer, got ${v}`);
}

/** An untracked tensor of N(0, std²) samples from the global generator. */
export function normalParameter(shape: Shape, std: number): Tensor {
  const t = untracked(shape);
  fillNormal(t, std);
  return t;
}

/** Overwrites t with N(0, std²) samples from the global generator. */
export function fillNormal(t: Tensor, std: number): void {
  const rng = rngFor();
  const vals = new Float32Array(t.size);
  for (let i = 0; i < vals.length; i++) vals[i] = rng.normal() * std;
  markWritten(t);
  f32().set(vals, t.ptr >>> 2);
}

/** Refills a conv weight in place as torchvision does: N(0, 2 / fanOut), fanOut = out channels · kernel area (kaiming_normal_, mode 'fan_out'). */
export function kaimingNormalFanOut(w: Tensor): void {
  const fanOut = w.shape[0] * w.shape.slice(2).reduce((a, b) => a * b, 1);
  fillNormal(w, Math.sqrt(2 / fanOut));
}
