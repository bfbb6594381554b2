// DynamicSoftMarginLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): for every fixture
// case, on a fresh loss (hist_ loaded from `state` when given): value, gradients, the
// histogram after the call (stateAfter.hist_), and the loss dictionary of a second fresh
// loss (each call updates hist_). A gradcheck; the state API; options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertLossDict, assertPmlClose, buildOptions, tensorOf, tuplesOf } from '../helpers/pml-loss';
import { flat, pmlCases } from '../helpers/pml-fixtures';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

const make = (c: (typeof cases)[number]) => {
  const loss = new sl.losses.DynamicSoftMarginLoss(buildOptions(c.options));
  if (c.state) loss.loadStateDict({ hist_: sl.tensor(Float32Array.from(c.state.hist_ as number[]), [(c.state.hist_ as number[]).length]) });
  return loss;
};
const cases = pmlCases('losses', { class: 'DynamicSoftMarginLoss', kind: 'loss' });
test('fixtures cover DynamicSoftMarginLoss', () => assert.ok(cases.length >= 12, `${cases.length} cases`));
for (const c of cases) {
  test(`PML ${c.id}: value, gradients, hist_ after the call, loss dictionary`, () => sl.tidy(() => {
    const { embeddings, labels, tuples, refEmb, refLabels } = c.inputs;
    const d = embeddings[0].length;
    const e = tensorOf(embeddings, true, d);
    const ref = refEmb ? tensorOf(refEmb, true, d) : null;
    const loss = make(c);
    const v = loss.forward(e, labels, tuplesOf(tuples) as any, ref, refLabels);
    assertPmlClose([v.item()], [c.expected.loss], `${c.id}: loss`);
    assertPmlClose(loss.stateDict().hist_.data(), c.expected.stateAfter!.hist_ as number[], `${c.id}: hist_ after`);
    if (c.expected.gradEmbeddings) {
      if (v.requiresGrad) v.backward();
      assertPmlClose(e.grad ? e.grad.data() : new Float32Array(e.size), flat(c.expected.gradEmbeddings, d).data, `${c.id}: gradEmbeddings`);
      if (ref && c.expected.gradRefEmb) assertPmlClose(ref.grad!.data(), flat(c.expected.gradRefEmb, d).data, `${c.id}: gradRefEmb`);
    }
    const again = make(c);
    assertLossDict(again.computeLoss(e, labels, tuplesOf(tuples) as any, ref, refLabels), c.expected.lossDict!, c.id);
    loss.dispose();
    again.dispose();
  }));
}

test('gradcheck on 7 samples (odd size), through the histogram, with a prior histogram', () => {
  const x = sl.randn([7, 3], { seed: 3 });
  const prior = sl.tensor([0.05, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.05]);
  const loss = new sl.losses.DynamicSoftMarginLoss({ minVal: -3, momentum: 0.3 });
  gradcheck((e) => {
    loss.loadStateDict({ hist_: prior });
    return sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 1]), [1]);
  }, [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  for (const t of [x, prior]) t.dispose();
  loss.dispose();
});

test('the state API: hist_ only, its shape checked; momentum 1 on the first call', () => {
  const loss = new sl.losses.DynamicSoftMarginLoss({ numBins: 5, minVal: -3 });
  assert.equal(loss.parameters(), []);
  assert.equal(Array.from(loss.stateDict().hist_.data()), [0, 0, 0, 0, 0]);
  assert.throws(() => loss.loadStateDict({ hist_: sl.tensor([1, 2]) }), /hist_ is \[2\] but this loss has hist_ \[5\]/);
  assert.throws(() => loss.loadStateDict({ beta: sl.tensor([1]) } as any), /unexpected keys \["beta"\]/);
  loss.dispose();
  const wide = new sl.losses.DynamicSoftMarginLoss({ minVal: -3 });
  sl.tidy(() => { wide.forward(sl.randn([6, 3], { seed: 1 }), [0, 0, 1, 1, 2, 2]); });
  const h = wide.stateDict().hist_.data();
  assert.ok(Math.abs(h.reduce((s, v) => s + v, 0) - 1) < 1e-5, 'normalised');
  // a difference past the last bin: PML's scatter fails; here a clear error, the histogram unchanged
  const narrow = new sl.losses.DynamicSoftMarginLoss({ minVal: -0.5 });
  sl.tidy(() => assert.throws(() => narrow.forward(sl.tensor([[1, 0], [1, 0], [-1, 0]]), [0, 0, 1]), /a difference falls in bin -?\d+, outside the histogram's 10 bins from minVal -0.5/));
  assert.equal(Array.from(narrow.stateDict().hist_.data()), new Array(10).fill(0));
  for (const l of [wide, narrow]) l.dispose();
  assert.throws(() => new sl.losses.DynamicSoftMarginLoss({ distance: new sl.distances.CosineSimilarity() }), /distance must be an LpDistance/);
  assert.throws(() => new sl.losses.DynamicSoftMarginLoss({ minval: -1 } as any), /did you mean 'minVal'/);
});

test('explicit dispose leaks nothing over 50 steps, then dispose() frees the histogram', () => {
  const before = sl.engineInfo().liveBytes;
  const loss = new sl.losses.DynamicSoftMarginLoss({ minVal: -3 });
  assertNoLeak('DynamicSoftMarginLoss', (x) => loss.forward(x, [0, 1, 0, 2, 1, 0, 3]), [7, 4]);
  loss.dispose();
  assert.is(sl.engineInfo().liveBytes, before);
});

test.run();
