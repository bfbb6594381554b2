// The bench's arithmetic (no timings asserted): medians, peer ratios, % of peak, the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyPeak, compare, makeRow, median, timeIt, type Row } from '../../bench/lib/harness';
import { markdownTable } from '../../bench/lib/table';
import { checkTargets } from '../../bench/lib/targets';

const timing = (ms: number) => ({ medianMs: ms, calls: 10, samples: 10 });

test('median of odd and even counts, unsorted, and empty', () => {
  assert.is(median([5, 1, 3]), 3);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.is(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
});

test('makeRow: GFLOP/s from flops and the median; a string makes a not-available row', () => {
  const r = makeRow('W1', 'GEMM 2³', 'simlearn', 2e9, timing(250));
  assert.is(r.status, 'ok');
  assert.is(r.gflops, 8); // 2e9 flops in 0.25 s
  const na = makeRow('W2', 'cdist', 'simlearn', 1e6, 'not available: sl.cdist not exported yet');
  assert.is(na.status, 'not available');
  assert.is(na.medianMs, null);
  assert.is(na.note, 'not available: sl.cdist not exported yet');
});

test('compare: peer rows get peer median / simlearn median of their own case only', () => {
  const rows: Row[] = [
    makeRow('W1', 'a', 'simlearn', 1, timing(2)),
    makeRow('W1', 'a', 'tfjs-wasm', 1, timing(5)),
    makeRow('W1', 'a', 'simlearn relaxed', 1, timing(1)),
    makeRow('W1', 'b', 'simlearn', 1, timing(10)),
    makeRow('W1', 'b', 'js', 1, timing(30)),
    makeRow('W1', 'c', 'js', 1, timing(30)), // no simlearn row in this case
  ];
  compare(rows);
  assert.equal(rows.map((r) => r.simlearnSpeedup), [null, 2.5, null, null, 3, null]);
});

test('applyPeak: relaxed rows against the relaxed peak, the rest against the baseline', () => {
  const rows = [makeRow('W1', 'a', 'simlearn', 3e9, timing(100)), makeRow('W1', 'a', 'simlearn relaxed', 3e9, timing(50))];
  applyPeak(rows, 60, 40);
  assert.is(rows[0].pctPeak, 50); // 30 GFLOP/s of 60
  assert.is(rows[1].pctPeak, 150); // 60 GFLOP/s of 40
  applyPeak(rows, null, null);
  assert.is(rows[0].pctPeak, null);
});

test('markdownTable: one header, one separator, one line per row, pipes in notes escaped', () => {
  const rows = [makeRow('W3', 'conv', 'tfjs-wasm', 4e6, timing(2), 'im2col | matMul')];
  rows[0].simlearnSpeedup = 3.456;
  const lines = markdownTable(rows).split('\n');
  assert.is(lines.length, 3);
  assert.ok(lines[0].startsWith('| workload'));
  const cells = lines[2].split('|').map((c) => c.trim());
  assert.equal(cells.slice(1, 10), ['W3', 'conv', 'tfjs-wasm', '2.00', '10', '2.00', '', '3.46×', 'im2col / matMul']);
});

test('timeIt runs the function and reports a positive median from benchmark.js samples', () => {
  let calls = 0;
  const t = timeIt({ quick: true, cpu: false, log: () => {} }, 'count', () => calls++);
  assert.ok(calls > 0);
  assert.ok(t.medianMs > 0 && Number.isFinite(t.medianMs));
  assert.ok(t.samples >= 2);
});

test('checkTargets: ratios against the fastest peer formulation, % of peak, memory; missing rows say so', () => {
  const cd = 'cdist sqeuclidean 2048×2048×128';
  const rows = [
    makeRow('W1', 'GEMM 512³', 'simlearn', 2 * 512 ** 3, timing(11)), // 24.4 GFLOP/s
    makeRow('W1', 'GEMM 512³', 'tfjs-wasm', 2 * 512 ** 3, timing(12)),
    makeRow('W2', cd, 'simlearn', 1, timing(40)),
    makeRow('W2', cd, 'tfjs-wasm', 1, timing(200)), // slow formulation
    makeRow('W2', cd, 'tfjs-wasm', 1, timing(50)), // best formulation: 1.25×, under 1.5×
  ];
  applyPeak(rows, 30, null);
  const t = checkTargets(rows, 99 * 2 ** 20);
  const get = (name: string) => t.find((r) => r.target === name)!;
  assert.is(get('GEMM 512³ ≥ 1× tfjs-wasm').holds, true);
  assert.is(get('GEMM 512³ ≥ 85% of peak').holds, false); // 24.4 of 30 GFLOP/s = 81.3%
  assert.ok(get('GEMM 512³ ≥ 85% of peak').measured.startsWith('81.3%'));
  assert.is(get(`${cd} ≥ 1.5× tfjs-wasm`).holds, false);
  assert.ok(get(`${cd} ≥ 1.5× tfjs-wasm`).measured.startsWith('1.25×'));
  assert.is(get('W4 wasm memory high-water ≤ 100 MiB').holds, true);
  assert.is(checkTargets(rows, 101 * 2 ** 20).find((r) => r.target === 'W4 wasm memory high-water ≤ 100 MiB')!.holds, false);
  assert.is(get('W4 step ≥ 6× tfjs-wasm').measured, 'not measured');
  assert.is(get('W4 step ≥ 6× tfjs-wasm').holds, null);
});

test.run();
