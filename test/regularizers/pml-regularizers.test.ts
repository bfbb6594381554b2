// The five regularizers against PML 2.8.1 (test/fixtures/pml/regularizers.jsonl): value,
// gradient to the embeddings or weights, and the loss dictionary; plus errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { flat, pmlCases } from '../helpers/pml-fixtures';
import { assertLossDict, assertPmlClose, buildOptions, tensorOf } from '../helpers/pml-loss';

await sl.init();

const cases = pmlCases('regularizers', { kind: 'regularizer' });

test('fixtures cover the five regularizers', () => {
  assert.equal([...new Set(cases.map((c) => c.class))].sort(), ['CenterInvariantRegularizer', 'LpRegularizer', 'RegularFaceRegularizer', 'SparseCentersRegularizer', 'ZeroMeanRegularizer']);
});

for (const c of cases) {
  test(`PML ${c.id}`, () => {
    sl.tidy(() => {
      const m = (c.inputs.embeddings ?? c.inputs.weights)!;
      const x = tensorOf(m, true);
      const reg = new (sl.regularizers as any)[c.class](buildOptions(c.options));
      const v = reg.forward(x);
      assertPmlClose([v.item()], [c.expected.loss], `${c.id}: loss`);
      v.backward();
      const g = c.expected.gradEmbeddings ?? c.expected.gradWeights;
      if (g) assertPmlClose(x.grad ? x.grad.data() : new Float32Array(x.size), flat(g).data, `${c.id}: gradient`);
      assertLossDict(reg.computeLoss(x), c.expected.lossDict, c.id);
    });
  });
}

test('errors: unknown options, a distance that is not a similarity, missing sizes', () => {
  assert.throws(() => new sl.regularizers.LpRegularizer({ pp: 2 } as any), /LpRegularizer: unknown option 'pp'; did you mean 'p'/);
  assert.throws(() => new sl.regularizers.RegularFaceRegularizer({ distance: new sl.distances.LpDistance() }), /must be a similarity/);
  assert.throws(() => new sl.regularizers.SparseCentersRegularizer({ numClasses: 2, centersPerClass: 1 }), /centersPerClass must be an integer > 1/);
  assert.throws(() => new (sl.regularizers as any).SparseCentersRegularizer(), /options \{ numClasses, centersPerClass \} are required/);
  const x = sl.randn([3, 2], { seed: 1 });
  x.dispose();
  assert.throws(() => new sl.regularizers.ZeroMeanRegularizer().forward(x), /ZeroMeanRegularizer.forward: x \[3, 2\] was disposed/);
});

test.run();
