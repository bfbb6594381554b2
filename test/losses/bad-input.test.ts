// Bad input gets a clear error naming the function and the argument, thrown before any
// work: no wasm memory is left allocated and no tensor changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

const { losses: L, miners: M, reducers: R } = sl;

/** Asserts fn throws a message matching re and leaves live wasm memory as it was. */
function rejects(fn: () => unknown, re: RegExp): void {
  const before = sl.engineInfo().liveBytes;
  assert.throws(fn, re);
  assert.is(sl.engineInfo().liveBytes, before, `memory left allocated by a rejected call (${re})`);
}

const x = sl.randn([4, 3], { seed: 1 });
const losses = () => [new L.ContrastiveLoss(), new L.TripletMarginLoss(), new L.NTXentLoss(), new L.MultiSimilarityLoss(), new L.SimilarityRegressionLoss(), new L.PairClassificationLoss()];

test('labels: wrong length, NaN, fractions, non-arrays', () => {
  for (const loss of losses()) {
    const name = loss.name;
    rejects(() => loss.forward(x, [0, 1, 0]), new RegExp(`${name}\\.forward: labels has 3 entries but the batch has 4 embeddings`));
    rejects(() => loss.forward(x, [0, NaN, 1, 1]), new RegExp(`${name}\\.forward: labels\\[1\\] is NaN: labels must be integers`));
    rejects(() => loss.forward(x, [0, 1.5, 1, 1]), /labels\[1\] is 1.5/);
    rejects(() => loss.forward(x, 'abcd' as any), /labels must be an Int32Array or an array of integers/);
    rejects(() => loss.forward(x), /give labels \(one per embedding\) or index tuples/);
  }
  for (const miner of [new M.BatchHardMiner(), new M.TripletMarginMiner(), new M.PairMarginMiner()]) {
    rejects(() => miner.mine(x, [0, 1]), new RegExp(`${miner.name}\\.mine: labels has 2 entries but the batch has 4 embeddings`));
    rejects(() => miner.mine(x, [0, 1, NaN, 0]), /labels\[2\] is NaN/);
  }
});

test('tuples: out of range, negative, mismatched columns, wrong column count', () => {
  for (const loss of losses()) {
    const i = (...v: number[]) => Int32Array.from(v);
    rejects(() => loss.forward(x, null, [i(0, 1), i(1, 4), i(2, 3)]), /tuple column positives\[1\] is 4: indices must be integers in \[0, 4\) for a batch of 4/);
    rejects(() => loss.forward(x, null, [i(0), i(1), i(-1)] as any), /tuple column negatives\[0\] is -1/);
    rejects(() => loss.forward(x, null, [i(0, 1), i(1), i(2, 3)]), /tuple columns anchors \(2\) and positives \(1\) must have the same length/);
    rejects(() => loss.forward(x, null, [i(0), i(1), i(2, 3), i(3)]), /tuple columns a2 \(2\) and n \(1\) must have the same length/);
    rejects(() => loss.forward(x, null, [i(0), i(1)] as any), /tuples must be \[anchors, positives, negatives\] or \[a1, p, a2, n\]/);
    rejects(() => loss.forward(x, null, [[0], [0.5], [1]] as any), /positives\[0\] is 0.5/);
  }
});

test('embeddings and Siamese data: shapes, targets', () => {
  const c = new L.ContrastiveLoss();
  const [v4, x33, x42] = [sl.randn([4]), sl.randn([3, 3]), sl.randn([4, 2])];
  rejects(() => c.forward(v4, [0, 1, 0, 1]), /ContrastiveLoss\.forward: embeddings is \[4\]: expected a 2-D batch \[n, d\]/);
  rejects(() => c.pairs(x, x33, [1, 0, 1]), /ContrastiveLoss\.pairs: a is \[4, 3\] but b is \[3, 3\]: shapes must match/);
  rejects(() => c.pairs(x, x, [1, 0, 1]), /ContrastiveLoss\.pairs: y has 3 entries but there are 4 pairs/);
  rejects(() => c.pairs(x, x, [1, 0, 0.5, 1]), /y\[2\] is 0.5: targets must be 1 \(similar\) or 0 \(dissimilar\)/);
  rejects(() => new L.SimilarityRegressionLoss().pairs(x, x, [1, 0, 1.5, NaN]), /SimilarityRegressionLoss\.pairs: y\[2\] is 1.5: targets must be scores in \[0, 1\]/);
  rejects(() => new L.TripletMarginLoss().triplets(x, x, x42), /TripletMarginLoss\.triplets: a is \[4, 3\] but n is \[4, 2\]/);
});

test('hyper-parameters: negative margins and other bad options', () => {
  assert.throws(() => new L.TripletMarginLoss({ margin: -0.1 }), /TripletMarginLoss: margin must be a finite number >= 0, got -0.1/);
  assert.throws(() => new L.ContrastiveLoss({ negMargin: -1 }), /ContrastiveLoss: negMargin must be a finite number >= 0/);
  assert.throws(() => new L.ContrastiveLoss({ posMargin: NaN }), /ContrastiveLoss: option posMargin must be a finite number, got number NaN/);
  assert.throws(() => new L.ContrastiveLoss({ form: 'squared', margin: -2 }), /ContrastiveLoss: margin must be/);
  assert.throws(() => new L.ContrastiveLoss({ form: 'cubed' as any }), /ContrastiveLoss: option form must be one of 'margin', 'squared', 'hadsell', got "cubed"/);
  assert.throws(() => new L.ContrastiveLoss({ form: 'squared', reducer: new R.MeanReducer() }), /takes no reducer/);
  assert.throws(() => new L.ContrastiveLoss({ form: 'hadsell', distance: new sl.distances.CosineSimilarity() }), /needs a distance, not a similarity/);
  assert.throws(() => new L.PairClassificationLoss({ margin: -1 }), /PairClassificationLoss: margin must be a finite number >= 0/);
  assert.throws(() => new L.PairClassificationLoss({ scale: 0 }), /PairClassificationLoss: scale must be a finite number > 0/);
  assert.throws(() => new L.PairClassificationLoss({ margin: sl.zeros([2]) }), /margin must be a number or a one-element Tensor/);
  assert.throws(() => new L.NTXentLoss({ temperature: 0 }), /NTXentLoss: temperature must be a finite number > 0/);
  assert.throws(() => new L.MultiSimilarityLoss({ beta: -5 }), /MultiSimilarityLoss: beta must be a finite number > 0/);
  assert.throws(() => new L.TripletMarginLoss({ distance: {} as any }), /TripletMarginLoss: distance must be a distance object/);
  assert.throws(() => new L.TripletMarginLoss({ reducer: 3 as any }), /TripletMarginLoss: option reducer must be an object, got number 3/);
  assert.throws(() => new L.TripletMarginLoss({ reducer: {} as any }), /TripletMarginLoss: reducer must be a reducer object/);
  assert.throws(() => new M.TripletMarginMiner({ margin: -0.2 }), /TripletMarginMiner: margin must be a finite number >= 0, got -0.2/);
  assert.throws(() => new M.TripletMarginMiner({ type: 'medium' as any }), /TripletMarginMiner: option type must be one of 'all', 'hard', 'semihard', 'easy'/);
  assert.throws(() => new M.PairMarginMiner({ posMargin: -1 }), /PairMarginMiner: posMargin must be/);
});

test.run();
