// The relaxed-SIMD build (f32x4.relaxed_madd) needs `node --experimental-wasm-relaxed-simd`,
// a flag Node refuses inside NODE_OPTIONS, so it is measured in a child process that
// instantiates build/simlearn-relaxed.wasm directly (bench/relaxed-child.ts). Spawned once;
// W5 and W1 read its figures.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface RelaxedResult {
  ok: boolean;
  note: string;
  peak?: { medianMs: number; flops: number; calls: number };
  gemm?: { n: number; medianMs: number; flops: number; calls: number }[];
}

export const RELAXED_WASM = 'build/simlearn-relaxed.wasm';
/** f32_peak_madd: 8 chains × 4 lanes × (mul + add). */
export const PEAK_FLOPS_PER_ITER = 64;
export const PEAK_ITERS = 4_000_000;
/** GEMM sizes the relaxed child also runs (W1 reports them). */
export const RELAXED_GEMM_SIZES = [512, 1024];
let cached: RelaxedResult | null = null;

export function relaxedFigures(quick: boolean, gemmSizes: number[]): RelaxedResult {
  if (cached) return cached;
  if (!existsSync(RELAXED_WASM)) {
    return (cached = { ok: false, note: `not available: ${RELAXED_WASM} missing (run node scripts/build-wasm.mjs)` });
  }
  const child = join(dirname(fileURLToPath(import.meta.url)), '..', 'relaxed-child.ts');
  const args = ['--experimental-wasm-relaxed-simd', '--import', 'tsx', child, quick ? '--quick' : '', gemmSizes.join(',')];
  const res = spawnSync(process.execPath, args.filter(Boolean), { encoding: 'utf8', timeout: 600_000 });
  if (res.status !== 0) {
    const why = (res.stderr || res.error?.message || 'no output').trim().split('\n').pop();
    return (cached = { ok: false, note: `relaxed child failed: ${why}` });
  }
  return (cached = { ok: true, note: '', ...JSON.parse(res.stdout.trim().split('\n').pop()!) });
}
