// Timing through benchmark.js, and the row every workload reports. benchmark.js calibrates
// how many calls make one sample (its warm-up), then collects samples until minSamples and
// maxTime are both met; we report the median of stats.sample (seconds per call), which a
// stray slow sample on a shared machine moves less than the mean.
import Benchmark from 'benchmark';

// A closure must run as itself: with decompilation benchmark.js would re-compile the
// function's source text, losing the variables it closes over.
Benchmark.support.decompilation = false;

export interface Timing {
  medianMs: number;
  /** Timed calls, calibration excluded. */
  calls: number;
  samples: number;
}

export interface TimeOptions {
  /** At least this many samples (default 10; 2 with --quick). */
  minSamples?: number;
  /** Seconds to keep sampling once minSamples are in (default 2; 0.05 with --quick). */
  maxTime?: number;
}

export interface Ctx {
  quick: boolean;
  /** Runs tfjs-backend-cpu at every size, not only the small ones. */
  cpu: boolean;
  /** False in the relaxed-SIMD child, which measures simlearn's rows only. */
  peers?: boolean;
  /** --profile: workloads that can (W4) add a table of time per op, forward and backward. */
  profile?: boolean;
  /** Text a workload adds below the main table (the --profile tables). */
  sections?: string[];
  log(msg: string): void;
}

export function timeIt(ctx: Ctx, name: string, fn: () => unknown, opts: TimeOptions = {}): Timing {
  const bench = new Benchmark(name, fn, {
    minSamples: ctx.quick ? Math.min(2, opts.minSamples ?? 2) : (opts.minSamples ?? 10),
    maxTime: ctx.quick ? 0.05 : (opts.maxTime ?? 2),
    initCount: 1,
  });
  bench.run({ async: false });
  if (bench.error) throw bench.error;
  const sample = bench.stats.sample;
  return { medianMs: median(sample) * 1e3, calls: bench.count * sample.length, samples: sample.length };
}

/** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const v = values.slice().sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** 'simlearn' is the row peers are compared with; 'simlearn op' / 'simlearn relaxed' are extra views of it. */
export type Impl = 'simlearn' | 'simlearn op' | 'simlearn relaxed' | 'tfjs-wasm' | 'tfjs-cpu' | 'onnxruntime-web' | 'js' | 'metric-learn' | 'PML';

export interface Row {
  workload: string;
  /** The case: what is computed, at which size. Peers within one case are compared. */
  task: string;
  impl: Impl;
  status: 'ok' | 'not available' | 'error';
  medianMs: number | null;
  /** FLOPs of one call, counted as stated in the workload file. */
  flops: number | null;
  gflops: number | null;
  /** Percentage of the measured wasm SIMD peak (relaxed rows: of the relaxed peak). */
  pctPeak: number | null;
  /** For peer rows: peer median / simlearn median (> 1: simlearn is faster). */
  simlearnSpeedup: number | null;
  /** Timed calls behind the median (benchmark.js calibration excluded). */
  samples: number | null;
  note: string;
  /** Workload-specific figures for machines: wasmHighWaterBytes, queriesPerSecond, microseconds. */
  extra?: Record<string, number>;
}

/** A row from a timing made elsewhere (a child process), or a "not available" row when t is a string. */
export function makeRow(workload: string, task: string, impl: Impl, flops: number | null, t: Timing | string, note = ''): Row {
  const row: Row = {
    workload, task, impl, status: 'ok', medianMs: null, flops, gflops: null, pctPeak: null,
    simlearnSpeedup: null, samples: null, note,
  };
  if (typeof t === 'string') {
    row.status = 'not available';
    row.note = t;
    return row;
  }
  row.medianMs = t.medianMs;
  row.samples = t.calls;
  if (flops !== null) row.gflops = flops / (t.medianMs * 1e6);
  return row;
}

/**
 * Fills pctPeak once the run is over, against the higher of the peaks measured at its start
 * and end (a shared machine's load drifts during a run; the peak is a limit, so the higher).
 */
export function applyPeak(rows: Row[], peak: number | null, relaxedPeak: number | null): void {
  for (const r of rows) {
    const p = r.impl === 'simlearn relaxed' ? relaxedPeak : peak;
    r.pctPeak = r.gflops !== null && p ? (100 * r.gflops) / p : null;
  }
}

/**
 * Measures one implementation of a case. `prepare` makes the inputs and returns the timed
 * function, or a string saying why it is not available; a failure becomes an 'error' row.
 */
export function measure(
  ctx: Ctx,
  workload: string,
  task: string,
  impl: Impl,
  flops: number | null,
  prepare: () => (() => unknown) | string,
  opts: TimeOptions & { note?: string; cleanup?: () => void } = {},
): Row {
  let row: Row;
  try {
    const fn = prepare();
    row = makeRow(workload, task, impl, flops, typeof fn === 'string' ? fn : timeIt(ctx, `${workload} ${task} ${impl}`, fn, opts), opts.note);
  } catch (err) {
    row = makeRow(workload, task, impl, flops, '', '');
    row.status = 'error';
    row.note = `${(err as Error).message ?? err}`.split('\n')[0].slice(0, 160);
  } finally {
    try {
      opts.cleanup?.();
    } catch {
      // A failed cleanup must not hide the measurement.
    }
  }
  ctx.log(fmtProgress(row));
  return row;
}

/** Fills simlearnSpeedup on every peer row from the simlearn row of the same case. */
export function compare(rows: Row[]): Row[] {
  for (const r of rows) {
    const base = rows.find((s) => s.task === r.task && s.workload === r.workload && s.impl === 'simlearn');
    if (!r.impl.startsWith('simlearn') && base?.medianMs && r.medianMs) {
      r.simlearnSpeedup = r.medianMs / base.medianMs;
    }
  }
  return rows;
}

function fmtProgress(r: Row): string {
  if (r.status !== 'ok') return `  ${r.workload} ${r.task} ${r.impl}: ${r.status}: ${r.note}`;
  const gf = r.gflops !== null ? ` ${r.gflops.toFixed(2)} GFLOP/s` : '';
  return `  ${r.workload} ${r.task} ${r.impl}: ${r.medianMs!.toFixed(3)} ms${gf}`;
}

export interface Workload {
  id: string;
  title: string;
  run(ctx: Ctx): Promise<Row[]>;
}

/** Largest |a − b| over two equal-length arrays: shows a fast path computes what the floor does. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
