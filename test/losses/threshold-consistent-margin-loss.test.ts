// ThresholdConsistentMarginLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value,
// gradients and loss dictionary for every fixture case, a gradcheck, options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

pmlLossTests(test, 'ThresholdConsistentMarginLoss', (o) => new sl.losses.ThresholdConsistentMarginLoss(o), 10);

test('gradcheck on 7 samples (odd size), both parts active', () => {
  const x = sl.randn([7, 3], { seed: 3 });
  const loss = new sl.losses.ThresholdConsistentMarginLoss({ marginMinus: -0.2, lambdaMinus: 2 });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('options and inputs PML rejects are clear errors', () => {
  assert.throws(() => new sl.losses.ThresholdConsistentMarginLoss({ distance: new sl.distances.LpDistance() }), /distance must be a CosineSimilarity/);
  assert.throws(() => new sl.losses.ThresholdConsistentMarginLoss({ marginplus: 1 } as any), /did you mean 'marginPlus'/);
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 });
    assert.throws(() => new sl.losses.ThresholdConsistentMarginLoss().forward(x, [0, 0, 1, 1], null, x, [0, 0, 1, 1]), /refEmb is not supported/);
  });
});

test('explicit dispose leaks nothing over 50 steps', () => {
  const loss = new sl.losses.ThresholdConsistentMarginLoss();
  assertNoLeak('ThresholdConsistentMarginLoss', (x) => loss.forward(x, [0, 1, 0, 2, 1, 0, 3]), [7, 4]);
});

test.run();
