// NPairsLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every option and situation the fixtures hold, plus a gradcheck.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'NPairsLoss', (o) => new sl.losses.NPairsLoss(o), 8);

test('gradcheck on 9 samples (odd size), a singleton class, squared Lp distance', () => {
  const x = sl.randn([9, 5], { seed: 4 });
  const loss = new sl.losses.NPairsLoss({ distance: new sl.distances.LpDistance({ power: 2, normalizeEmbeddings: false }) });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3, 2, 2]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('refEmb is not supported; unknown options are errors', () => {
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 });
    assert.throws(() => new sl.losses.NPairsLoss().forward(x, [0, 0, 1, 1], null, x, [0, 0, 1, 1]), /NPairsLoss: refEmb is not supported/);
  });
  assert.throws(() => new sl.losses.NPairsLoss({ margin: 1 } as any), /unknown option 'margin'/);
});

test('numPairs counts one pair per label', () => {
  sl.tidy(() => {
    const loss = new sl.losses.NPairsLoss();
    loss.forward(sl.randn([6, 3], { seed: 2 }), [0, 0, 1, 1, 1, 2]);
    assert.is(loss.numPairs, 2);
  });
});

test.run();
