// LargeMarginSoftmaxLoss, SphereFaceLoss, ArcFaceLoss, CosFaceLoss and NormalizedSoftmaxLoss
// against PML 2.8.1 (test/fixtures/pml/losses_weighted.jsonl: value, gradients to the
// embeddings and to W, loss dictionary, getLogits), finite-difference gradchecks to the
// embeddings and to W, PML's initialisation (seeded), the module API and option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { pmlWeightedLossTests } from '../helpers/pml-weighted-loss';

await sl.init();

const L = sl.losses as any;
const CLASSES: [string, number][] = [['LargeMarginSoftmaxLoss', 11], ['SphereFaceLoss', 10], ['ArcFaceLoss', 12], ['CosFaceLoss', 9], ['NormalizedSoftmaxLoss', 9]];
for (const [cls, min] of CLASSES) pmlWeightedLossTests(test, cls, (o) => new L[cls](o), min);

const labels = [0, 1, 0, 2, 1, 0, 3];

// Small scales keep the logits in the range where float32 finite differences are accurate.
const GRADCHECK: [string, Record<string, unknown>][] = [
  ['LargeMarginSoftmaxLoss', { margin: 3 }],
  ['SphereFaceLoss', { margin: 2, scale: 0.5 }],
  ['ArcFaceLoss', { scale: 2, margin: 20 }],
  ['CosFaceLoss', { scale: 2 }],
  ['NormalizedSoftmaxLoss', { temperature: 1 }],
];
for (const [cls, extra] of GRADCHECK) {
  test(`${cls}: gradcheck to the embeddings and W (7 samples, 5 classes, d 3)`, () => {
    sl.manualSeed(11);
    const loss = new L[cls]({ numClasses: 5, embeddingSize: 3, ...extra });
    const x = sl.randn([7, 3], { seed: 4 });
    gradcheck((e, w) => sl.reshape(loss.forward(e, labels), [1]), [x, loss.W], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    x.dispose();
  });
}

test('W is N(0, 1) from the global generator: manualSeed makes it reproducible', () => {
  sl.manualSeed(5);
  const a = new sl.losses.ArcFaceLoss({ numClasses: 40, embeddingSize: 50 });
  sl.manualSeed(5);
  const b = new sl.losses.ArcFaceLoss({ numClasses: 40, embeddingSize: 50 });
  const w = a.W.data();
  assert.equal(Array.from(w), Array.from(b.W.data()));
  assert.equal(a.W.shape, [50, 40]);
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.08, `mean ${mean}, variance ${variance}`);
  const c = new sl.losses.CosFaceLoss({ numClasses: 2, embeddingSize: 3, weightInitFunc: (t: sl.Tensor) => sl.losses.normalInit(t) });
  assert.equal(c.parameters(), [c.W]);
});

test('module API: parameters, stateDict, loadStateDict checks names and shapes and leaves W intact', () => {
  const loss = new sl.losses.NormalizedSoftmaxLoss({ numClasses: 3, embeddingSize: 2 });
  assert.equal(Object.keys(loss.stateDict()), ['W']);
  const w = sl.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  loss.loadStateDict({ W: w });
  assert.equal(Array.from(loss.W.data()), [1, 2, 3, 4, 5, 6]);
  assert.ok(loss.W !== w);
  assert.throws(() => loss.loadStateDict({ W: sl.tensor([1, 2, 3, 4, 5, 6], [3, 2]) }), /NormalizedSoftmaxLoss.loadStateDict: W is \[3, 2\] but this loss has W \[2, 3\]/);
  assert.throws(() => loss.loadStateDict({ W: w, proxies: w }), /unexpected keys \["proxies"\]/);
  assert.equal(Array.from(loss.W.data()), [1, 2, 3, 4, 5, 6]);
});

test('bad input: required options, unknown options, labels out of range, refEmb, wrong size, distance', () => {
  assert.throws(() => new sl.losses.ArcFaceLoss({ numClasses: 3 } as any), /ArcFaceLoss: missing required option 'embeddingSize'/);
  assert.throws(() => new sl.losses.CosFaceLoss({ numClasses: 3, embeddingSize: 2, scael: 2 } as any), /unknown option 'scael'; did you mean 'scale'/);
  assert.throws(() => new sl.losses.SphereFaceLoss({ numClasses: 3, embeddingSize: 2, distance: new sl.distances.LpDistance() }), /SphereFaceLoss: distance must be a CosineSimilarity/);
  const loss = new sl.losses.LargeMarginSoftmaxLoss({ numClasses: 3, embeddingSize: 2 });
  const x = sl.randn([4, 2], { seed: 1 });
  assert.throws(() => loss.forward(x, [0, 1, 3, 0]), /LargeMarginSoftmaxLoss: labels must lie in \[0, 3\).*got 3 at 2/);
  assert.throws(() => loss.forward(x, null), /labels are required/);
  assert.throws(() => loss.forward(x, [0, 1, 2, 0], null, x, [0, 1, 2, 0]), /refEmb is not supported/);
  assert.throws(() => loss.forward(sl.randn([4, 3], { seed: 1 }), [0, 1, 2, 0]), /embeddings are \[4, 3\] but the loss's weights expect embedding size 2/);
});

test('crossEntropyLosses matches log-softmax computed in float64, also for huge logits', () => {
  const z = [[1000, 0, -1000], [2, 3, 1], [-5, -5, -5]];
  const y = [0, 2, 1];
  const got = sl.tidy(() => Array.from(sl.crossEntropyLosses(sl.tensor(z.flat(), [3, 3]), y).data()));
  const want = z.map((r, i) => {
    const m = Math.max(...r);
    return m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0)) - r[y[i]];
  });
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-4 * Math.max(1, want[i]), `${i}: ${g} vs ${want[i]}`));
  assert.throws(() => sl.crossEntropyLosses(sl.tensor(z.flat(), [3, 3]), [0, 3, 1]), /crossEntropyLosses: labels\[1\] is 3, outside \[0, 3\)/);
});

test.run();
