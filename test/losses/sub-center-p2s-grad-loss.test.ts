// SubCenterArcFaceLoss (+ getOutliers) and P2SGradLoss against PML 2.8.1
// (test/fixtures/pml/losses_weighted.jsonl: value, gradients to the embeddings and to W /
// weight, loss dictionary, getLogits, outliers and dominant centres, the weight PML leaves
// after its in-place renormalisation), gradchecks, initialisation, bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { flat } from '../helpers/pml-fixtures';
import { assertPmlClose, tensorOf } from '../helpers/pml-loss';
import { loadedLoss, pmlWeightedLossTests, weightedCases } from '../helpers/pml-weighted-loss';

await sl.init();

pmlWeightedLossTests(test, 'SubCenterArcFaceLoss', (o) => new sl.losses.SubCenterArcFaceLoss(o as any), 13);
pmlWeightedLossTests(test, 'P2SGradLoss', (o) => new sl.losses.P2SGradLoss(o as any), 5);

for (const c of weightedCases('SubCenterArcFaceLoss').filter((k) => (k.expected as any).outliers)) {
  test(`PML ${c.id}: getOutliers (outliers, dominant centres; absent classes NaN)`, () => {
    sl.tidy(() => {
      const e = c.expected as any;
      const threshold = Number(/threshold=(\d+)/.exec(c.id)![1]);
      const loss = loadedLoss(c, (o) => new sl.losses.SubCenterArcFaceLoss(o as any));
      const [outliers, centers] = loss.getOutliers(tensorOf(c.inputs.embeddings), c.inputs.labels, threshold);
      assert.equal(Array.from(outliers), e.outliers);
      const want = flat(e.dominantCenters).data;
      const got: Float32Array = centers.data();
      const present = Array.from(want, (v) => Number.isFinite(v));
      assert.ok(present.some((p) => !p), 'the case has an absent class');
      present.forEach((p, i) => assert.is(Number.isNaN(got[i]), !p, `entry ${i} NaN exactly where PML's is uninitialised`));
      assertPmlClose(got.filter((_, i) => present[i]), want.filter((_, i) => present[i]), `${c.id}: dominantCenters`);
    });
  });
}

const labels = [0, 1, 0, 2, 1, 0, 3];

test('SubCenterArcFaceLoss: gradcheck to the embeddings and W (scale 2, 2 sub-centres)', () => {
  sl.manualSeed(6);
  const loss = new sl.losses.SubCenterArcFaceLoss({ numClasses: 5, embeddingSize: 3, subCenters: 2, scale: 2, margin: 20 });
  assert.equal(loss.W.shape, [3, 10]);
  const x = sl.randn([7, 3], { seed: 7 });
  gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x, loss.W], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('P2SGradLoss: gradcheck to the embeddings; weight starts with unit columns, renormalised in place', () => {
  sl.manualSeed(7);
  const loss = new sl.losses.P2SGradLoss({ descriptorsDim: 3, numClasses: 5 });
  const w = loss.weight.data();
  for (let j = 0; j < 5; j++) assert.ok(Math.abs(Math.hypot(w[j], w[5 + j], w[10 + j]) - 1) < 1e-5, `column ${j}`);
  const x = sl.randn([7, 3], { seed: 8 });
  gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  loss.loadStateDict({ weight: sl.mul(sl.randn([3, 5], { seed: 2 }), 3) });
  sl.tidy(() => loss.forward(x, labels));
  const after = loss.weight.data();
  for (let j = 0; j < 5; j++) assert.ok(Math.abs(Math.hypot(after[j], after[5 + j], after[10 + j]) - 1) < 1e-5, `renormalised column ${j}`);
  x.dispose();
});

test('bad input: options, tuples (P2SGrad), labels and threshold (getOutliers)', () => {
  assert.throws(() => new sl.losses.P2SGradLoss({ numClasses: 3 } as any), /P2SGradLoss: missing required option 'descriptorsDim'/);
  assert.throws(() => new sl.losses.SubCenterArcFaceLoss({ numClasses: 3, embeddingSize: 2, subCenter: 2 } as any), /unknown option 'subCenter'; did you mean 'subCenters'/);
  const p2s = new sl.losses.P2SGradLoss({ descriptorsDim: 2, numClasses: 3 });
  const x = sl.randn([3, 2], { seed: 1 });
  assert.throws(() => p2s.forward(x, [0, 1, 2], [Int32Array.of(0), Int32Array.of(1), Int32Array.of(2)]), /P2SGradLoss: index tuples are not supported/);
  const sub = new sl.losses.SubCenterArcFaceLoss({ numClasses: 3, embeddingSize: 2 });
  assert.throws(() => sub.getOutliers(x, [0, 1, 4]), /SubCenterArcFaceLoss.getOutliers: labels must lie in \[0, 3\), got 4 at 2/);
  assert.throws(() => sub.getOutliers(x, [0, 1, 2], NaN), /threshold must be a finite number of degrees/);
});

test.run();
