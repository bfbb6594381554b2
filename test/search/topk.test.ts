import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { cdistRef } from '../ref/distance';

await sl.init();

/** Brute force: every distance, then a full stable sort (ties by lower index). */
function bruteForce(D: ArrayLike<number>, nq: number, nr: number, k: number, largest: boolean, excludeSelf: boolean) {
  const indices: number[] = [], distances: number[] = [];
  for (let q = 0; q < nq; q++) {
    const order = Array.from({ length: nr }, (_, j) => j).filter((j) => !(excludeSelf && j === q));
    order.sort((a, b) => (largest ? D[q * nr + b] - D[q * nr + a] : D[q * nr + a] - D[q * nr + b]) || a - b);
    for (const j of order.slice(0, k)) {
      indices.push(j);
      distances.push(D[q * nr + j]);
    }
  }
  return { indices, distances };
}

test('topK equals a full sort of the brute-force matrix, for every metric and block size', () => {
  let seed = 1;
  for (const metric of ['euclidean', 'sqeuclidean', 'manhattan', 'cosine', 'dot', { p: 3 }] as sl.Metric[])
    for (const [nq, nr, d, k, blockSize] of [[7, 33, 5, 3, 8], [1, 1, 3, 1, 1], [33, 17, 17, 17, 5], [5, 130, 33, 10, 1024]]) {
      const qs = sl.randn([nq, d], { seed: seed++ }), rs = sl.randn([nr, d], { seed: seed++ });
      const got = sl.search.topK(qs, rs, k, { metric, blockSize });
      const largest = metric === 'dot';
      const ref = bruteForce(sl.cdist(qs, rs, metric).data(), nq, nr, k, largest, false);
      const tag = `${JSON.stringify(metric)} nq=${nq} nr=${nr} k=${k} block=${blockSize}`;
      assert.equal(Array.from(got.indices), ref.indices, tag);
      for (let i = 0; i < ref.distances.length; i++) assert.ok(Math.abs(got.distances[i] - ref.distances[i]) <= 1e-5 * (1 + Math.abs(ref.distances[i])), tag);
      // And the distances are the true ones (float64 reference).
      const exact = cdistRef(qs.data(), rs.data(), nq, nr, d, metric as any);
      for (let q = 0; q < nq; q++) {
        const j = got.indices[q * k];
        assert.ok(Math.abs(got.distances[q * k] - exact[q * nr + j]) <= 2e-5 * (1 + Math.abs(exact[q * nr + j])), tag);
      }
    }
});

test('ties go to the lower index, across block boundaries; excludeSelf skips query i = ref i', () => {
  // Integer points on a line: many exact ties.
  const rows = [[0], [2], [1], [1], [3], [-1], [1], [2], [0]];
  const x = sl.tensor(rows);
  for (const blockSize of [1, 2, 4, 100]) {
    const got = sl.search.topK(x, x, 4, { metric: 'manhattan', blockSize });
    const ref = bruteForce(sl.cdist(x, x, 'manhattan').data(), 9, 9, 4, false, false);
    assert.equal(Array.from(got.indices), ref.indices, `block ${blockSize}`);
    const ex = sl.search.topK(x, x, 8, { metric: 'sqeuclidean', blockSize, excludeSelf: true });
    const exRef = bruteForce(sl.cdist(x, x, 'sqeuclidean').data(), 9, 9, 8, false, true);
    assert.equal(Array.from(ex.indices), exRef.indices, `excludeSelf block ${blockSize}`);
    assert.equal(Array.from(ex.distances), exRef.distances);
  }
  // Row 2 = [1]: nearest others are 3 and 6 (distance 0), then 0, 1, 7, 8 (distance 1).
  const r = sl.search.topK(x, x, 6, { metric: 'euclidean', excludeSelf: true });
  assert.equal(Array.from(r.indices.subarray(12, 18)), [3, 6, 0, 1, 7, 8]);
});

test('similarities rank largest first; distance objects work', () => {
  const q = sl.tensor([[1, 0], [0, 1]]);
  const r = sl.tensor([[1, 1], [2, 0], [0, -1], [0, 3]]);
  const cos = sl.search.topK(q, r, 4, { metric: new sl.distances.CosineSimilarity() });
  assert.equal(Array.from(cos.indices), [1, 0, 2, 3, 3, 0, 1, 2]);
  assert.ok(Math.abs(cos.distances[0] - 1) < 1e-6 && Math.abs(cos.distances[1] - Math.SQRT1_2) < 1e-6);
  const dot = sl.search.topK(q, r, 2, { metric: 'dot' });
  assert.equal(Array.from(dot.indices), [1, 0, 3, 0]);
  assert.equal(Array.from(dot.distances), [2, 1, 3, 1]);
  const m = sl.search.topK(q, r, 1, { metric: new sl.distances.Mahalanobis({ M: sl.tensor([[1, 0], [0, 100]]) }) });
  assert.equal(Array.from(m.indices), [1, 0]);
});

test('errors: k out of range, mismatched dimensions, unknown metric, non-finite values', () => {
  const x = sl.randn([5, 3], { seed: 1 });
  assert.throws(() => sl.search.topK(x, x, 6), /search.topK: k = 6 but refs \[5, 3\] has only 5 candidates per query/);
  assert.throws(() => sl.search.topK(x, x, 5, { excludeSelf: true }), /k = 5 but refs \[5, 3\] has only 4 candidates per query \(excludeSelf\)/);
  assert.throws(() => sl.search.topK(x, x, 0), /search.topK: k must be a positive integer, got 0/);
  assert.throws(() => sl.search.topK(x, sl.zeros([4, 2]), 1), /search.topK: x is \[5, 3\] but y is \[4, 2\]: last dimensions must match/);
  assert.throws(() => sl.search.topK(x, x, 1, { metric: 'hamming' as any }), /search.topK: unknown metric "hamming"/);
  assert.throws(() => sl.search.topK(sl.tensor([[0, 0, NaN]]), x, 1), /search.topK: x has a non-finite value \(NaN\) at \[0, 2\]/);
  assert.throws(() => sl.search.topK(x, x, 1, { blockSize: 0 }), /blockSize must be a positive integer/);
});

test('streams 3000 refs in blocks of 64: same result as brute force, nothing leaks', () => {
  const q = sl.randn([40, 16], { seed: 3 }), r = sl.randn([3000, 16], { seed: 4 });
  const before = sl.engineInfo().liveBytes;
  const got = sl.search.topK(q, r, 5, { blockSize: 64 });
  assert.is(sl.engineInfo().liveBytes, before, 'nothing leaks');
  const ref = bruteForce(sl.cdist(q, r).data(), 40, 3000, 5, false, false);
  assert.equal(Array.from(got.indices), ref.indices);
});

test.run();
