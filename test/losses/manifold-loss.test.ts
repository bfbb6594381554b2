// ManifoldLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): with the fixture's proxies
// loaded and its meta-classes passed, the value, the gradients to the embeddings and to the
// proxies, and the loss dictionary (PML inverts I − αS̄ in float32, so 1e-4 relative holds).
// A gradcheck to embeddings and proxies; the module API; drawn meta-classes; options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertLossDict, assertPmlClose, buildOptions, tensorOf } from '../helpers/pml-loss';
import { flat, pmlCases, type Matrix } from '../helpers/pml-fixtures';
import { gradcheck } from '../helpers/gradcheck';
import { assertNoLeak } from './helpers';

await sl.init();

const cases = pmlCases('losses', { class: 'ManifoldLoss', kind: 'loss' });
test('fixtures cover ManifoldLoss', () => assert.ok(cases.length >= 6, `${cases.length} cases`));
for (const c of cases) {
  test(`PML ${c.id}: value, gradients (embeddings, proxies), loss dictionary`, () => sl.tidy(() => {
    const d = c.inputs.embeddings[0].length;
    const e = tensorOf(c.inputs.embeddings, true, d);
    const loss = new sl.losses.ManifoldLoss(buildOptions(c.options) as any);
    loss.loadStateDict({ proxies: tensorOf(c.state!.proxies as Matrix) });
    const meta = c.inputs.tuples as unknown as number[];
    const v = loss.forward(e, null, meta);
    assertPmlClose([v.item()], [c.expected.loss], `${c.id}: loss`);
    v.backward();
    assertPmlClose(e.grad!.data(), flat(c.expected.gradEmbeddings!, d).data, `${c.id}: gradEmbeddings`);
    assertPmlClose(loss.proxies.grad!.data(), flat(c.expected.gradParams!.proxies as Matrix).data, `${c.id}: gradParams.proxies`);
    assertLossDict(loss.computeLoss(e, null, meta), c.expected.lossDict!, c.id);
    loss.dispose();
  }));
}

test('gradcheck on 7 embeddings (odd size) and 3 proxies, lambdaC 2, margin 0.1', () => {
  sl.manualSeed(5);
  const loss = new sl.losses.ManifoldLoss({ l: 3, K: 3, lambdaC: 2, margin: 0.1 });
  const x = sl.randn([7, 3], { seed: 3 });
  const meta = [0, 1, 2, 0, 1, 2, 0];
  gradcheck((e) => sl.reshape(loss.forward(e, null, meta), [1]), [x, loss.proxies], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
  loss.dispose();
});

test('module API, lambdaC Infinity (context only), drawn meta-classes, errors', () => sl.tidy(() => {
  sl.manualSeed(1);
  const loss = new sl.losses.ManifoldLoss({ l: 4, K: 3 });
  assert.equal(loss.parameters(), [loss.proxies]);
  assert.equal(loss.proxies.shape, [3, 4]);
  assert.ok(loss.proxies.requiresGrad);
  assert.throws(() => loss.loadStateDict({ proxies: sl.zeros([2, 4]) }), /proxies is \[2, 4\] but this loss has proxies \[3, 4\]/);
  const x = sl.randn([5, 4], { seed: 2 });
  // drawn meta-classes: deterministic after manualSeed
  sl.manualSeed(7);
  const a = loss.forward(x).item();
  sl.manualSeed(7);
  assert.is(loss.forward(x).item(), a);
  const ctxOnly = new sl.losses.ManifoldLoss({ l: 4, K: 3, lambdaC: Infinity });
  const zeroCtx = new sl.losses.ManifoldLoss({ l: 4, K: 3, lambdaC: 0 });
  const unit = new sl.losses.ManifoldLoss({ l: 4, K: 3, lambdaC: 1 });
  for (const m of [ctxOnly, zeroCtx]) m.loadStateDict({ proxies: unit.proxies });
  const meta = [0, 1, 2, 0, 1];
  assert.ok(Math.abs(unit.forward(x, null, meta).item() - (zeroCtx.forward(x, null, meta).item() + ctxOnly.forward(x, null, meta).item())) < 1e-5);
  assert.throws(() => loss.forward(x, null, [0, 1, 3, 0, 1]), /ManifoldLoss.forward: metaClasses\[2\] is 3: meta-classes are proxy indices in \[0, 3\)/);
  assert.throws(() => loss.forward(x, null, [0, 1]), /metaClasses has 2 entries for 5 embeddings/);
  assert.is(loss.forward(x, null, [Int32Array.from(meta)]).item(), loss.forward(x, null, meta).item(), 'PML tuple of one column');
  assert.throws(() => loss.forward(x, null, [Int32Array.of(0), Int32Array.of(1), Int32Array.of(2)]), /metaClasses must be one list of proxy indices/);
  assert.throws(() => loss.forward(x, [0, 1, 0, 1, 0]), /labels are not supported/);
  assert.throws(() => loss.forward(sl.randn([2, 4], { seed: 1 })), /needs at least K = 3 embeddings, got 2/);
  assert.throws(() => new sl.losses.ManifoldLoss({ K: 3 } as any), /l \(the embedding size\) must be a positive integer/);
  assert.throws(() => new sl.losses.ManifoldLoss({ l: 3, lambdaC: -1 }), /lambdaC must be a non-negative number/);
  assert.throws(() => new sl.losses.ManifoldLoss({ l: 3, lambdac: 1 } as any), /did you mean 'lambdaC'/);
  for (const m of [loss, ctxOnly, zeroCtx, unit]) m.dispose();
}));

test('explicit dispose leaks nothing over 50 steps; dispose() frees the proxies', () => {
  const before = sl.engineInfo().liveBytes;
  const loss = new sl.losses.ManifoldLoss({ l: 4, K: 3 });
  assertNoLeak('ManifoldLoss', (x) => loss.forward(x, null, [0, 1, 2, 0, 1, 2, 0]), [7, 4]);
  loss.proxies.grad?.dispose();
  loss.proxies.grad = null;
  loss.dispose();
  assert.is(sl.engineInfo().liveBytes, before);
});

test.run();
