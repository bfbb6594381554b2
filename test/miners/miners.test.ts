// Miners against brute-force enumeration of every pair / triplet of random batches, on the
// same distance matrix (so the comparison is of the mining rule, in float32 like the kernel).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { angularMinerRef, batchHardRef, pairMarginMinerRef, tripletMarginMinerRef, type Mat } from '../ref/loss';
import { batch, labelsOf } from '../losses/helpers';

await sl.init();

const { miners: M, distances: D } = sl;

const batches: [string, number, (n: number) => number[]][] = [
  ['n=1', 1, () => [4]],
  ['n=5, 2 classes', 5, (n) => labelsOf(n, 2, 5)],
  ['n=17, 4 classes', 17, (n) => labelsOf(n, 4, 17)],
  ['n=33, 3 classes', 33, (n) => labelsOf(n, 3, 33)],
  ['one class', 9, (n) => new Array(n).fill(1)],
  ['all distinct', 7, (n) => Array.from({ length: n }, (_, i) => i)],
];

const distances: [string, () => sl.losses.Distance][] = [
  ['LpDistance', () => new D.LpDistance()],
  ['CosineSimilarity', () => new D.CosineSimilarity()],
];

const list = (cols: ArrayLike<number>[]) => cols.map((c) => Array.from(c));

/** The float32 distance matrix the miner sees, as float64 rows. */
function matrixOf(distance: sl.losses.Distance, x: sl.Tensor): Mat {
  return sl.tidy(() => distance.pairwise(x, x).toArray());
}

for (const type of ['all', 'hard', 'semihard', 'easy'] as const) {
  test(`TripletMarginMiner type '${type}' = brute force over all triplets`, () => {
    for (const [dname, make] of distances) {
      for (const [bname, n, labelsFn] of batches) {
        sl.tidy(() => {
          const { x } = batch(n, 4, 60 + n);
          const labels = labelsFn(n);
          const distance = make();
          const margin = dname === 'LpDistance' ? 0.3 : 0.15;
          const got = new M.TripletMarginMiner({ margin, type, distance }).mine(x, labels);
          const want = tripletMarginMinerRef(matrixOf(distance, x), labels, Math.fround(margin), type, distance.isInverted);
          assert.equal(list(got), want, `${dname}, ${bname}`);
          assert.ok(got.every((c) => c instanceof Int32Array));
        });
      }
    }
  });
}

test('TripletMarginMiner defaults: margin 0.2, type all, LpDistance', () => {
  const miner = new M.TripletMarginMiner();
  assert.is(miner.margin, 0.2);
  assert.is(miner.type, 'all');
  assert.ok(miner.distance instanceof D.LpDistance);
});

test('BatchHardMiner = per anchor farthest positive, nearest negative; anchors lacking either dropped', () => {
  for (const [dname, make] of distances) {
    for (const [bname, n, labelsFn] of batches) {
      sl.tidy(() => {
        const { x } = batch(n, 3, 80 + n);
        const labels = labelsFn(n);
        const distance = make();
        const got = new M.BatchHardMiner({ distance }).mine(x, labels);
        assert.equal(list(got), batchHardRef(matrixOf(distance, x), labels, distance.isInverted), `${dname}, ${bname}`);
      });
    }
  }
});

test('BatchHardMiner: a singleton class contributes no anchor; ties take the first index', () => {
  sl.tidy(() => {
    // x0 and x2 are both at distance √2 from x1's class mates: equal hardest negatives
    const x = sl.tensor([[1, 0], [1, 0], [0, 1], [0, 1], [-1, 0]]);
    const [a, p, n] = new M.BatchHardMiner().mine(x, [0, 0, 1, 1, 2]);
    assert.equal(Array.from(a), [0, 1, 2, 3]);
    assert.equal(Array.from(p), [1, 0, 3, 2]);
    assert.equal(Array.from(n), [2, 2, 0, 0]);
  });
});

test('AngularMiner = a float64 brute force over all triplets: odd widths, a reference set, coincident rows, huge and tiny scales', () => {
  for (const d of [1, 3, 5, 17, 33])
    for (const [bname, n, labelsFn] of batches)
      for (const [angle, scale] of [[20, 1], [45, 1], [35, 1e4], [35, 1e-4]] as const) {
        sl.tidy(() => {
          const { rows } = batch(n, d, 70 + n + d);
          // two rows made equal: zero anchor–positive lengths and negatives at the midpoint
          const xs = rows.map((r, i) => (i === 2 && n > 2 ? rows[0] : r).map((v) => Math.fround(v * scale)));
          const labels = labelsFn(n);
          const x = sl.tensor(xs);
          const got = new M.AngularMiner({ angle }).mine(x, labels);
          assert.equal(list(got), angularMinerRef(xs, labels, angle), `d=${d} ${bname} angle ${angle} scale ${scale}`);
          const { rows: rr } = batch(6, d, 90 + d);
          const refRows = rr.map((r) => r.map((v) => Math.fround(v * scale)));
          const refLabels = [0, 1, 1, 2, labels[0] ?? 0, 3];
          const gotRef = new M.AngularMiner({ angle }).mine(x, labels, sl.tensor(refRows), refLabels);
          assert.equal(list(gotRef), angularMinerRef(xs, labels, angle, refRows, refLabels), `d=${d} ${bname} angle ${angle} scale ${scale}, refEmb`);
        });
      }
});

test('PairMarginMiner = brute force over all pairs (distances and similarities)', () => {
  for (const [dname, make] of distances) {
    for (const [bname, n, labelsFn] of batches) {
      sl.tidy(() => {
        const { x } = batch(n, 3, 90 + n);
        const labels = labelsFn(n);
        const distance = make();
        const [pm, nm] = distance.isInverted ? [0.5, 0.1] : [0.9, 1.2];
        const got = new M.PairMarginMiner({ posMargin: pm, negMargin: nm, distance }).mine(x, labels);
        const want = pairMarginMinerRef(matrixOf(distance, x), labels, Math.fround(pm), Math.fround(nm), distance.isInverted);
        assert.equal(list(got), want, `${dname}, ${bname}`);
      });
    }
  }
});

test('mined tuples feed every loss; mining records no gradient', () => {
  sl.tidy(() => {
    const { x } = batch(12, 4, 3);
    x.requiresGrad = true;
    const labels = labelsOf(12, 3, 4);
    const pairs = new M.PairMarginMiner().mine(x, labels);
    const triplets = new M.TripletMarginMiner({ type: 'semihard' }).mine(x, labels);
    for (const loss of [new sl.losses.ContrastiveLoss(), new sl.losses.TripletMarginLoss(), new sl.losses.MultiSimilarityLoss()]) {
      for (const t of [pairs, triplets]) {
        const out = loss.forward(x, labels, t);
        assert.ok(Number.isFinite(out.item()));
        out.backward();
      }
    }
  });
});

test('mining a batch of 256 streams every valid triplet and retains no wasm memory', () => {
  sl.tidy(() => {
    const n = 256;
    const { x } = batch(n, 16, 9);
    const labels = labelsOf(n, 8, 10);
    const sizes = new Map<number, number>();
    for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    let all = 0;
    for (const c of sizes.values()) all += c * (c - 1) * (n - c);
    const before = sl.engineInfo().liveBytes;
    const [a, p, q] = new M.TripletMarginMiner({ type: 'all', margin: 10 }).mine(x, labels);
    assert.is(a.length, all);
    assert.ok(labels[a[12345]] === labels[p[12345]] && labels[a[12345]] !== labels[q[12345]]);
    assert.is(sl.engineInfo().liveBytes, before, 'no wasm memory retained');
  });
});

test.run();
