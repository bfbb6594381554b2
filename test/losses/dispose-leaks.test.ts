// Explicit dispose leaks nothing: a user who, without tidy, disposes the input, the
// embeddings and the loss each step (or the mined tuples' source) keeps flat live bytes
// over 200 steps, for every loss (forward, pairs(), triplets()) and every miner. Also: every
// constructor rejects null options and unknown keys, and forward / mine name the function
// and the argument of a disposed tensor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

const labels = [0, 1, 0, 2, 1, 0, 3, 2, 2];
const L = sl.losses, R = sl.reducers;
const LOSSES: [string, () => any][] = [
  ['ContrastiveLoss', () => new L.ContrastiveLoss()],
  ['ContrastiveLoss squared', () => new L.ContrastiveLoss({ form: 'squared' })],
  ['TripletMarginLoss', () => new L.TripletMarginLoss({ margin: 0.3, embeddingRegularizer: new sl.regularizers.LpRegularizer() })],
  ['TripletMarginLoss tripletsPerAnchor', () => new L.TripletMarginLoss({ tripletsPerAnchor: 2 })],
  ['NTXentLoss', () => new L.NTXentLoss()],
  ['MultiSimilarityLoss', () => new L.MultiSimilarityLoss({ reducer: new R.PerAnchorReducer() })],
  ['SimilarityRegressionLoss', () => new L.SimilarityRegressionLoss()],
  ['PairClassificationLoss', () => new L.PairClassificationLoss()],
  ['GeneralizedLiftedStructureLoss', () => new L.GeneralizedLiftedStructureLoss({ reducer: new R.ThresholdReducer({ low: 0.1 }) })],
];

function flat(label: string, step: () => void): void {
  step();
  const before = sl.engineInfo().liveBytes;
  for (let i = 0; i < 200; i++) step();
  assert.is(sl.engineInfo().liveBytes, before, `${label}: live bytes grew`);
}

for (const [name, make] of LOSSES) {
  test(`${name}: 200 steps of forward (with refEmb), backward and dispose by hand keep live bytes flat`, () => {
    const loss = make();
    const w = sl.randn([5, 4], { seed: 1, requiresGrad: true });
    flat(`${name} forward`, () => {
      const x = sl.randn([9, 5], { seed: 2 });
      const e = sl.matmul(x, w);
      const v = loss.forward(e, labels);
      v.backward();
      v.dispose();
      e.dispose();
      x.dispose();
      w.grad!.dispose();
      w.grad = null;
    });
    flat(`${name} refEmb`, () => {
      const e = sl.randn([9, 4], { seed: 3, requiresGrad: true });
      const r = sl.randn([6, 4], { seed: 4, requiresGrad: true });
      const v = loss.forward(e, labels, null, r, [0, 1, 2, 3, 0, 1]);
      v.backward();
      v.dispose();
      e.dispose();
      r.dispose();
    });
    if (name.startsWith('NTXent') || name.startsWith('GeneralizedLifted') || name.startsWith('MultiSimilarity')) return;
    flat(`${name} pairs/triplets`, () => {
      const a = sl.randn([4, 4], { seed: 5, requiresGrad: true });
      const b = sl.randn([4, 4], { seed: 6, requiresGrad: true });
      const c = sl.randn([4, 4], { seed: 7, requiresGrad: true });
      const t = loss.triplets(a, b, c);
      t.backward();
      t.dispose();
      if (!name.startsWith('Triplet')) {
        const p = loss.pairs(a, b, name.startsWith('SimilarityRegression') ? [0.1, 0.9, 0.5, 1] : [1, 0, 1, 0]);
        p.backward();
        p.dispose();
      }
      for (const x of [a, b, c]) x.dispose();
    });
    w.dispose();
  });
}

test('miners: 200 mining steps (batch and reference set) keep live bytes flat', () => {
  for (const miner of [new sl.miners.BatchHardMiner(), new sl.miners.TripletMarginMiner({ typeOfTriplets: 'semihard' }), new sl.miners.PairMarginMiner()]) {
    flat(miner.name, () => {
      const e = sl.randn([9, 4], { seed: 8 });
      const r = sl.randn([6, 4], { seed: 9 });
      miner.mine(e, labels);
      miner.mine(e, labels, r, [0, 1, 2, 3, 0, 1]);
      e.dispose();
      r.dispose();
    });
  }
});

test('every constructor: null options and unknown keys are clear errors', () => {
  const classes: [string, any][] = [
    ...Object.entries(sl.losses).filter(([k, v]) => typeof v === 'function' && k.endsWith('Loss') && !k.startsWith('Base')),
    ...Object.entries(sl.miners).filter(([k, v]) => typeof v === 'function' && k !== 'BaseMiner'),
    ...Object.entries(sl.reducers).filter(([k, v]) => typeof v === 'function' && k.endsWith('Reducer') && k !== 'BaseReducer'),
    ...Object.entries(sl.regularizers).filter(([k, v]) => typeof v === 'function' && k !== 'BaseRegularizer'),
  ];
  assert.ok(classes.length >= 23, `${classes.length} classes`);
  for (const [name, C] of classes) {
    assert.throws(() => new C(null), new RegExp(`^${name}: options must be an object of named options, got null`), `${name}(null)`);
    assert.throws(() => new C({ bogusOption: 1 }), new RegExp(`^${name}: unknown option 'bogusOption'`), `${name} unknown key`);
  }
  assert.throws(() => new sl.losses.TripletMarginLoss({ margn: 0.1 } as any), /unknown option 'margn'; did you mean 'margin'/);
  assert.throws(() => new sl.miners.TripletMarginMiner({ typeOfTriplet: 'hard' } as any), /did you mean 'typeOfTriplets'/);
});

test('forward and mine name the function and the argument of a disposed tensor', () => {
  const e = sl.randn([4, 3], { seed: 1 });
  const r = sl.randn([5, 3], { seed: 2 });
  r.dispose();
  assert.throws(() => new sl.losses.TripletMarginLoss().forward(e, [0, 0, 1, 1], null, r, [0, 1, 0, 1, 0]), /^TripletMarginLoss.forward: refEmb \[5, 3\] was disposed/);
  e.dispose();
  assert.throws(() => new sl.losses.TripletMarginLoss().forward(e, [0, 0, 1, 1]), /TripletMarginLoss.forward: embeddings \[4, 3\] was disposed/);
  assert.throws(() => new sl.losses.MultiSimilarityLoss().computeLoss(e, [0, 0, 1, 1]), /MultiSimilarityLoss.computeLoss: embeddings \[4, 3\] was disposed/);
  assert.throws(() => new sl.miners.BatchHardMiner().mine(e, [0, 0, 1, 1]), /BatchHardMiner.mine: embeddings \[4, 3\] was disposed/);
});

test.run();
