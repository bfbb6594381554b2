// SignalToNoiseRatioContrastiveLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value,
// gradients and loss dictionary for every fixture case, plus a gradcheck.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'SignalToNoiseRatioContrastiveLoss', (o) => new sl.losses.SignalToNoiseRatioContrastiveLoss(o), 9);

test('gradcheck on 7 samples (odd size), margins inside the spread of SNR distances', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.SignalToNoiseRatioContrastiveLoss({ posMargin: 0.5, negMargin: 2 });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('options: only SNRDistance; unknown keys are errors', () => {
  assert.throws(() => new sl.losses.SignalToNoiseRatioContrastiveLoss({ distance: new sl.distances.LpDistance() }), /distance must be an SNRDistance/);
  assert.throws(() => new sl.losses.SignalToNoiseRatioContrastiveLoss({ margin: 1 } as any), /unknown option 'margin'/);
});

test.run();
