// simlearn as the workloads see it: the public barrel plus the raw kernels. APIs that other
// branches add (distances, losses, nn, optim) are looked up by name, so a workload whose API
// has not landed reports "not available" instead of failing to compile or crash.
import * as sl from '../../src/index';
import { getEngine, f32 } from '../../src/wasm/instance';

export { sl, getEngine, f32 };

/** The value at a dotted path of the barrel ('cdist', 'losses.TripletMarginLoss'), or undefined. */
export function api<T = any>(path: string): T | undefined {
  let v: any = sl;
  for (const key of path.split('.')) {
    if (v == null) return undefined;
    v = v[key];
  }
  return v as T | undefined;
}

/** The first missing path, as a "not available" note, or null when all exist. */
export function missing(...paths: string[]): string | null {
  const gone = paths.filter((p) => api(p) === undefined);
  return gone.length ? `not available: ${gone.map((p) => `sl.${p}`).join(', ')} not exported yet` : null;
}

/** A raw kernel export, or undefined. */
export function kernel<F extends (...args: any[]) => any>(name: string): F | undefined {
  return (getEngine().k as any)[name] as F | undefined;
}

/** Deterministic uniform(-1, 1) data (xorshift), shared by every implementation of a case. */
export function randomData(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** A raw buffer in wasm memory holding `data` (or zeros); free with getEngine().alloc.free. */
export function wasmBuffer(data: Float32Array | number): number {
  const n = typeof data === 'number' ? data : data.length;
  const ptr = getEngine().alloc.alloc(n * 4);
  if (typeof data === 'number') f32().fill(0, ptr >>> 2, (ptr >>> 2) + n);
  else f32().set(data, ptr >>> 2);
  return ptr;
}
