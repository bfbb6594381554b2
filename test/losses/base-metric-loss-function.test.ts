// The loss framework itself (BaseMetricLossFunction), through its worked example
// GeneralizedLiftedStructureLoss: the loss dictionary, DoNothingReducer, the reducer wrapped
// per sub-loss, the embedding regulariser's term, argument errors, and no leak when the
// user disposes by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

const labels = [0, 1, 0, 2, 1, 0, 3];
// a stand-in regulariser (sl.regularizers lands separately): mean of squares
const meanSquares = { forward: (x: sl.Tensor) => sl.mean(sl.mul(x, x)) };

test('forward = the reducer applied to computeLoss(); DoNothingReducer returns the dictionary', () => {
  sl.tidy(() => {
    const x = sl.randn([7, 5], { seed: 1 });
    const loss = new sl.losses.GeneralizedLiftedStructureLoss();
    const dict = loss.computeLoss(x, labels);
    assert.equal(Object.keys(dict), ['loss']);
    assert.is(dict.loss.reductionType, 'element');
    assert.equal(Array.from(dict.loss.indices as Int32Array), [0, 1, 2, 3, 4, 5, 6]);
    const mean = Array.from((dict.loss.losses as sl.Tensor).data()).reduce((s, v) => s + v, 0) / 7;
    assert.ok(Math.abs(loss.forward(x, labels).item() - mean) < 1e-6);
    const raw = new sl.losses.GeneralizedLiftedStructureLoss({ reducer: new sl.reducers.DoNothingReducer() }).forward(x, labels) as unknown as sl.reducers.LossDict;
    assert.equal(Array.from((raw.loss.losses as sl.Tensor).data()), Array.from((dict.loss.losses as sl.Tensor).data()));
  });
});

test('embeddingRegularizer: its weighted term is the sub-loss embeddingRegLoss, the reducer wrapped per sub-loss', () => {
  sl.tidy(() => {
    const x = sl.randn([7, 5], { seed: 2, requiresGrad: true });
    const plain = new sl.losses.GeneralizedLiftedStructureLoss({ reducer: new sl.reducers.SumReducer() });
    const reg = new sl.losses.GeneralizedLiftedStructureLoss({ reducer: new sl.reducers.SumReducer(), embeddingRegularizer: meanSquares, embeddingRegWeight: 0.25 });
    assert.instance(reg.reducer, sl.reducers.MultipleReducers);
    const dict = reg.computeLoss(x, labels);
    assert.equal(Object.keys(dict), ['loss', 'embeddingRegLoss']);
    assert.is(dict.embeddingRegLoss.reductionType, 'already_reduced');
    const expected = plain.forward(x, labels).item() + 0.25 * meanSquares.forward(x).item();
    assert.ok(Math.abs(reg.forward(x, labels).item() - expected) < 1e-5);
  });
});

test('no valid pair: 0 with a zero gradient that still reaches the embeddings', () => {
  sl.tidy(() => {
    const x = sl.randn([1, 4], { seed: 3, requiresGrad: true });
    const v = new sl.losses.GeneralizedLiftedStructureLoss().forward(x, [0]);
    assert.is(v.item(), 0);
    v.backward();
    assert.equal(Array.from(x.grad!.data()), [0, 0, 0, 0]);
  });
});

test('errors name the function and the argument, before any work', () => {
  const loss = new sl.losses.GeneralizedLiftedStructureLoss();
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 });
    assert.throws(() => loss.forward(x, [0, 1]), /GeneralizedLiftedStructureLoss.forward: labels has 2 entries but the batch has 4/);
    assert.throws(() => loss.forward(x, [0, 1, 0, 1], null, sl.randn([2, 5], { seed: 2 }), [0, 1]), /embeddings is \[4, 3\] but refEmb is \[2, 5\]/);
    assert.throws(() => loss.forward(x, [0, 1, 0, 1], null, null, [0, 1]), /refLabels were given without refEmb/);
    assert.throws(() => loss.forward(x, null), /give labels \(one per embedding\) or index tuples/);
    assert.throws(() => loss.forward(x, null, [Int32Array.of(0), Int32Array.of(2), Int32Array.of(0), Int32Array.of(5)], sl.randn([5, 3], { seed: 3 })), /tuple column n\[0\] is 5: indices must be integers in \[0, 5\) for a reference set of 5/);
    x.dispose();
    assert.throws(() => loss.forward(x, [0, 1, 0, 1]), /GeneralizedLiftedStructureLoss.forward: embeddings \[4, 3\] was disposed/);
  });
  assert.throws(() => new sl.losses.GeneralizedLiftedStructureLoss(null as any), /GeneralizedLiftedStructureLoss: options must be an object/);
  assert.throws(() => new sl.losses.GeneralizedLiftedStructureLoss({ reducer: {} as any }), /reducer must be a reducer object/);
});

test('explicit dispose without tidy leaks nothing: 100 steps of forward, backward, dispose', () => {
  const loss = new sl.losses.GeneralizedLiftedStructureLoss({ embeddingRegularizer: meanSquares });
  const step = () => {
    const x = sl.randn([9, 4], { seed: 5, requiresGrad: true });
    const v = loss.forward(x, [0, 1, 0, 2, 1, 0, 3, 2, 2]);
    v.backward();
    v.dispose();
    x.dispose();
  };
  step();
  const before = sl.engineInfo().liveBytes;
  for (let i = 0; i < 100; i++) step();
  assert.is(sl.engineInfo().liveBytes, before);
});

test.run();
