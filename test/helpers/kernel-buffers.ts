// Buffers for kernel tests called straight on the allocator: each case allocates its inputs
// and outputs with guard elements after them, then checks that no guard changed (a kernel may
// never write past its output) and that every input came back unchanged, and frees all.
import * as assert from 'uvu/assert';
import { f32, getEngine, i32 } from '../../src/wasm/instance';

const GUARD = 17;
const SENTINEL = -12345.5;

export interface Buf {
  ptr: number;
  n: number;
  init: Float32Array;
}
let live: Buf[] = [];

/** A buffer holding data (float32, or int32 bits when ints). */
export function put(data: ArrayLike<number>, ints = false): Buf {
  const ptr = getEngine().alloc.alloc((data.length + GUARD) * 4);
  const init = ints ? new Float32Array(Int32Array.from(data).buffer) : Float32Array.from(data);
  const v = f32();
  v.set(init, ptr >>> 2);
  v.fill(SENTINEL, (ptr >>> 2) + data.length, (ptr >>> 2) + data.length + GUARD);
  const b = { ptr, n: data.length, init };
  live.push(b);
  return b;
}
/** An output buffer of n NaNs (so an unwritten element shows). */
export const out = (n: number): Buf => put(new Float32Array(n).fill(NaN));
export const read = (b: Buf): Float32Array => f32().slice(b.ptr >>> 2, (b.ptr >>> 2) + b.n);
export const readInt = (b: Buf): Int32Array => i32().slice(b.ptr >>> 2, (b.ptr >>> 2) + b.n);

/** Buffers allocated and not yet freed (0 between cases). */
export const liveBuffers = (): number => live.length;

/** Runs a case; afterwards every guard holds and every buffer not in `written` is unchanged. */
export function withBuffers(label: string, fn: (written: Set<Buf>) => void): void {
  const written = new Set<Buf>();
  try {
    fn(written);
    const v = f32();
    for (const b of live) {
      const g = (b.ptr >>> 2) + b.n;
      for (let i = 0; i < GUARD; i++) if (v[g + i] !== SENTINEL) assert.unreachable(`${label}: wrote past the end (guard ${i})`);
      if (written.has(b)) continue;
      const now = read(b);
      const i = now.findIndex((x, j) => !Object.is(x, b.init[j]));
      if (i >= 0) assert.unreachable(`${label}: an input changed: element ${i} is ${now[i]}, was ${b.init[i]}`);
    }
  } finally {
    for (const b of live) getEngine().alloc.free(b.ptr);
    live = [];
  }
}
