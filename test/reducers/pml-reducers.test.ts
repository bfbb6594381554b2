// Every reducer against PML 2.8.1 (test/fixtures/pml/reducers.jsonl): the reduced value and
// its gradient to each sub-loss's terms, over element / pos_pair / neg_pair / triplet /
// already_reduced dictionaries and PML's zero-loss marker; the errors PML raises.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlCases } from '../helpers/pml-fixtures';
import { assertPmlClose, buildOptions, lossDictOf, tensorOf } from '../helpers/pml-loss';

await sl.init();

const cases = pmlCases('reducers', { kind: 'reducer' });

function makeReducer(cls: string, options: Record<string, unknown>): any {
  const o = buildOptions(options);
  if (cls === 'ClassWeightedReducer') o.weights = sl.tensor(o.weights as number[]);
  return new (sl.reducers as any)[cls](o);
}

test('fixtures cover all nine reducers', () => {
  const classes = new Set(cases.map((c) => c.class));
  for (const r of ['AvgNonZeroReducer', 'ClassWeightedReducer', 'DivisorReducer', 'DoNothingReducer', 'MeanReducer', 'MultipleReducers', 'PerAnchorReducer', 'SumReducer', 'ThresholdReducer']) {
    assert.ok(classes.has(r), r);
  }
});

for (const c of cases) {
  test(`PML ${c.id}`, () => {
    sl.tidy(() => {
      const emb = tensorOf(c.inputs.embeddings, true);
      const dict = lossDictOf(c.inputs.lossDict);
      const reducer = makeReducer(c.class, c.options);
      if (c.expected.error !== undefined) {
        assert.throws(() => reducer.forward(dict, emb, c.inputs.labels));
        return;
      }
      const out = reducer.forward(dict, emb, c.inputs.labels);
      if (c.expected.lossDict) {
        assert.is(out, dict, 'DoNothingReducer returns the dictionary itself');
        return;
      }
      assertPmlClose([out.item()], [c.expected.loss!], `${c.id}: value`);
      out.backward();
      for (const [name, g] of Object.entries(c.expected.gradLosses ?? {})) {
        const t = dict[name].losses;
        if (t === 0 || g === null) continue;
        const got = t.grad ? t.grad.data() : new Float32Array(t.size);
        assertPmlClose(got, Array.isArray(g) ? g : [g], `${c.id}: gradient of ${name}`);
      }
      // the zero-loss marker and empty terms still reach the embeddings, with a zero gradient
      if (emb.grad) assert.ok(emb.grad.data().every((v) => v === 0), `${c.id}: embeddings get a zero gradient`);
    });
  });
}

test('a reducer given an empty losses tensor: 0, connected to the embeddings with a zero gradient', () => {
  sl.tidy(() => {
    const emb = sl.randn([4, 3], { seed: 1, requiresGrad: true });
    const losses = sl.tensor(new Float32Array(0), [0], { requiresGrad: true });
    for (const r of [new sl.reducers.MeanReducer(), new sl.reducers.SumReducer(), new sl.reducers.AvgNonZeroReducer(), new sl.reducers.ThresholdReducer({ high: 1 })]) {
      const v = r.forward({ loss: { losses, indices: new Int32Array(0), reductionType: 'element' } }, emb, null);
      assert.is(v.item(), 0, r.name);
      v.backward();
      assert.equal(Array.from(emb.grad!.data()), new Array(12).fill(0), r.name);
    }
  });
});

test('errors: a malformed entry, a dictionary of two for a single reducer, unknown options', () => {
  sl.tidy(() => {
    const emb = sl.randn([4, 3], { seed: 1 });
    const losses = sl.tensor([1, 2, 3]);
    const r = new sl.reducers.MeanReducer();
    assert.throws(() => r.forward({ loss: { losses, indices: new Int32Array(2), reductionType: 'element' } }, emb), /MeanReducer.forward: lossDict.loss: 'element' losses \[3\] need indices/);
    assert.throws(() => r.forward({ loss: { losses, indices: [new Int32Array(3)], reductionType: 'pos_pair' } }, emb), /2 Int32Array columns/);
    const e = { losses, indices: new Int32Array(3), reductionType: 'element' as const };
    assert.throws(() => r.forward({ a: e, b: e }, emb), /one entry, got 2 \(a, b\); use MultipleReducers/);
    assert.throws(() => new sl.reducers.ThresholdReducer({ lo: 1 } as any), /unknown option 'lo'; did you mean 'low'/);
    assert.throws(() => new sl.reducers.ThresholdReducer({}), /at least one bound/);
    assert.throws(() => new sl.reducers.ClassWeightedReducer(null as any), /options must be an object/);
    assert.throws(() => new sl.reducers.MultipleReducers({ reducers: { posLoss: 3 as any } }), /reducers.posLoss must be a reducer/);
    assert.throws(() => new sl.reducers.DivisorReducer().forward({ loss: e }, emb), /numeric divisor/);
    emb.dispose();
    assert.throws(() => r.forward({ loss: e }, emb), /MeanReducer.forward: embeddings \[4, 3\] was disposed/);
  });
});

test.run();
