// AngularLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every fixture case, plus a gradcheck and the option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'AngularLoss', (o) => new sl.losses.AngularLoss(o), 9);

test('gradcheck on 7 samples (odd size), alpha 30, a singleton class', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.AngularLoss({ alpha: 30 });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('options: the default LpDistance only; unknown keys are errors', () => {
  assert.throws(() => new sl.losses.AngularLoss({ distance: new sl.distances.LpDistance({ power: 2 }) }), /AngularLoss: distance must be LpDistance\(\{ p: 2, power: 1, normalizeEmbeddings: true \}\)/);
  assert.throws(() => new sl.losses.AngularLoss({ distance: new sl.distances.CosineSimilarity() }), /distance must be LpDistance/);
  assert.throws(() => new sl.losses.AngularLoss({ angle: 40 } as any), /unknown option 'angle'/);
});

test.run();
