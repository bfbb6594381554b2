// InstanceLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every fixture case, plus a gradcheck and the option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'InstanceLoss', (o) => new sl.losses.InstanceLoss(o), 6);

test('gradcheck on 7 samples (odd size), gamma 4, labels not starting at 0', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.InstanceLoss({ gamma: 4 });
  gradcheck((e) => sl.reshape(loss.forward(e, [5, 9, 5, 2, 9, 5, 7]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('options: CosineSimilarity only, unknown keys; tuples and refEmb rejected', () => {
  assert.throws(() => new sl.losses.InstanceLoss({ distance: new sl.distances.DotProductSimilarity() }), /distance must be a CosineSimilarity/);
  assert.throws(() => new sl.losses.InstanceLoss({ gama: 2 } as any), /unknown option 'gama'; did you mean 'gamma'/);
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 });
    assert.throws(() => new sl.losses.InstanceLoss().forward(x, [0, 0, 1, 1], null, x, [0, 0, 1, 1]), /refEmb is not supported/);
    assert.throws(() => new sl.losses.InstanceLoss().forward(x, [0, 0, 1, 1], [Int32Array.of(0), Int32Array.of(1), Int32Array.of(2)]), /index tuples are not supported/);
  });
});

test.run();
