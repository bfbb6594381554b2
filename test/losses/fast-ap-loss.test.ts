// FastAPLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every fixture case (bins, miner weights, no positives), a gradcheck, options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

pmlLossTests(test, 'FastAPLoss', (o) => new sl.losses.FastAPLoss(o), 8);

test('gradcheck on 7 samples (odd size), 5 bins, a singleton class', () => {
  const x = sl.randn([7, 3], { seed: 3 });
  const loss = new sl.losses.FastAPLoss({ numBins: 5 });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('options and inputs PML rejects are clear errors', () => {
  assert.throws(() => new sl.losses.FastAPLoss({ distance: new sl.distances.CosineSimilarity() }), /FastAPLoss: distance must be an LpDistance with p 2/);
  assert.throws(() => new sl.losses.FastAPLoss({ numbins: 3 } as any), /did you mean 'numBins'/);
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 });
    assert.throws(() => new sl.losses.FastAPLoss().forward(x, [0, 0, 1, 1], null, x, [0, 0, 1, 1]), /FastAPLoss: refEmb is not supported/);
  });
});

test('explicit dispose leaks nothing over 50 steps (miner weights too)', () => {
  const loss = new sl.losses.FastAPLoss();
  const labels = [0, 1, 0, 2, 1, 0, 3];
  assertNoLeak('FastAPLoss', (x) => loss.forward(x, labels), [7, 4]);
  assertNoLeak('FastAPLoss tuples', (x) => loss.forward(x, labels, [Int32Array.of(0, 2), Int32Array.of(2, 0), Int32Array.of(1, 3)]), [7, 4]);
});

test.run();
