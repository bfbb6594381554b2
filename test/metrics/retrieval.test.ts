import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { retrievalRef } from '../ref/metrics';
import { partialSortNearest } from '../../src/metrics/neighbours';
import { Rng } from '../../src/random';

await sl.init();

const close = (a: number, b: number, tol = 1e-12, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

function clustered(n: number, d: number, classes: number, spread: number, seed: number) {
  const x = sl.randn([n, d], { seed }).data();
  const centres = sl.randn([classes, d], { seed: seed + 1 }).data();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = (i * 7 + seed) % classes;
    for (let t = 0; t < d; t++) x[i * d + t] = centres[labels[i] * d + t] + spread * x[i * d + t];
  }
  return { x, labels };
}

// Points on a line (all distances exact in float32), labels 0,0,1,1,1,2,0; label 2 is alone.
//  query (x, label, R) : neighbours nearest first (distance)           rel in top R   AP
//  q0 (0,    0, 2)     : 1(1) 2(2) 3(10) 6(10.5) 4(11) 5(20)          1 0            1/2
//  q1 (1,    0, 2)     : 0(1) 2(1) ← tie, lower index first           1 0            1/2
//  q2 (2,    1, 2)     : 1(1) 0(2) 3(8) 6(8.5) 4(9) 5(18)             0 0 (hit at 3) 0
//  q3 (10,   1, 2)     : 6(.5) 4(1) 2(8) …                            0 1            1/4
//  q4 (11,   1, 2)     : 6(.5) 3(1) 2(9) 5(9) …                       0 1            1/4
//  q5 (20,   2, 0)     : excluded (R = 0, pml's lone query)
//  q6 (10.5, 0, 2)     : 3(.5) 4(.5) 2(8.5) 1(9.5) 5(9.5) 0(10.5)     0 0 (hit at 4) 0
// Over the 6 queries: P@1 = 2/6; first hits at ranks 1,1,3,2,2,4 give recall@1 = 2/6,
// recall@2 = 4/6, recall@4 = 6/6 (the 1-vs-5 tie of q6 decides the last); R-precision
// = 2/6; MAP@R = 1.5/6.
test('retrieval: hand-worked example with ties and a one-member class', () => {
  const x = sl.tensor([0, 1, 2, 10, 11, 20, 10.5], [7, 1]);
  const r = sl.metrics.retrieval(x, [0, 0, 1, 1, 1, 2, 0], { k: [1, 2, 4] });
  assert.is(r.queries, 6);
  close(r.precisionAt1, 2 / 6, 1e-15, 'P@1');
  assert.equal(r.recallAtK.map((v) => +v.toFixed(12)), [2 / 6, 4 / 6, 1].map((v) => +v.toFixed(12)));
  close(r.rPrecision, 2 / 6, 1e-15, 'R-precision');
  close(r.mapAtR, 1.5 / 6, 1e-15, 'MAP@R');
});

test('retrieval: perfect clusters score 1 and every query counts', () => {
  const x = sl.tensor([[0, 0], [0, 1], [0, 0.5], [9, 9], [9, 8], [9, 10], [9, 9.5]]);
  const r = sl.metrics.retrieval(x, [4, 4, 4, 1, 1, 1, 1]);
  assert.equal([r.precisionAt1, ...r.recallAtK, r.rPrecision, r.mapAtR, r.queries], [1, 1, 1, 1, 1, 7]);
});

test('retrieval: all queries alone gives 0 (as pml), and labels may be a number[]', () => {
  const r = sl.metrics.retrieval(sl.tensor([[0], [1], [2]]), [1, 2, 3]);
  assert.equal([r.precisionAt1, r.rPrecision, r.mapAtR, r.queries], [0, 0, 0, 0]);
});

for (const [n, d, classes, metric] of [[17, 3, 4, 'euclidean'], [33, 5, 3, 'cosine'], [300, 7, 9, 'euclidean'], [41, 1, 5, 'dot'], [23, 17, 2, 'sqeuclidean']] as const) {
  test(`retrieval matches the float64 reference: n=${n} d=${d} classes=${classes} ${metric}`, () => {
    const { x, labels } = clustered(n, d, classes, 1.5, n + d);
    const ks = [1, 3, 5, 100];
    const got = sl.metrics.retrieval(sl.tensor(x, [n, d]), labels, { k: ks, metric });
    const ref = retrievalRef(x, labels, n, d, ks, metric);
    assert.is(got.queries, ref.queries);
    close(got.precisionAt1, ref.precisionAt1, 1e-12, 'P@1');
    got.recallAtK.forEach((v, i) => close(v, ref.recallAtK[i], 1e-12, `recall@${ks[i]}`));
    close(got.rPrecision, ref.rPrecision, 1e-12, 'R-precision');
    close(got.mapAtR, ref.mapAtR, 1e-12, 'MAP@R');
  });
}

test('partialSortNearest: the k nearest in (distance, index) order on ties, constant and sorted rows', () => {
  const rng = new Rng(12);
  for (const len of [1, 2, 3, 5, 17, 33, 100, 257]) {
    const rows: [string, Float64Array][] = [
      ['random', Float64Array.from({ length: len }, () => rng.uniform())],
      ['few values (ties everywhere)', Float64Array.from({ length: len }, () => rng.int(3))],
      ['constant', new Float64Array(len).fill(2)],
      ['ascending', Float64Array.from({ length: len }, (_, i) => i)],
      ['descending', Float64Array.from({ length: len }, (_, i) => len - i)],
    ];
    for (const [what, dist] of rows) {
      const want = Array.from({ length: len }, (_, i) => i).sort((a, b) => dist[a] - dist[b] || a - b);
      for (const k of new Set([1, 2, Math.ceil(len / 2), len - 1, len, len + 3])) {
        if (k < 1) continue;
        const idx = rng.shuffle(Int32Array.from({ length: len }, (_, i) => i));
        partialSortNearest(idx, len, k, dist);
        const kk = Math.min(k, len);
        assert.equal(Array.from(idx.subarray(0, kk)), want.slice(0, kk), `${what}, len ${len}, k ${k}`);
        assert.equal(Array.from(idx).sort((a, b) => a - b), want.slice().sort((a, b) => a - b), 'a permutation');
      }
    }
  }
});

test('retrieval flattens [n, c, h, w] rows and leaves no tensors behind', () => {
  const { x, labels } = clustered(12, 8, 3, 0.5, 5);
  const before = sl.engineInfo().liveBytes;
  const a = sl.metrics.retrieval(sl.tensor(x, [12, 2, 2, 2]), labels);
  const b = retrievalRef(x, labels, 12, 8, [1, 5]);
  close(a.mapAtR, b.mapAtR, 1e-12, 'MAP@R');
  assert.ok(sl.engineInfo().liveBytes - before <= 12 * 8 * 4 + 64, 'only the input tensor stays');
});

test('retrieval rejects bad input with clear errors', () => {
  const x = sl.zeros([3, 2]);
  assert.throws(() => sl.metrics.retrieval(x, [0, 1]), /retrieval: labels has 2 entries but there are 3 embeddings/);
  assert.throws(() => sl.metrics.retrieval(x, [0, 1, NaN]), /retrieval: labels\[2\] is NaN/);
  assert.throws(() => sl.metrics.retrieval(sl.zeros([3]), [0, 1, 2]), /retrieval: embeddings must be \[n, d\]/);
  assert.throws(() => sl.metrics.retrieval(x, [0, 1, 2], { k: [0] }), /retrieval: k must be a non-empty array of positive integers/);
  assert.throws(() => sl.metrics.retrieval(x, [0, 1, 2], { metric: 'hamming' as any }), /retrieval: unknown metric "hamming"/);
  assert.throws(() => sl.metrics.retrieval(sl.tensor([[0, NaN]]), [0]), /retrieval: embeddings \[1, 2\] holds a non-finite value/);
});

test.run();
