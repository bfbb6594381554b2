// bench/lib/relaxed.ts for the browser bench page (scripts/build-pages.mjs swaps it in).
// In Node the relaxed-SIMD build needs a flag, so a child process measures it; a browser
// has no flag to set: init() picks the relaxed build wherever the browser supports it, and
// the page's simlearn rows are measured on that build. So there is no separate relaxed row.
export interface RelaxedResult {
  ok: boolean;
  note: string;
  peak?: { medianMs: number; flops: number; calls: number };
  gemm?: { n: number; medianMs: number; flops: number; calls: number }[];
}

export const PEAK_FLOPS_PER_ITER = 64;
export const PEAK_ITERS = 4_000_000;
export const RELAXED_GEMM_SIZES: number[] = [];

export function relaxedFigures(): RelaxedResult {
  return { ok: false, note: 'not measured separately: the page runs the build init() picked' };
}
