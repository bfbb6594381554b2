// NCALoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every option and situation the fixtures hold, plus a gradcheck.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'NCALoss', (o) => new sl.losses.NCALoss(o), 9);

test('gradcheck on 7 samples (odd size), labels with a singleton class, softmaxScale 2', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.NCALoss({ softmaxScale: 2, distance: new sl.distances.LpDistance({ power: 2, normalizeEmbeddings: false }) });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('unknown option: an error naming the nearest', () => {
  assert.throws(() => new sl.losses.NCALoss({ softmaxScal: 1 } as any), /unknown option 'softmaxScal'; did you mean 'softmaxScale'/);
});

test('labels are required', () => {
  sl.tidy(() => assert.throws(() => new sl.losses.NCALoss().forward(sl.randn([4, 3], { seed: 1 })), /NCALoss: labels are required/));
});

test.run();
