// The deterministic weights of test/fixtures/gen_models.py, rebuilt here: each state-dict
// entry's values are fmix32(fnv1a(key) + i·0x9E3779B1) / 2³², scaled by the entry's role, so
// a torchvision model's weights need not be committed.
import * as sl from '../../src/index';

function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** n values in [0, 1), as float32. */
export function hashUniform(name: string, n: number): Float32Array {
  const h = fnv1a(name);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = fmix32((h + Math.imul(i, 0x9e3779b1)) >>> 0) / 4294967296;
  return out;
}

/** The hashed state dict for a model's keys and shapes (gen_models.py's value()). */
export function hashedStateDict(model: sl.nn.Module): Record<string, sl.Tensor> {
  const own = model.stateDict();
  const out: Record<string, sl.Tensor> = {};
  for (const [key, t] of Object.entries(own)) {
    const isBn = `${key.slice(0, key.lastIndexOf('.'))}.running_mean` in own;
    const u = hashUniform(key, t.size);
    // value = a + b·u by the entry's role
    const bound = Math.sqrt(3 / (t.size / Math.max(1, t.shape[0])));
    const [a, b] = key.endsWith('num_batches_tracked') ? [fnv1a(key) % 1000, 0]
      : key.endsWith('running_var') ? [0.5, 1]
      : key.endsWith('running_mean') ? [-0.1, 0.2]
      : isBn ? (key.endsWith('.weight') ? [0.5, 1] : [-0.1, 0.2])
      : t.ndim === 1 ? [-0.1, 0.2]
      : [-bound, 2 * bound];
    const v = new Float32Array(t.size);
    for (let i = 0; i < t.size; i++) v[i] = a + b * u[i];
    out[key] = sl.tensor(v, t.shape);
  }
  return out;
}

/** The hashed input of gen_models.py: 2u − 1. */
export function hashedInput(shape: number[]): sl.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return sl.tensor(hashUniform('input', n).map((u) => 2 * u - 1), shape);
}
