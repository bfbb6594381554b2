// VICRegLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients to both
// views and the four-term loss dictionary for every fixture case; a gradcheck; option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

pmlLossTests(test, 'VICRegLoss', (o) => new sl.losses.VICRegLoss(o), 7);

test('gradcheck on 5 pairs of views of size 3 (odd), eps 0.5', () => {
  const x = sl.randn([5, 3], { seed: 3 });
  const y = sl.randn([5, 3], { seed: 4 });
  const loss = new sl.losses.VICRegLoss({ eps: 0.5, varianceMu: 3 });
  gradcheck((a, b) => sl.reshape(loss.forward(a, b), [1]), [x, y], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
  y.dispose();
});

test('forward(embeddings, refEmb) equals forward(embeddings, null, null, refEmb)', () => sl.tidy(() => {
  const x = sl.randn([4, 3], { seed: 1 }), y = sl.randn([4, 3], { seed: 2 });
  const loss = new sl.losses.VICRegLoss();
  assert.is(loss.forward(x, y).item(), loss.forward(x, null, null, y).item());
}));

test('a distance, a regulariser, labels, tuples and a missing view are clear errors', () => {
  assert.throws(() => new sl.losses.VICRegLoss({ distance: new sl.distances.LpDistance() } as any), /VICRegLoss: it cannot use a distance/);
  assert.throws(() => new sl.losses.VICRegLoss({ invarianceLamda: 1 } as any), /did you mean 'invarianceLambda'/);
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 1 }), y = sl.randn([4, 3], { seed: 2 });
    const loss = new sl.losses.VICRegLoss();
    assert.throws(() => loss.forward(x), /VICRegLoss: refEmb \(the second view\) is required/);
    assert.throws(() => loss.forward(x, [0, 1, 0, 1], null, y), /labels are not supported/);
    assert.throws(() => loss.forward(x, sl.randn([5, 3], { seed: 3 })), /embeddings is \[4, 3\] but refEmb is \[5, 3\]/);
  });
});

test('explicit dispose leaks nothing over 50 steps', () => {
  const loss = new sl.losses.VICRegLoss();
  const y = sl.randn([6, 4], { seed: 9 });
  assertNoLeak('VICRegLoss', (x) => loss.forward(x, y), [6, 4]);
  y.dispose();
});

test.run();
