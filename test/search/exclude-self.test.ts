// excludeSelf drops reference i for query i, which is right only when query i is reference i
// (pytorch-metric-learning's ref_includes_query): the same tensor, or refs whose first rows are
// the queries. Anything else is refused instead of silently dropping an unrelated reference.
// Reference: a float64 brute force over every distance (test/ref/distance.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { cdistRef } from '../ref/distance';

await sl.init();

function nearestExcludingSelf(q: Float32Array, r: Float32Array, nq: number, nr: number, d: number, k: number): number[] {
  const D = cdistRef(q, r, nq, nr, d, 'euclidean');
  const out: number[] = [];
  for (let i = 0; i < nq; i++) {
    const order = Array.from({ length: nr }, (_, j) => j).filter((j) => j !== i);
    order.sort((a, b) => D[i * nr + a] - D[i * nr + b] || a - b);
    out.push(...order.slice(0, k));
  }
  return out;
}

test('excludeSelf with query i = reference i: the same tensor, or refs whose first rows are the queries', () => {
  const refs = sl.randn([17, 5], { seed: 4 });
  const r = refs.data();
  const same = sl.search.topK(refs, refs, 3, { excludeSelf: true });
  assert.equal(Array.from(same.indices), nearestExcludingSelf(r, r, 17, 17, 5, 3));
  const head = sl.tensor(r.slice(0, 6 * 5), [6, 5]); // a copy of the first 6 rows
  const sub = sl.search.topK(head, refs, 3, { excludeSelf: true, blockSize: 4 });
  assert.equal(Array.from(sub.indices), nearestExcludingSelf(head.data(), r, 6, 17, 5, 3));
  head.dispose();
  refs.dispose();
});

test('excludeSelf with queries that are not the first rows of refs is refused, naming the row', () => {
  const refs = sl.randn([9, 4], { seed: 5 });
  const other = sl.randn([3, 4], { seed: 6 });
  assert.throws(
    () => sl.search.topK(other, refs, 1, { excludeSelf: true }),
    /^search\.topK: excludeSelf drops reference i for query i, so query i must be reference i \(refs itself, or refs whose first rows are the queries\); row 0 of queries \[3, 4\] differs from row 0 of refs \[9, 4\]/,
  );
  const almost = sl.tensor(refs.data().slice(0, 8), [2, 4]);
  const data = almost.data();
  data[7] += 1e-3;
  const changed = sl.tensor(data, [2, 4]);
  assert.throws(() => sl.search.topK(changed, refs, 1, { excludeSelf: true }), /row 1 of queries \[2, 4\] differs from row 1 of refs/);
  assert.throws(() => sl.search.topK(refs, other, 1, { excludeSelf: true }), /^search\.topK: excludeSelf needs at least as many refs as queries, got queries \[9, 4\] and refs \[3, 4\]/);
  // Without excludeSelf, unrelated queries are fine.
  assert.is(sl.search.topK(other, refs, 2).indices.length, 6);
  for (const t of [refs, other, almost, changed]) t.dispose();
});

test.run();
