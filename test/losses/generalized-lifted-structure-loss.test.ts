// GeneralizedLiftedStructureLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value,
// gradients and loss dictionary for every option and situation the fixtures hold, plus a
// gradcheck of the whole loss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlCases } from '../helpers/pml-fixtures';
import { checkLossCase } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

const cases = pmlCases('losses', { class: 'GeneralizedLiftedStructureLoss', kind: 'loss' });

test('fixtures cover the loss', () => {
  assert.ok(cases.length >= 8, `${cases.length} cases`);
});

for (const c of cases) {
  test(`PML ${c.id}: value, gradients, loss dictionary`, () => {
    checkLossCase(c, (o) => new sl.losses.GeneralizedLiftedStructureLoss(o));
  });
}

test('gradcheck on 7 samples (odd size), labels with a singleton class', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const labels = [0, 1, 0, 2, 1, 0, 3];
  const loss = new sl.losses.GeneralizedLiftedStructureLoss({ distance: new sl.distances.LpDistance({ normalizeEmbeddings: false }) });
  gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('unknown option: an error naming the nearest', () => {
  assert.throws(() => new sl.losses.GeneralizedLiftedStructureLoss({ negMargn: 1 } as any), /unknown option 'negMargn'; did you mean 'negMargin'/);
});

test.run();
