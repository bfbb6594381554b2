// Run by bench/lib/relaxed.ts under `node --experimental-wasm-relaxed-simd`: instantiates
// build/simlearn-relaxed.wasm directly (no engine, no allocator: a bump pointer over linear
// memory) and prints, as one JSON line, the relaxed peak and the raw GEMM kernel times.
import { readFileSync } from 'node:fs';
import { timeIt, type Ctx } from './lib/harness';
import { RELAXED_WASM, PEAK_ITERS, PEAK_FLOPS_PER_ITER } from './lib/relaxed';

const quick = process.argv.includes('--quick');
const sizes = (process.argv.find((a) => /^[\d,]+$/.test(a)) ?? '').split(',').filter(Boolean).map(Number);
const ctx: Ctx = { quick, cpu: false, log: () => {} };

const { instance } = await WebAssembly.instantiate(readFileSync(RELAXED_WASM), {});
const k = instance.exports as any;
if (!k.build_is_relaxed()) throw new Error(`${RELAXED_WASM} is not the relaxed build`);

let top = (k.heap_base() + 63) & ~63;
function take(bytes: number): number {
  const ptr = top;
  top = (top + bytes + 63) & ~63;
  const have = k.memory.buffer.byteLength;
  if (top > have) k.memory.grow(Math.ceil((top - have) / 65536));
  return ptr;
}
function fillRandom(ptr: number, n: number, seed: number): void {
  const v = new Float32Array(k.memory.buffer, ptr, n);
  let s = seed;
  for (let i = 0; i < n; i++) v[i] = (((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 8388608) - 1;
}

const peak = timeIt(ctx, 'peak relaxed', () => k.f32_peak_madd(PEAK_ITERS, 1), { minSamples: 10 });
const gemm = [];
const ws = take(k.f32_gemm_workspace_bytes());
for (const n of sizes) {
  const a = take(n * n * 4), b = take(n * n * 4), c = take(n * n * 4);
  fillRandom(a, n * n, 1);
  fillRandom(b, n * n, 2);
  const t = timeIt(ctx, `gemm ${n} relaxed`, () => k.f32_gemm_nn(a, b, c, n, n, n, 0, ws), { minSamples: 10 });
  gemm.push({ n, medianMs: t.medianMs, flops: 2 * n ** 3, calls: t.calls });
}
console.log(JSON.stringify({ peak: { medianMs: peak.medianMs, flops: PEAK_ITERS * PEAK_FLOPS_PER_ITER, calls: peak.calls }, gemm }));
