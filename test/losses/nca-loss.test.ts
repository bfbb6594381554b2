// NCALoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every option and situation the fixtures hold, plus a gradcheck.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlCases } from '../helpers/pml-fixtures';
import { checkLossCase } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

const cases = pmlCases('losses', { class: 'NCALoss', kind: 'loss' });
const make = (o: Record<string, unknown>) => new sl.losses.NCALoss(o);

test('fixtures cover the loss', () => {
  assert.ok(cases.length >= 9, `${cases.length} cases`);
});

for (const c of cases) {
  if (Number.isNaN(c.expected.loss)) {
    // No query has a same-label reference: PML's dictionary is empty (checked as is) and its mean
    // of nothing is NaN; simlearn's reducers turn empty terms into 0 with a zero gradient.
    test(`PML ${c.id}: empty loss dictionary; 0, not PML's NaN`, () => {
      const zero = c.inputs.embeddings.map((r) => r.map(() => 0));
      checkLossCase({ ...c, expected: { ...c.expected, loss: 0, gradEmbeddings: zero } }, make);
    });
  } else test(`PML ${c.id}: value, gradients, loss dictionary`, () => checkLossCase(c, make));
}

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
