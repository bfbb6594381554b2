// PNPLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every variant (O, Ds, Dq, Iu, Ib) and option, a gradcheck per variant, options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

pmlLossTests(test, 'PNPLoss', (o) => new sl.losses.PNPLoss(o), 12);

for (const variant of ['O', 'Ds', 'Dq', 'Iu', 'Ib'] as const) {
  test(`gradcheck, variant ${variant}, on 7 samples (odd size), anneal 0.5`, () => {
    const x = sl.randn([7, 3], { seed: 3 });
    const loss = new sl.losses.PNPLoss({ variant, anneal: 0.5, b: 3, alpha: 2 });
    gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    x.dispose();
  });
}

test('options and inputs PML rejects are clear errors', () => {
  assert.throws(() => new sl.losses.PNPLoss({ variant: 'X' } as any), /PNPLoss: option variant must be one of 'Ds', 'Dq', 'Iu', 'Ib', 'O'/);
  assert.throws(() => new sl.losses.PNPLoss({ distance: new sl.distances.LpDistance() }), /PNPLoss: distance must be a CosineSimilarity/);
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 });
    assert.throws(() => new sl.losses.PNPLoss().forward(x, [0, 0, 1, 1], [Int32Array.of(0), Int32Array.of(1), Int32Array.of(2)]), /PNPLoss: index tuples are not supported/);
  });
});

test('explicit dispose leaks nothing over 50 steps', () => {
  const loss = new sl.losses.PNPLoss({ variant: 'Ib' });
  assertNoLeak('PNPLoss', (x) => loss.forward(x, [0, 1, 0, 2, 1, 0, 3]), [7, 4]);
});

test.run();
