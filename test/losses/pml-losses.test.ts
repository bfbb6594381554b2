// The losses ported onto the framework (ContrastiveLoss, TripletMarginLoss, NTXentLoss,
// MultiSimilarityLoss) against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients
// to the embeddings and to refEmb, and the loss dictionary, for every option, situation
// (singleton class, all-same and all-distinct labels, miner tuples, a reference set) and size.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlCases } from '../helpers/pml-fixtures';
import { checkLossCase } from '../helpers/pml-loss';

await sl.init();

const CLASSES = ['ContrastiveLoss', 'TripletMarginLoss', 'NTXentLoss', 'MultiSimilarityLoss'] as const;

for (const cls of CLASSES) {
  const cases = pmlCases('losses', { class: cls, kind: 'loss' });
  test(`${cls}: the fixtures hold its cases`, () => assert.ok(cases.length >= 9, `${cases.length}`));
  for (const c of cases) {
    test(`PML ${c.id}`, () => checkLossCase(c, (o) => new (sl.losses as any)[cls](o)));
  }
}

test.run();
