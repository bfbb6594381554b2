// HistogramLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every fixture case (nBins, delta, miner triplets, no triplets), a gradcheck
// away from bin edges, options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

pmlLossTests(test, 'HistogramLoss', (o) => new sl.losses.HistogramLoss(o), 9);

test('gradcheck on 7 samples (odd size), 10 bins', () => {
  const x = sl.randn([7, 3], { seed: 3 });
  const loss = new sl.losses.HistogramLoss({ nBins: 10 });
  // piecewise linear in the similarities: a small step stays inside each bin
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 1]), [1]), [x], { eps: 1e-4, atol: 5e-3, rtol: 5e-2 });
  x.dispose();
});

test('a batch of 256 (about 65k pairs) works: the loss is a probability Σ p_neg·cdf(p_pos), gradient finite', () => {
  const x = sl.randn([256, 128], { seed: 5, requiresGrad: true });
  const labels = Array.from({ length: 256 }, (_, i) => i % 32);
  const l = new sl.losses.HistogramLoss().forward(x, labels);
  const v = l.item();
  assert.ok(v >= 0 && v <= 1 + 1e-6, `loss ${v} in [0, 1]`);
  l.backward();
  assert.ok(x.grad!.data().every(Number.isFinite), 'finite gradient');
  l.dispose();
  x.dispose();
});

test('options PML rejects are clear errors', () => {
  assert.throws(() => new sl.losses.HistogramLoss({ nBins: 8, delta: 0.3 }), /HistogramLoss: delta and nBins must satisfy delta = 2 \/ nBins/);
  assert.throws(() => new sl.losses.HistogramLoss({ nbins: 3 } as any), /did you mean 'nBins'/);
  assert.is(new sl.losses.HistogramLoss().delta, 0.02);
});

test('explicit dispose leaks nothing over 50 steps', () => {
  const loss = new sl.losses.HistogramLoss();
  assertNoLeak('HistogramLoss', (x) => loss.forward(x, [0, 1, 0, 2, 1, 0, 3]), [7, 4]);
});

test.run();
