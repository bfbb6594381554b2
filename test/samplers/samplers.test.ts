// sl.samplers against pytorch-metric-learning's definitions. PML draws with numpy's stream,
// which cannot be replayed, so each sampler is checked by the properties PML's code
// guarantees: lengths from its formulas, m per class in every batch, hierarchy constraints,
// triplet validity, weights from tuple counts, coverage and seeded determinism.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertClose } from '../helpers/close';

await sl.init();
const { MPerClassSampler, HierarchicalSampler, FixedSetOfTriplets, TuplesToWeightsSampler } = sl.samplers;

// 6 classes of sizes 1, 2, 3, 5, 7, 17 (one singleton, two below m = 3), labels interleaved.
const sizes = new Map([[40, 1], [-3, 2], [7, 3], [0, 5], [2, 7], [9, 17]]);
const labels: number[] = [];
for (const [l, s] of sizes) for (let i = 0; i < s; i++) labels.push(l);
for (let i = labels.length - 1, j = 7; i > 0; i--, j = (j * 31 + 11) % 97) [labels[i], labels[j % (i + 1)]] = [labels[j % (i + 1)], labels[i]];

function countBy<T>(xs: Iterable<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

test('MPerClassSampler with batchSize: PML length, every batch batchSize/m distinct classes × m, distinct items when the class allows', () => {
  const m = 3, batchSize = 12;
  const s = new MPerClassSampler({ labels, m, batchSize, lengthBeforeNewIter: 100, seed: 1 });
  assert.is(s.length, 96); // 100 − 100 % 12
  assert.equal(Array.from(s.labels).sort((a, b) => a - b), [...sizes.keys()].sort((a, b) => a - b));
  const idx = s.indices();
  assert.is(idx.length, 96);
  assert.is([...s].length, 96, 'iteration yields length indices');
  for (let b = 0; b < 96; b += batchSize) {
    const batch = Array.from(idx.subarray(b, b + batchSize));
    const perClass = countBy(batch.map((i) => labels[i]));
    assert.is(perClass.size, batchSize / m, `batch ${b / batchSize}: ${batchSize / m} classes`);
    for (const [l, c] of perClass) {
      assert.is(c, m, `class ${l} has m samples`);
      const items = new Set(batch.filter((i) => labels[i] === l));
      assert.is(items.size, Math.min(m, sizes.get(l)!), `class ${l}: distinct items unless the class is smaller than m`);
    }
  }
  const batches = [...s.batches()];
  assert.is(batches.length, 8);
  assert.ok(batches.every((b) => b.length === batchSize));
});

test('MPerClassSampler without batchSize: passes of m · classes covering every class m times; PML lengths incl. the short-list case', () => {
  const m = 2, pass = m * sizes.size; // 12
  const s = new MPerClassSampler({ labels, m, lengthBeforeNewIter: 50, seed: 2 });
  assert.is(s.batchSize, null);
  assert.is(s.length, 48); // 50 − 50 % 12
  const idx = s.indices();
  assert.is(idx.length, 48);
  for (let p = 0; p < 48; p += pass) {
    const perClass = countBy(Array.from(idx.subarray(p, p + pass), (i) => labels[i]));
    assert.is(perClass.size, sizes.size);
    for (const c of perClass.values()) assert.is(c, m);
  }
  // lengthBeforeNewIter below one pass: len() keeps it, but PML's epoch is the whole pass.
  const short = new MPerClassSampler({ labels, m, lengthBeforeNewIter: 7, seed: 2 });
  assert.is(short.length, 7);
  assert.is(short.indices().length, pass);
  assert.is(new MPerClassSampler({ labels, m: 4 }).length, 100000 - (100000 % 24));
  assert.throws(() => short.batches(), /MPerClassSampler.batches: pass a batchSize/);
  assert.is([...short.batches(5)].map((b) => b.length).join(), '5,5,2');
  assert.is([...short.batches(5, true)].length, 2);
});

test('MPerClassSampler: seeded, new epoch per pass, every item of a large class eventually drawn', () => {
  const mk = () => new MPerClassSampler({ labels, m: 3, batchSize: 6, lengthBeforeNewIter: 60, seed: 9 });
  const a = mk(), b = mk();
  const e1 = a.indices();
  assert.equal(Array.from(e1), Array.from(b.indices()), 'same seed, same first epoch');
  assert.not.equal(Array.from(e1), Array.from(a.indices()), 'second epoch differs');
  const seen = new Set<number>();
  for (let e = 0; e < 30; e++) for (const i of a.indices()) seen.add(i);
  assert.is(seen.size, labels.length, 'every item is drawn over 30 epochs');
  const it = [...mk().batches()].map((x) => Array.from(x)).flat();
  assert.equal(it, Array.from(e1), 'batches() cuts the same draw');
});

test('MPerClassSampler: PML assertions as errors, unknown options, required keys', () => {
  assert.throws(() => new MPerClassSampler({ labels, m: 4, batchSize: 10 }), /MPerClassSampler: m = 4 must divide batchSize = 10/);
  assert.throws(() => new MPerClassSampler({ labels, m: 2, batchSize: 14 }), /m · \(number of classes\) = 2 · 6 = 12 must be ≥ batchSize = 14/);
  assert.throws(() => new MPerClassSampler({ labels, m: 2, batchSize: 12, lengthBeforeNewIter: 10 }), /lengthBeforeNewIter = 10 must be ≥ batchSize = 12/);
  assert.throws(() => new MPerClassSampler({ labels, m: 2, batch_size: 4 } as any), /MPerClassSampler: unknown option 'batch_size'; did you mean 'batchSize'/);
  assert.throws(() => new MPerClassSampler({ m: 2 } as any), /MPerClassSampler: option labels is required/);
  assert.throws(() => new MPerClassSampler({ labels: [0, 1.5], m: 2 }), /labels\[1\] is 1.5/);
  assert.throws(() => new MPerClassSampler(labels as any), /MPerClassSampler: options must be an object/);
});

// 3 super-classes: 0 has classes {0: 4 items, 1: 4, 2: 2, 3: 1}; 1 has {4: 6, 5: 3, 6: 2}; 2 has {7: 9}.
const hier: [number, number][] = [];
for (const [cls, sup, count] of [[0, 0, 4], [1, 0, 4], [2, 0, 2], [3, 0, 1], [4, 1, 6], [5, 1, 3], [6, 1, 2], [7, 2, 9]]) {
  for (let i = 0; i < count; i++) hier.push([cls, sup]);
}
for (let i = hier.length - 1, j = 5; i > 0; i--, j = (j * 13 + 7) % 89) [hier[i], hier[j % (i + 1)]] = [hier[j % (i + 1)], hier[i]];

test('HierarchicalSampler: C(supers, k) · batchesPerSuperTuple batches; each from one super-tuple, samplesPerClass per class, ≤ batchSize/k per super', () => {
  const s = new HierarchicalSampler({ labels: hier, batchSize: 8, samplesPerClass: 2, batchesPerSuperTuple: 3, seed: 4 });
  assert.is(s.length, 9); // C(3, 2) · 3
  assert.is(s.subBatchLen, 4);
  const batches = [...s];
  assert.is(batches.length, 9);
  const tupleCount = countBy<string>([]);
  for (const b of batches) {
    const supers = [...new Set(Array.from(b, (i) => hier[i][1]))].sort();
    assert.ok(supers.length <= 2, `batch spans ${supers} super-classes`);
    for (const sup of supers) {
      const items = Array.from(b).filter((i) => hier[i][1] === sup);
      assert.ok(items.length <= 4, `super ${sup} contributes ${items.length} > 4`);
      for (const [cls, c] of countBy(items.map((i) => hier[i][0]))) assert.is(c, 2, `class ${cls} has samplesPerClass items`);
    }
    // Super 0 and 1 have classes enough to fill 4 each; super 2 has a single class (2 items).
    const expected = supers.reduce((n, sup) => n + (sup === 2 ? 2 : 4), 0);
    assert.is(b.length, expected, `batch of supers ${supers}`);
    // every batch belongs to a tuple whose supers include what it holds
    tupleCount.set(supers.join(), (tupleCount.get(supers.join()) ?? 0) + 1);
  }
  assert.equal([...tupleCount].sort(), [['0,1', 3], ['0,2', 3], ['1,2', 3]]);
  assert.equal(s.superTuples.map((t) => Array.from(t)), [[0, 1], [0, 2], [1, 2]]);
});

test("HierarchicalSampler: samplesPerClass 'all' takes whole classes that fit; more columns and other label columns", () => {
  const rows = hier.map(([c, sup]) => [99, sup, c]);
  const s = new HierarchicalSampler({ labels: rows, batchSize: 12, samplesPerClass: 'all', superClassesPerBatch: 3, batchesPerSuperTuple: 5, innerLabel: 2, outerLabel: 1, seed: 3 });
  assert.is(s.length, 5);
  const size = countBy(hier.map(([c]) => c));
  for (const b of s) {
    for (const [cls, c] of countBy(Array.from(b, (i) => hier[i][0]))) assert.is(c, size.get(cls), `class ${cls} whole`);
    assert.is(new Set(b).size, b.length, 'whole classes: no repeats');
    for (const sup of [0, 1, 2]) assert.ok(Array.from(b).filter((i) => hier[i][1] === sup).length <= 4);
    assert.ok(!Array.from(b).some((i) => hier[i][1] === 2), 'super 2 (one class of 9) never fits a sub-batch of 4');
  }
});

test('HierarchicalSampler: seeded; PML assertions as errors', () => {
  const mk = () => new HierarchicalSampler({ labels: hier, batchSize: 4, samplesPerClass: 1, seed: 8 });
  assert.equal([...mk()].map((b) => Array.from(b)), [...mk()].map((b) => Array.from(b)));
  assert.throws(() => new HierarchicalSampler({ labels: hier, batchSize: 5, samplesPerClass: 1 }), /batchSize = 5 must be a multiple of superClassesPerBatch = 2/);
  assert.throws(() => new HierarchicalSampler({ labels: hier, batchSize: 8, samplesPerClass: 3 }), /batchSize \/ superClassesPerBatch = 4 must be a multiple of samplesPerClass = 3/);
  assert.throws(() => new HierarchicalSampler({ labels: hier, batchSize: 8, samplesPerClass: 0 }), /samplesPerClass must be an integer ≥ 1/);
  assert.throws(() => new HierarchicalSampler({ labels: hier, batchSize: 8, samplesPerClass: 'some' as any }), /option samplesPerClass must be an integer or one of 'all'/);
  assert.throws(() => new HierarchicalSampler({ labels: [[1]], batchSize: 8, samplesPerClass: 2 }), /labels\[0\] must be a row with columns innerLabel = 0 and outerLabel = 1/);
  assert.throws(() => new HierarchicalSampler({ labels: hier, batchSize: 8 } as any), /option samplesPerClass is required/);
});

test('FixedSetOfTriplets: valid triplets fixed at construction, reshuffled each epoch; a = p only for a singleton class', () => {
  const s = new FixedSetOfTriplets({ labels, numTriplets: 200, seed: 6 });
  assert.is(s.length, 600);
  const rows = (idx: Int32Array) => Array.from({ length: idx.length / 3 }, (_, i) => Array.from(idx.subarray(3 * i, 3 * i + 3)).join());
  const first = s.fixedSetOfTriplets.slice();
  for (let i = 0; i < 200; i++) {
    const [a, p, n] = first.subarray(3 * i, 3 * i + 3);
    assert.is(labels[a], labels[p], `triplet ${i}: anchor and positive share a label`);
    assert.is.not(labels[a], labels[n], `triplet ${i}: negative has another label`);
    if (sizes.get(labels[a])! > 1) assert.is.not(a, p, `triplet ${i}: distinct anchor and positive`);
  }
  const e1 = s.indices(), e2 = s.indices();
  assert.is(e1.length, 600);
  assert.equal(rows(e1).sort(), rows(first).sort(), 'an epoch holds the fixed triplets');
  assert.equal(rows(e2).sort(), rows(first).sort());
  assert.not.equal(rows(e1), rows(e2), 'in a new order');
  const anchorClasses = new Set(rows(first).map((r) => labels[Number(r.split(',')[0])]));
  assert.is(anchorClasses.size, sizes.size, 'every class serves as anchor class over 200 draws');
  assert.equal(Array.from(new FixedSetOfTriplets({ labels, numTriplets: 5, seed: 1 }).fixedSetOfTriplets), Array.from(new FixedSetOfTriplets({ labels, numTriplets: 5, seed: 1 }).fixedSetOfTriplets));
  assert.throws(() => new FixedSetOfTriplets({ labels: [3, 3, 3], numTriplets: 2 }), /FixedSetOfTriplets: labels hold 1 distinct label\(s\); a triplet needs two/);
  assert.throws(() => new FixedSetOfTriplets({ labels, numTriplets: 0 }), /numTriplets must be an integer ≥ 1/);
});

// A dataset of 20 items [2, 3] (6 features), 4 classes.
const n = 20, dsLabels = Int32Array.from({ length: n }, (_, i) => i % 4);
const dataset = { x: sl.randn([n, 6], { seed: 21 }).data(), labels: dsLabels, itemShape: [2, 3] };

test('TuplesToWeightsSampler: weights are tuple counts over the largest count; draws only weighted items, in proportion', () => {
  const mined: Int32Array[][] = [];
  const miner = { mine: (_e: sl.Tensor, lab: Int32Array) => { assert.equal(Array.from(lab), Array.from(dsLabels)); const t = [Int32Array.from([0, 1, 1, 5]), Int32Array.from([1, 5, 5, 5])]; mined.push(t); return t; } };
  const model = new sl.nn.Sequential(new sl.nn.Flatten(), new sl.nn.Linear(6, 3));
  const s = new TuplesToWeightsSampler({ model, miner, dataset, seed: 2 });
  assert.is(s.length, n);
  assert.is(s.weights, null);
  const draws: number[] = [];
  for (let e = 0; e < 200; e++) draws.push(...s.indices());
  // counts: 0 → 1, 1 → 3, 5 → 4 ; over the largest (4)
  const w = new Float32Array(n);
  w[0] = 0.25; w[1] = 0.75; w[5] = 1;
  assertClose(s.weights!, w, { atol: 0 }, 'weights');
  const freq = countBy(draws);
  assert.equal([...freq.keys()].sort((a, b) => a - b), [0, 1, 5], 'only items in tuples are drawn');
  const total = draws.length;
  for (const [i, c] of freq) assertClose([c / total], [w[i] / 2], { atol: 0.02 }, `frequency of ${i}`);
  assert.ok(model.training, 'model mode restored');
});

test('TuplesToWeightsSampler: a real miner on the normalised embeddings, subsets, no tuples → uniform, no leak', () => {
  const model = new sl.nn.Sequential(new sl.nn.Flatten(), new sl.nn.Linear(6, 4));
  model.eval();
  const miner = new sl.miners.TripletMarginMiner({ margin: 0.5 });
  const s = new TuplesToWeightsSampler({ model, miner, dataset, batchSize: 7, seed: 3 });
  s.indices(); // the first epoch packs the Linear's weight for inference, kept with the weight
  const live = sl.engineInfo().liveBytes;
  s.indices();
  assert.is(sl.engineInfo().liveBytes, live, 'no tensor outlives an epoch');
  // Reference: embed all items in one pass, normalise, mine, count.
  const emb = sl.noGrad(() => sl.l2Normalize(model.forward(sl.tensor(dataset.x, [n, 2, 3]))));
  const tuples = miner.mine(emb, dsLabels);
  const counts = new Float64Array(n);
  for (const col of tuples) for (const i of col) counts[i]++;
  const max = Math.max(...counts);
  assert.ok(max > 0, 'the reference mines some triplets');
  assertClose(s.weights!, Array.from(counts, (c) => c / max), { atol: 1e-7 }, 'weights from the mined triplets');
  assert.ok(!model.training, 'eval mode kept');

  const sub = new TuplesToWeightsSampler({ model, miner: { mine: () => [new Int32Array(0), new Int32Array(0)] }, dataset, subsetSize: 8, seed: 4 });
  assert.is(sub.length, 8);
  const idx = sub.indices();
  assert.is(idx.length, 8);
  const inSubset = Array.from(sub.weights!).map((v, i) => [v, i] as const).filter(([v]) => v > 0);
  assert.is(inSubset.length, 8, 'the 8 subset items weigh 1, the rest 0');
  assert.ok(inSubset.every(([v]) => v === 1));
  assert.ok(Array.from(idx).every((i) => sub.weights![i] === 1));
  assert.throws(() => new TuplesToWeightsSampler({ model, miner, dataset, subset_size: 3 } as any), /unknown option 'subset_size'; did you mean 'subsetSize'/);
  assert.throws(() => new TuplesToWeightsSampler({ model: {} as any, miner, dataset }), /option model must have forward/);
  assert.throws(() => new TuplesToWeightsSampler({ model, miner, dataset: { ...dataset, labels: new Int32Array(3) } }), /TuplesToWeightsSampler: dataset x holds 120 values but 3 labels/);
  emb.dispose();
});

test.run();
