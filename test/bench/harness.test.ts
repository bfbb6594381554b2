// The bench's arithmetic (no timings asserted): medians, peer ratios, % of peak, the table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyPeak, compare, makeRow, median, timeIt, type Row } from '../../bench/lib/harness';
import { markdownTable } from '../../bench/lib/table';

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
  assert.equal(cells.slice(1, 9), ['W3', 'conv', 'tfjs-wasm', '2.00', '2.00', '', '3.46×', 'im2col / matMul']);
});

test('timeIt runs the function and reports a positive median from benchmark.js samples', () => {
  let calls = 0;
  const t = timeIt({ quick: true, cpu: false, log: () => {} }, 'count', () => calls++);
  assert.ok(calls > 0);
  assert.ok(t.medianMs > 0 && Number.isFinite(t.medianMs));
  assert.ok(t.samples >= 2);
});

test.run();
