import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { accuracyAt, aucRef, knnRef } from '../ref/metrics';

await sl.init();

test('knnAccuracy: hand-worked votes, a tied vote goes to the label with the nearest member', () => {
  // refs on a line: 0 (label 7), 1.5 (3), 2.5 (3), 5 (7); query at 0.2.
  // k=1 → 7; k=3 → 3 (two votes); k=4 → 7:2, 3:2 tied, 7 has the nearest member → 7.
  const refs = sl.tensor([0, 1.5, 2.5, 5], [4, 1]);
  const rl = [7, 3, 3, 7];
  const q = sl.tensor([0.2], [1, 1]);
  assert.is(sl.metrics.knnAccuracy(refs, rl, q, [7], { k: 1 }), 1);
  assert.is(sl.metrics.knnAccuracy(refs, rl, q, [7], { k: 3 }), 0);
  assert.is(sl.metrics.knnAccuracy(refs, rl, q, [3], { k: 3 }), 1);
  assert.is(sl.metrics.knnAccuracy(refs, rl, q, [7], { k: 4 }), 1);
  // k above the number of references votes with all of them.
  assert.is(sl.metrics.knnAccuracy(refs, rl, q, [7], { k: 50 }), 1);
  // Equidistant references: the lower index wins (query at 2 is 0.5 from both 1.5 and 2.5
  // — same label — and 2 from 0 and 3 from 5).
  assert.is(sl.metrics.knnAccuracy(sl.tensor([1, 3], [2, 1]), [5, 6], sl.tensor([2], [1, 1]), [5]), 1);
});

for (const [nr, nq, d, k, metric] of [[17, 5, 3, 1, 'euclidean'], [33, 17, 5, 5, 'cosine'], [301, 64, 4, 7, 'euclidean'], [9, 3, 1, 2, 'dot']] as const) {
  test(`knnAccuracy matches the float64 reference: ${nr} refs, ${nq} queries, d=${d}, k=${k}, ${metric}`, () => {
    const r = sl.randn([nr, d], { seed: nr }), q = sl.randn([nq, d], { seed: nq + 100 });
    const rd = r.data(), qd = q.data();
    // Labels from the sign of the first coordinate plus noise: learnable but not trivially.
    const rl = Int32Array.from({ length: nr }, (_, i) => (rd[i * d] > 0 ? 1 : 0) + (i % 3 === 0 ? 2 : 0));
    const ql = Int32Array.from({ length: nq }, (_, i) => (qd[i * d] > 0 ? 1 : 0));
    assert.is(sl.metrics.knnAccuracy(r, rl, q, ql, { k, metric }), knnRef(rd, rl, qd, ql, nr, nq, d, k, metric));
  });
}

test('knnAccuracy rejects bad input', () => {
  const r = sl.zeros([3, 2]);
  assert.throws(() => sl.metrics.knnAccuracy(r, [0, 1, 2], sl.zeros([2, 3]), [0, 1]), /knnAccuracy: refs are \[3, 2\] but queries are \[2, 3\]/);
  assert.throws(() => sl.metrics.knnAccuracy(r, [0, 1], sl.zeros([2, 2]), [0, 1]), /knnAccuracy: refLabels has 2 entries but there are 3/);
  assert.throws(() => sl.metrics.knnAccuracy(r, [0, 1, 2], sl.zeros([2, 2]), [0, 1], { k: 0 }), /knnAccuracy: k must be a positive integer/);
  assert.throws(() => sl.metrics.knnAccuracy(sl.zeros([0, 2]), [], sl.zeros([2, 2]), [0, 1]), /knnAccuracy: refs are empty/);
});

test('verification: hand-worked separable case', () => {
  // sorted: .1 same, .35 same, .4 diff, .8 diff → AUC 1, cut midway between .35 and .4.
  const v = sl.metrics.verification([0.1, 0.4, 0.35, 0.8], [1, 0, 1, 0]);
  assert.equal(v, { rocAuc: 1, threshold: 0.375, accuracy: 1 });
});

test('verification: ties count one half; no cut beats calling everything different', () => {
  // same at {1, 2}, different at {1, 0}: only (1 vs 1) scores, as a tie: AUC = 0.5 / 4.
  const v = sl.metrics.verification(new Float32Array([1, 1, 2, 0]), [true, false, true, false]);
  assert.is(v.rocAuc, 0.125);
  assert.is(v.accuracy, 0.5);
  assert.is(v.threshold, -1);
  // Everything best called same: the threshold is the largest distance.
  // Best cut at the largest value would need every pair same; here the cut falls midway
  // between 0.6 and 3.
  assert.is(sl.metrics.verification([0.5, 0.6, 3], [1, 1, 0]).threshold, 1.8);
  // Inverted data: AUC 0, best call "all different", threshold below the smallest distance.
  const rev = sl.metrics.verification([0.2, 0.3, 0.1], [0, 1, 0]);
  assert.equal([rev.rocAuc, rev.accuracy], [0, 2 / 3]);
  assert.ok(rev.threshold < 0.1);
  // sorted S D S S: the best cut takes everything, at the largest distance; AUC 1/3.
  const top = sl.metrics.verification([0.4, 0.2, 0.3, 0.1], [1, 0, 1, 1]);
  assert.equal([top.threshold, top.accuracy], [0.4, 3 / 4]);
  assert.ok(Math.abs(top.rocAuc - 1 / 3) < 1e-15);
});

test('verification matches float64 references on noisy data with many ties (odd sizes)', () => {
  for (const n of [3, 17, 101, 1000]) {
    const u = sl.rand([n], { seed: n }).data();
    const same = Int32Array.from(u, (x, i) => (i === 0 ? 1 : i === 1 ? 0 : x < 0.4 ? 1 : 0));
    // Distances quantised to 0.05 so ties are everywhere; same pairs tend to be nearer.
    const g = sl.rand([n], { seed: n + 1 }).data();
    const dist = Float64Array.from(g, (x, i) => Math.round((x + (same[i] ? 0 : 0.4)) * 20) / 20);
    const v = sl.metrics.verification(dist, same);
    assert.ok(Math.abs(v.rocAuc - aucRef(dist, same)) < 1e-12, `n=${n} AUC ${v.rocAuc} vs ${aucRef(dist, same)}`);
    assert.is(v.accuracy, accuracyAt(dist, same, v.threshold), `n=${n} accuracy at the threshold`);
    // No cut (any distinct value, or below all) does better.
    let best = accuracyAt(dist, same, -Infinity);
    for (const t of dist) best = Math.max(best, accuracyAt(dist, same, t));
    assert.is(v.accuracy, best, `n=${n} best accuracy`);
  }
});

test('verification rejects bad input', () => {
  assert.throws(() => sl.metrics.verification([1, 2], [1]), /verification: distances has 2 entries but same has 1/);
  assert.throws(() => sl.metrics.verification([1, NaN], [1, 0]), /verification: distances\[1\] is NaN/);
  assert.throws(() => sl.metrics.verification([1, 2], [1, 2]), /verification: same\[1\] is 2/);
  assert.throws(() => sl.metrics.verification([1, 2], [1, 1]), /2 same and 0 different pairs/);
});

test.run();
