// sl.metrics.AccuracyCalculator against pytorch-metric-learning's own AccuracyCalculator
// (test/fixtures/pml/accuracy.jsonl). PML was given an exact squared-L2 k-NN and scikit-learn's
// KMeans; each case runs twice: with PML's recorded k-NN order and cluster labels fed through
// knnFunc / kmeansFunc (every metric must match), and with our own k-NN and k-means (the k-NN
// order must reproduce PML's; on the well-separated cases AMI = NMI = 1).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlCases, flat, type AccuracyCase } from '../helpers/pml-fixtures';
import { exactKnn, type KnnResult } from '../../src/metrics/exact-knn';

await sl.init();

const cases = pmlCases('accuracy', { kind: 'accuracy' });
const REL = 1e-6;

function closeMetric(actual: unknown, expected: number | number[], what: string): void {
  const a = Array.isArray(expected) ? (actual as number[]) : [actual as number];
  const e = Array.isArray(expected) ? expected : [expected];
  assert.ok(Array.isArray(a) && a.length === e.length, `${what}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
  e.forEach((v, i) => {
    const ok = Number.isNaN(v) ? Number.isNaN(a[i]) : Math.abs(a[i] - v) <= REL * Math.max(1, Math.abs(v));
    assert.ok(ok, `${what}[${i}]: ${a[i]} vs PML ${v}`);
  });
}

function tensors(c: AccuracyCase) {
  const i = c.inputs!;
  const q = flat(i.query);
  const query = sl.tensor(Float32Array.from(q.data), q.shape);
  let reference: sl.Tensor | null = null;
  if (i.reference) {
    const r = flat(i.reference);
    reference = sl.tensor(Float32Array.from(r.data), r.shape);
  }
  return { query, reference };
}

const recordedKnn = (c: AccuracyCase) => (query: sl.Tensor, k: number): KnnResult => {
  assert.is(k, c.expected.k, `${c.id}: k`);
  const rows = c.expected.knnIndices!;
  assert.is(rows.length, query.shape[0]);
  return [new Float32Array(rows.length * k), Int32Array.from(rows.flat())];
};

for (const c of cases) {
  test(`${c.id}: PML's metrics from PML's k-NN order and clusters`, () => {
    const opts = { ...(c.options as object) } as sl.metrics.AccuracyCalculatorOptions;
    if (c.expected.error) {
      assert.throws(() => new sl.metrics.AccuracyCalculator(opts), (e: Error) => e.message.includes(c.expected.error!));
      return;
    }
    const { query, reference } = tensors(c);
    const i = c.inputs!;
    const calc = new sl.metrics.AccuracyCalculator({
      ...opts,
      knnFunc: recordedKnn(c),
      kmeansFunc: (_x, nClusters) => {
        assert.is(nClusters, new Set(i.queryLabels).size);
        return c.expected.clusterLabels!;
      },
    });
    const got = calc.getAccuracy(query, i.queryLabels, reference, i.referenceLabels, i.refIncludesQuery);
    assert.equal(Object.keys(got), Object.keys(c.expected.metrics!), `${c.id}: metric names`);
    for (const [m, v] of Object.entries(c.expected.metrics!)) closeMetric(got[m as keyof typeof got], v, `${c.id} ${m}`);
    query.dispose();
    reference?.dispose();
  });

  if (c.expected.error) continue;
  test(`${c.id}: our exact k-NN reproduces PML's order${c.id.includes('separated') ? ', our k-means AMI = NMI = 1' : ''}`, () => {
    const { query, reference } = tensors(c);
    const i = c.inputs!;
    if (c.expected.knnIndices) {
      const [, idx] = exactKnn(query, c.expected.k!, reference ?? query, reference ? i.refIncludesQuery : true);
      assert.equal(Array.from(idx), c.expected.knnIndices.flat(), `${c.id}: k-NN indices`);
    }
    const calc = new sl.metrics.AccuracyCalculator(c.options as sl.metrics.AccuracyCalculatorOptions);
    const got = calc.getAccuracy(query, i.queryLabels, reference, i.referenceLabels, i.refIncludesQuery);
    for (const [m, v] of Object.entries(c.expected.metrics!)) {
      if (m === 'AMI' || m === 'NMI') continue;
      closeMetric(got[m as keyof typeof got], v, `${c.id} ${m} (own k-NN)`);
    }
    if (c.id.includes('separated') && 'AMI' in got) {
      assert.is(got.AMI, 1, `${c.id}: AMI`);
      assert.is(got.NMI, 1, `${c.id}: NMI`);
    }
    query.dispose();
    reference?.dispose();
  });
}

test.run();
