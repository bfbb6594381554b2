// W5: the wasm SIMD limit of this machine. f32_peak_madd runs 8 independent f32x4
// multiply+add chains with no memory traffic: 8 chains × 4 lanes × 2 flops = 64 flops per
// iteration. Every other figure is read as a fraction of this, measured in the same run.
// The relaxed build (f32x4.relaxed_madd, fused) runs in a child process: see lib/relaxed.ts.
import { makeRow, measure, type Ctx, type Row, type Workload } from './lib/harness';
import { getEngine, sl } from './lib/simlearn';
import { relaxedFigures, PEAK_ITERS, PEAK_FLOPS_PER_ITER, RELAXED_GEMM_SIZES } from './lib/relaxed';

/** The in-process peak (the build sl.init chose), one row. */
export function measurePeak(ctx: Ctx, when: string): Row {
  const k = getEngine().k;
  return measure(ctx, 'W5', `f32x4 mul+add peak, ${when}`, 'simlearn', PEAK_ITERS * PEAK_FLOPS_PER_ITER, () => () => k.f32_peak_madd(PEAK_ITERS, 1), {
    note: `${sl.engineInfo().build} build, in process; 64 flop/iter × ${PEAK_ITERS / 1e6}M iters`,
  });
}

export const w5: Workload = {
  id: 'W5',
  title: 'wasm SIMD peak microkernel',
  async run(ctx: Ctx): Promise<Row[]> {
    const base = measurePeak(ctx, 'start of run');
    const rel = relaxedFigures(ctx.quick, RELAXED_GEMM_SIZES);
    const t = rel.peak ? { medianMs: rel.peak.medianMs, calls: rel.peak.calls, samples: 0 } : rel.note;
    const relRow = makeRow('W5', 'f32x4 relaxed_madd peak', 'simlearn relaxed', PEAK_ITERS * PEAK_FLOPS_PER_ITER, t,
      'child: node --experimental-wasm-relaxed-simd, build/simlearn-relaxed.wasm');
    ctx.log(`  W5 relaxed: ${relRow.gflops?.toFixed(2) ?? relRow.note}`);
    return [base, relRow];
  },
};
