// RankedListLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every fixture case, plus a gradcheck and the option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'RankedListLoss', (o) => new sl.losses.RankedListLoss(o as any), 10);

test('gradcheck on 7 samples (odd size), Tp and Tn non-zero, a singleton class', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.RankedListLoss({ margin: 0.4, Tn: 2, Tp: 1.5, imbalance: 0.3 });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('options: margin and Tn required, imbalance in [0, 1], unknown keys', () => {
  assert.throws(() => new sl.losses.RankedListLoss({ margin: 0.4 } as any), /RankedListLoss: Tn is required/);
  assert.throws(() => new sl.losses.RankedListLoss({ margin: 0.4, Tn: 1, imbalance: 1.5 }), /imbalance must be between 0 and 1, got 1.5/);
  assert.throws(() => new sl.losses.RankedListLoss({ margin: 0.4, Tn: 1, tn: 1 } as any), /unknown option 'tn'/);
  assert.is(new sl.losses.RankedListLoss({ margin: 0.4, Tn: 1 }).alpha, 1.2);
});

test('tuples and refEmb are rejected, as PML', () => {
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 });
    const loss = new sl.losses.RankedListLoss({ margin: 0.4, Tn: 1 });
    assert.throws(() => loss.forward(x, [0, 0, 1, 1], null, x, [0, 0, 1, 1]), /refEmb is not supported/);
    assert.throws(() => loss.forward(x, [0, 0, 1, 1], [Int32Array.of(0), Int32Array.of(1), Int32Array.of(2)]), /index tuples are not supported/);
  });
});

test.run();
