import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

// 5 classes of sizes 1, 2, 3, 7, 17 (odd, one below m), labels interleaved and non-contiguous.
const sizes = new Map([[40, 1], [-3, 2], [7, 3], [0, 7], [9, 17]]);
const labels: number[] = [];
for (const [l, s] of sizes) for (let i = 0; i < s; i++) labels.push(l);
const shuffled = labels.map((l, i) => [l, (i * 17) % 31] as const).sort((a, b) => a[1] - b[1]).map((p) => p[0]);

test('MPerClassSampler: every batch is batchSize / m classes × m samples, classes distinct', () => {
  const m = 3, batchSize = 9;
  const s = new sl.data.MPerClassSampler(shuffled, m, batchSize, { seed: 11, lengthBeforeNewIter: 100 });
  assert.is(s.length, 99); // 100 rounded down to a multiple of 9, as pml
  assert.is(s.batchesPerEpoch, 11);
  let batches = 0;
  for (const b of s) {
    batches++;
    assert.ok(b instanceof Int32Array);
    assert.is(b.length, batchSize);
    const classes: number[] = [];
    for (let c = 0; c < batchSize / m; c++) {
      const group = Array.from(b.subarray(c * m, (c + 1) * m));
      const l = shuffled[group[0]];
      assert.ok(group.every((j) => shuffled[j] === l), `group ${c} is one class`);
      classes.push(l);
      // Without replacement when the class is big enough (pml's safe_random_choice).
      if (sizes.get(l)! >= m) assert.is(new Set(group).size, m, `class ${l} sampled without replacement`);
    }
    assert.is(new Set(classes).size, batchSize / m, 'classes of a batch are distinct');
  }
  assert.is(batches, 11);
});

test('MPerClassSampler: same seed, same epochs; a second iteration is a new epoch', () => {
  const a = [...new sl.data.MPerClassSampler(shuffled, 2, 6, { seed: 5, lengthBeforeNewIter: 60 })].map((b) => Array.from(b));
  const s = new sl.data.MPerClassSampler(shuffled, 2, 6, { seed: 5, lengthBeforeNewIter: 60 });
  const b = [...s].map((x) => Array.from(x));
  const c = [...s].map((x) => Array.from(x));
  assert.equal(a, b);
  assert.not.equal(b, c);
  sl.manualSeed(3);
  const d = [...new sl.data.MPerClassSampler(shuffled, 2, 6, { lengthBeforeNewIter: 60 })].map((x) => Array.from(x));
  sl.manualSeed(3);
  const e = [...new sl.data.MPerClassSampler(shuffled, 2, 6, { lengthBeforeNewIter: 60 })].map((x) => Array.from(x));
  assert.equal(d, e, 'manualSeed seeds samplers made without a seed');
});

test('MPerClassSampler: the positional form draws the batches of sl.samplers.MPerClassSampler({ batchSize })', () => {
  for (const [m, batchSize, len, seed] of [[2, 6, 60, 5], [1, 5, 23, 2], [3, 9, 100, 8]]) {
    const positional = [...new sl.data.MPerClassSampler(shuffled, m, batchSize, { seed, lengthBeforeNewIter: len })];
    const pml = [...new sl.samplers.MPerClassSampler({ labels: shuffled, m, batchSize, lengthBeforeNewIter: len, seed }).batches(batchSize)];
    assert.equal(positional.map((b) => Array.from(b)), pml.map((b) => Array.from(b)), `m ${m}, batchSize ${batchSize}`);
    assert.is(positional.length, Math.floor(len / batchSize));
  }
  assert.throws(() => new sl.data.MPerClassSampler(shuffled, 2, undefined as unknown as number), /MPerClassSampler: batchSize must be an integer ≥ 1, got undefined/);
  assert.throws(() => new sl.data.MPerClassSampler(shuffled, 2, 6, { seeds: 1 } as never), /MPerClassSampler: unknown option/);
});

test('MPerClassSampler: every class and member turns up over many batches (uniform class draw)', () => {
  const s = new sl.data.MPerClassSampler(shuffled, 2, 4, { seed: 9, lengthBeforeNewIter: 4000 });
  const classCount = new Map<number, number>();
  const seen = new Set<number>();
  for (const b of s) for (let i = 0; i < b.length; i += 2) {
    classCount.set(shuffled[b[i]], (classCount.get(shuffled[b[i]]) ?? 0) + 1);
    seen.add(b[i]).add(b[i + 1]);
  }
  assert.is(seen.size, labels.length);
  // 1000 batches × 2 classes over 5 classes: 400 each expected; binomial sd ≈ 18.
  for (const [l, c] of classCount) assert.ok(Math.abs(c - 400) < 80, `class ${l} drawn ${c} times`);
});

test('MPerClassSampler: pml rules refuse bad arguments', () => {
  assert.throws(() => new sl.data.MPerClassSampler(labels, 4, 10), /MPerClassSampler: m = 4 must divide batchSize = 10/);
  assert.throws(() => new sl.data.MPerClassSampler(labels, 2, 12), /m · \(number of classes\) = 2 · 5 = 10 must be ≥ batchSize = 12/);
  assert.throws(() => new sl.data.MPerClassSampler(labels, 2, 8, { lengthBeforeNewIter: 6 }), /lengthBeforeNewIter = 6 must be ≥ batchSize = 8/);
  assert.throws(() => new sl.data.MPerClassSampler(labels, 0, 8), /m must be an integer ≥ 1, got 0/);
  assert.throws(() => new sl.data.MPerClassSampler([0, 1.5], 1, 1), /labels\[1\] is 1.5/);
});

test('makePairs: half same, half different, labels agree, seeded', () => {
  const p = sl.data.makePairs(shuffled, 101, { seed: 4 });
  assert.is(p.same.reduce((s, v) => s + v, 0), 51);
  for (let i = 0; i < 101; i++) {
    assert.is(shuffled[p.a[i]] === shuffled[p.b[i]] ? 1 : 0, p.same[i], `pair ${i}`);
    if (p.same[i]) assert.is.not(p.a[i], p.b[i], 'a positive pair uses two distinct items');
  }
  const q = sl.data.makePairs(shuffled, 101, { seed: 4 });
  assert.equal(Array.from(q.a), Array.from(p.a));
  assert.equal(sl.data.makePairs(shuffled, 10, { seed: 1, positiveFraction: 0 }).same.every((v) => v === 0), true);
  assert.throws(() => sl.data.makePairs([1, 2, 3], 4), /makePairs: no class has two members/);
  assert.throws(() => sl.data.makePairs([1, 1], 4), /makePairs: all 2 labels are one class/);
  assert.throws(() => sl.data.makePairs(labels, 4, { positiveFraction: 2 }), /positiveFraction must be in \[0, 1\]/);
});

test('makeTriplets: anchor and positive share a class and differ, negative does not', () => {
  const t = sl.data.makeTriplets(shuffled, 257, { seed: 8 });
  for (let i = 0; i < 257; i++) {
    assert.is(shuffled[t.anchors[i]], shuffled[t.positives[i]]);
    assert.is.not(t.anchors[i], t.positives[i]);
    assert.is.not(shuffled[t.negatives[i]], shuffled[t.anchors[i]]);
  }
  assert.is(new Set(Array.from(t.anchors, (a) => shuffled[a])).has(40), false, 'the one-member class never anchors');
  assert.throws(() => sl.data.makeTriplets(labels, 0), /makeTriplets: count must be an integer ≥ 1/);
});

test('gather: rows and labels of a batch, index checked before any tensor exists', () => {
  const ds = { x: Float32Array.from({ length: 5 * 6 }, (_, i) => i), labels: Int32Array.from([5, 6, 7, 8, 9]), itemShape: [2, 3] };
  const b = sl.data.gather(ds, [4, 0, 4]);
  assert.equal(b.x.shape, [3, 2, 3]);
  assert.equal(Array.from(b.x.data()).slice(0, 7), [24, 25, 26, 27, 28, 29, 0]);
  assert.equal(Array.from(b.labels), [9, 5, 9]);
  const before = sl.engineInfo().liveBytes;
  assert.throws(() => sl.data.gather(ds, [1, 5]), /gather: index 5 at position 1 is outside the data set of 5 items/);
  assert.is(sl.engineInfo().liveBytes, before);
});

test.run();
