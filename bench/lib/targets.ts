// The benchmark targets, checked against the rows of this run: each gives the measured figure,
// the target, and whether it holds. A target whose rows are missing says so.
import type { Impl, Row } from './harness';

export interface TargetResult {
  target: string;
  measured: string;
  holds: boolean | null;
}

const find = (rows: Row[], task: string, impl: Impl) =>
  rows.filter((r) => r.task === task && r.impl === impl && r.status === 'ok' && r.medianMs !== null);
/** The fastest row of an implementation in a case (tfjs's best formulation). */
const best = (rows: Row[], task: string, impl: Impl) =>
  find(rows, task, impl).reduce<Row | null>((b, r) => (!b || r.medianMs! < b.medianMs! ? r : b), null);

function ratio(rows: Row[], task: string, peer: Impl, want: number, label: string): TargetResult {
  const s = best(rows, task, 'simlearn'), p = best(rows, task, peer);
  if (!s || !p) return { target: `${label} ≥ ${want}× ${peer}`, measured: 'not measured', holds: null };
  const x = p.medianMs! / s.medianMs!;
  return { target: `${label} ≥ ${want}× ${peer}`, measured: `${x.toFixed(2)}× (${s.medianMs!.toFixed(1)} vs ${p.medianMs!.toFixed(1)} ms)`, holds: x >= want };
}

function pct(rows: Row[], task: string, impl: Impl, want: number, label: string): TargetResult {
  const s = best(rows, task, impl);
  const target = `${label} ≥ ${want}% of ${impl === 'simlearn relaxed' ? 'the relaxed peak' : 'peak'}`;
  if (!s || s.pctPeak === null) return { target, measured: 'not measured', holds: null };
  return { target, measured: `${s.pctPeak.toFixed(1)}% (${s.gflops!.toFixed(1)} GFLOP/s)`, holds: s.pctPeak >= want };
}

export function checkTargets(rows: Row[], w4HighWaterBytes: number | null): TargetResult[] {
  const out: TargetResult[] = [];
  for (const n of [512, 1024]) {
    out.push(pct(rows, `GEMM ${n}³`, 'simlearn', 85, `GEMM ${n}³`));
    out.push(ratio(rows, `GEMM ${n}³`, 'tfjs-wasm', 1, `GEMM ${n}³`));
    out.push(pct(rows, `GEMM ${n}³`, 'simlearn relaxed', 80, `GEMM ${n}³ relaxed`));
  }
  out.push(pct(rows, 'GEMM 512³', 'simlearn', 50, 'GEMM 512³ (floor)'));
  out.push(ratio(rows, 'cdist sqeuclidean 2048×2048×128', 'tfjs-wasm', 1.5, 'cdist sqeuclidean 2048×2048×128'));
  out.push(pct(rows, 'cdist sqeuclidean 2048×2048×128', 'simlearn', 60, 'cdist sqeuclidean 2048×2048×128'));
  for (const layer of ['28×28×1→32', '14×14×32→64']) {
    out.push(ratio(rows, `conv ${layer} forward`, 'tfjs-wasm', 1, `conv ${layer} forward`));
    out.push(ratio(rows, `conv ${layer} backward to input`, 'tfjs-wasm', 3, `conv ${layer} backward to input`));
    out.push(ratio(rows, `conv ${layer} backward to filter`, 'tfjs-wasm', 5, `conv ${layer} backward to filter`));
  }
  // Trunks: ResNet-18 at batch 1 at least as fast as onnxruntime-web, MobileNetV2 within
  // 1.25× of it (≥ 0.8× its speed), both faster than tfjs-wasm.
  out.push(ratio(rows, 'ResNet-18 forward, batch 1', 'onnxruntime-web', 1, 'ResNet-18 batch 1'));
  out.push(ratio(rows, 'MobileNetV2 forward, batch 1', 'onnxruntime-web', 0.8, 'MobileNetV2 batch 1'));
  for (const m of ['ResNet-18', 'MobileNetV2']) for (const n of [1, 32]) out.push(ratio(rows, `${m} forward, batch ${n}`, 'tfjs-wasm', 1, `${m} batch ${n}`));
  const w4 = 'triplet train step 3×64 MNIST-size';
  out.push(pct(rows, w4, 'simlearn', 85, 'W4 step'));
  out.push(ratio(rows, w4, 'tfjs-wasm', 6, 'W4 step'));
  out.push({
    target: 'W4 wasm memory high-water ≤ 100 MiB',
    measured: w4HighWaterBytes === null ? 'not measured' : `${(w4HighWaterBytes / 2 ** 20).toFixed(1)} MiB`,
    holds: w4HighWaterBytes === null ? null : w4HighWaterBytes <= 100 * 2 ** 20,
  });
  return out;
}

export function targetsTable(results: TargetResult[]): string {
  const lines = ['| target | measured | holds |', '|---|---|---|'];
  for (const r of results) lines.push(`| ${r.target} | ${r.measured} | ${r.holds === null ? '—' : r.holds ? 'yes' : 'no'} |`);
  return lines.join('\n');
}
