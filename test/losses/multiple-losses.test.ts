// MultipleLosses against PML 2.8.1 (test/fixtures/pml/losses.jsonl): lists and objects of
// losses, weights and miners (value and gradients); a gradcheck; option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertPmlClose, buildOptions, tensorOf } from '../helpers/pml-loss';
import { flat, pmlCases } from '../helpers/pml-fixtures';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

const cases = pmlCases('losses', { class: 'MultipleLosses', kind: 'loss' });
test('fixtures cover MultipleLosses', () => assert.ok(cases.length >= 5, `${cases.length} cases`));
for (const c of cases) {
  test(`PML ${c.id}: value and gradients`, () => sl.tidy(() => {
    const d = c.inputs.embeddings[0].length;
    const e = tensorOf(c.inputs.embeddings, true, d);
    const v = new sl.losses.MultipleLosses(buildOptions(c.options) as any).forward(e, c.inputs.labels);
    assertPmlClose([v.item()], [c.expected.loss], `${c.id}: loss`);
    v.backward();
    assertPmlClose(e.grad!.data(), flat(c.expected.gradEmbeddings!, d).data, `${c.id}: gradEmbeddings`);
  }));
}

test('gradcheck: weighted Contrastive + MultiSimilarity on 7 samples', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const lp = () => new sl.distances.LpDistance({ normalizeEmbeddings: false });
  const loss = new sl.losses.MultipleLosses({ losses: [new sl.losses.NTXentLoss({ temperature: 0.5 }), new sl.losses.MultiSimilarityLoss({ distance: lp() })], weights: [0.3, 2] });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 2]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('keys, lengths, miners with tuples and unknown options are clear errors', () => {
  const c = new sl.losses.ContrastiveLoss(), t = new sl.losses.TripletMarginLoss();
  assert.throws(() => new sl.losses.MultipleLosses({ losses: [c, t], weights: [1] }), /MultipleLosses: weights has 1 entries but there are 2 losses/);
  assert.throws(() => new sl.losses.MultipleLosses({ losses: { c, t }, weights: { c: 1 } }), /MultipleLosses: weights must have every key of losses/);
  assert.throws(() => new sl.losses.MultipleLosses({ losses: { c, t }, miners: { x: new sl.miners.BatchHardMiner() } }), /miners has keys \[x\] that losses does not/);
  assert.throws(() => new sl.losses.MultipleLosses({ losses: [c, t], miners: { c: null } as any }), /miners must be an array like losses/);
  assert.throws(() => new sl.losses.MultipleLosses({ losses: [c], wieghts: [1] } as any), /unknown option 'wieghts'; did you mean 'weights'/);
  assert.throws(() => new sl.losses.MultipleLosses({} as any), /options.losses is required/);
  const m = new sl.losses.MultipleLosses({ losses: [c, t], miners: [null, new sl.miners.BatchHardMiner()] });
  sl.tidy(() => assert.throws(() => m.forward(sl.zeros([3, 2]), [0, 0, 1], [Int32Array.of(0), Int32Array.of(1), Int32Array.of(2)]), /tuples cannot be given when the losses have miners/));
});

test('explicit dispose leaks nothing over 50 steps', () => {
  const w = new sl.losses.MultipleLosses({ losses: [new sl.losses.ContrastiveLoss(), new sl.losses.TripletMarginLoss()], miners: [new sl.miners.BatchHardMiner(), null] });
  assertNoLeak('MultipleLosses', (x) => w.forward(x, [0, 1, 0, 2, 1, 0, 2]), [7, 4]);
});

test.run();
