// SelfSupervisedLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value and gradients
// to both views for every wrapped loss, symmetric and not; a gradcheck; option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertPmlClose, buildOptions, tensorOf } from '../helpers/pml-loss';
import { flat, pmlCases } from '../helpers/pml-fixtures';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

const cases = pmlCases('losses', { class: 'SelfSupervisedLoss', kind: 'loss' });
test('fixtures cover SelfSupervisedLoss', () => assert.ok(cases.length >= 10, `${cases.length} cases`));
for (const c of cases) {
  test(`PML ${c.id}: value and gradients of both views`, () => sl.tidy(() => {
    const d = c.inputs.embeddings[0].length;
    const e = tensorOf(c.inputs.embeddings, true, d);
    const r = tensorOf(c.inputs.refEmb!, true, d);
    const v = new sl.losses.SelfSupervisedLoss(buildOptions(c.options) as any).forward(e, r);
    assertPmlClose([v.item()], [c.expected.loss], `${c.id}: loss`);
    v.backward();
    assertPmlClose(e.grad!.data(), flat(c.expected.gradEmbeddings!, d).data, `${c.id}: gradEmbeddings`);
    assertPmlClose(r.grad!.data(), flat(c.expected.gradRefEmb!, d).data, `${c.id}: gradRefEmb`);
  }));
}

test('gradcheck: NTXentLoss wrapped, symmetric and not, 5 pairs of views', () => {
  const x = sl.randn([5, 3], { seed: 3 });
  const y = sl.randn([5, 3], { seed: 4 });
  for (const symmetric of [true, false]) {
    const loss = new sl.losses.SelfSupervisedLoss({ loss: new sl.losses.NTXentLoss({ temperature: 0.5 }), symmetric });
    gradcheck((a, b) => sl.reshape(loss.forward(a, b), [1]), [x, y], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  }
  x.dispose();
  y.dispose();
});

test('unsupported losses, mismatched views and unknown options are clear errors', () => {
  assert.throws(() => new sl.losses.SelfSupervisedLoss({ loss: new sl.losses.InstanceLoss() }), /SelfSupervisedLoss: InstanceLoss is not supported/);
  assert.throws(() => new sl.losses.SelfSupervisedLoss({ loss: {} as any }), /SelfSupervisedLoss: loss must be a metric loss/);
  assert.throws(() => new sl.losses.SelfSupervisedLoss({ loss: new sl.losses.NTXentLoss(), symetric: false } as any), /unknown option 'symetric'; did you mean 'symmetric'/);
  sl.tidy(() => {
    const w = new sl.losses.SelfSupervisedLoss({ loss: new sl.losses.NTXentLoss() });
    assert.throws(() => w.forward(sl.zeros([4, 3]), sl.zeros([5, 3])), /SelfSupervisedLoss.forward: embeddings is \[4, 3\] but refEmb is \[5, 3\]/);
  });
});

test('explicit dispose leaks nothing over 50 steps', () => {
  const w = new sl.losses.SelfSupervisedLoss({ loss: new sl.losses.TripletMarginLoss() });
  const step = () => {
    const a = sl.randn([6, 4], { seed: 1, requiresGrad: true });
    const b = sl.randn([6, 4], { seed: 2, requiresGrad: true });
    const v = w.forward(a, b);
    v.backward();
    for (const t of [v, a, b]) t.dispose();
  };
  step();
  const before = sl.engineInfo().liveBytes;
  for (let i = 0; i < 50; i++) step();
  assert.is(sl.engineInfo().liveBytes, before);
});

test.run();
