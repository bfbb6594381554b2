// The losses with fused kernels or SIMD paths (src/ops/histogram.ts, the f32x4 logsumexp
// rows, the one-GEMM backward of a batch against itself) against PML 2.8.1 on
// test/fixtures/pml/losses_fused.jsonl: odd sizes (3, 5, 33) and edge batches (singleton
// classes, identical rows, no positive pair, one class) — value, gradients, loss dictionary,
// and DynamicSoftMarginLoss's histogram after the call; plus the fused paths' tuples and
// refEmb forms against the every-triplet path and gradchecks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertPmlClose, pmlLossTests } from '../helpers/pml-loss';
import { pmlCases } from '../helpers/pml-fixtures';
import { gradcheck } from '../helpers/gradcheck';
import { tensorOf } from '../helpers/pml-loss';

await sl.init();

for (const cls of ['DynamicSoftMarginLoss', 'FastAPLoss', 'NCALoss', 'GeneralizedLiftedStructureLoss', 'SupConLoss', 'InstanceLoss']) {
  pmlLossTests(test, cls, (o) => new (sl.losses as any)[cls](o), cls === 'DynamicSoftMarginLoss' ? 6 : 7, 1e-4, 'losses_fused');
}

for (const c of pmlCases('losses_fused', { class: 'DynamicSoftMarginLoss', kind: 'loss' })) {
  test(`PML ${c.id}: hist_ after the call`, () => sl.tidy(() => {
    const loss = new sl.losses.DynamicSoftMarginLoss();
    const { embeddings, labels } = c.inputs;
    loss.forward(tensorOf(embeddings, false, embeddings[0].length), labels);
    assertPmlClose(loss.stateDict().hist_.data(), c.expected.stateAfter!.hist_ as number[], `${c.id}: hist_ after`);
    loss.dispose();
  }));
}

test('DynamicSoftMarginLoss: every triplet given as tuples equals the labels path; refEmb; gradchecks on odd sizes', () => {
  sl.tidy(() => {
    const labels = [0, 1, 0, 2, 1, 0, 3, 2, 2];
    const x = sl.randn([9, 4], { seed: 4 });
    const byLabels = new sl.losses.DynamicSoftMarginLoss();
    const v = byLabels.forward(x, labels).item();
    const [a, p, n]: number[][] = [[], [], []];
    labels.forEach((la, i) => labels.forEach((lp, j) => {
      if (lp !== la || j === i) return;
      labels.forEach((ln, k) => ln !== la && (a.push(i), p.push(j), n.push(k)));
    }));
    const byTuples = new sl.losses.DynamicSoftMarginLoss();
    const w = byTuples.forward(x, labels, [Int32Array.from(a), Int32Array.from(p), Int32Array.from(n)]).item();
    assert.ok(Math.abs(v - w) < 1e-6, `${v} vs ${w}`);
    assertPmlClose(byTuples.stateDict().hist_.data(), byLabels.stateDict().hist_.data(), 'hist');
    for (const l of [byLabels, byTuples]) l.dispose();
  });
  // (the loss jumps where a difference crosses a bin edge, so the batches stay small enough to miss one)
  for (const [n, d] of [[3, 2], [5, 3], [7, 3]]) {
    const x = sl.randn([n, d], { seed: n });
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const loss = new sl.losses.DynamicSoftMarginLoss({ minVal: -3, momentum: 0.5 });
    const prior = sl.tensor(Float32Array.from({ length: 10 }, (_, i) => (i + 1) / 55));
    gradcheck((e) => {
      loss.loadStateDict({ hist_: prior });
      return sl.reshape(loss.forward(e, labels), [1]);
    }, [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    const r = sl.randn([4, d], { seed: 9 });
    gradcheck((e, ref) => {
      loss.loadStateDict({ hist_: prior });
      return sl.reshape(loss.forward(e, labels, null, ref, [0, 1, 2, 0]), [1]);
    }, [x, r], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    for (const t of [x, r, prior]) t.dispose();
    loss.dispose();
  }
});

test('FastAPLoss: gradchecks on odd sizes and bins; NaN-free at identical rows', () => {
  for (const [n, d, bins] of [[3, 2, 10], [5, 3, 3], [17, 4, 7]]) {
    const x = sl.randn([n, d], { seed: n + bins });
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const loss = new sl.losses.FastAPLoss({ numBins: bins });
    gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    x.dispose();
  }
});

test.run();
