// IntraPairVarianceLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients
// and loss dictionary for every fixture case, plus a gradcheck.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'IntraPairVarianceLoss', (o) => new sl.losses.IntraPairVarianceLoss(o), 10);

test('gradcheck on 7 samples (odd size), wide eps so most pairs are active', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.IntraPairVarianceLoss({ posEps: 0.3, negEps: 0.3 });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('unknown option: an error naming the nearest', () => {
  assert.throws(() => new sl.losses.IntraPairVarianceLoss({ posEpsilon: 1 } as any), /unknown option 'posEpsilon'/);
});

test.run();
