import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';

await sl.init();

const samples = sl.randn([12, 5], { seed: 7 });

test('Euclidean, Manhattan, Lp and Mahalanobis pass every axiom', () => {
  const M = sl.tensor([[2, 0.5, 0, 0, 0], [0.5, 1, 0, 0, 0], [0, 0, 3, 0, 0], [0, 0, 0, 1, 0.2], [0, 0, 0, 0.2, 1]]);
  for (const metric of ['euclidean', 'manhattan', { p: 3 }, new sl.distances.Mahalanobis({ M, squared: false }), new sl.distances.LearnedMahalanobis(5, { squared: false })] as sl.Metric[]) {
    const r = sl.checkMetricAxioms(metric, samples);
    for (const axiom of ['nonNegativity', 'identity', 'symmetry', 'triangle'] as const) {
      assert.ok(r[axiom].holds, `${JSON.stringify(metric)} ${axiom}: ${JSON.stringify(r[axiom])}`);
      assert.is(r[axiom].example, null);
    }
    assert.is(r.triplesChecked, 12 ** 3);
  }
});

test('squared Euclidean fails the triangle inequality: 0, 1, 2 on a line', () => {
  const line = sl.tensor([[0], [1], [2]]);
  const r = sl.checkMetricAxioms('sqeuclidean', line);
  assert.ok(!r.triangle.holds);
  assert.is(r.triangle.worst, 2); // d(0, 2) = 4 > d(0, 1) + d(1, 2) = 2
  const ex = r.triangle.example!;
  assert.equal(ex.distances, [1, 1, 4]);
  assert.ok((ex.indices[0] === 0 && ex.indices[2] === 2) || (ex.indices[0] === 2 && ex.indices[2] === 0));
  assert.is(ex.indices[1], 1);
  assert.ok(r.nonNegativity.holds && r.identity.holds && r.symmetry.holds);
  // A squared Mahalanobis distance fails the same way.
  assert.ok(!sl.checkMetricAxioms(new sl.distances.Mahalanobis({ M: sl.tensor([[1]]) }), line).triangle.holds);
});

test('cosine distance fails the triangle inequality (and identity for parallel vectors)', () => {
  // x = e1, y = (e1 + e2)/√2, z = e2: d(x, z) = 1 > 2·(1 − 1/√2) ≈ 0.586.
  const pts = sl.tensor([[1, 0], [1, 1], [0, 1], [2, 0]]);
  const r = sl.checkMetricAxioms('cosine', pts);
  assert.ok(!r.triangle.holds);
  assert.ok(Math.abs(r.triangle.worst - (1 - 2 * (1 - Math.SQRT1_2))) < 1e-6, String(r.triangle.worst));
  assert.equal(r.triangle.example!.indices[1], 1);
  assert.ok(!r.identity.holds, 'e1 and 2·e1 are distinct rows at cosine distance 0');
  assert.equal(r.identity.example!.indices.slice().sort(), [0, 3]);
  assert.ok(r.symmetry.holds && r.nonNegativity.holds);
});

test('large samples check a seeded random subset of triples', () => {
  const x = sl.randn([60, 3], { seed: 1 });
  const a = sl.checkMetricAxioms('sqeuclidean', x, { maxTriples: 5000, seed: 3 });
  const b = sl.checkMetricAxioms('sqeuclidean', x, { maxTriples: 5000, seed: 3 });
  assert.is(a.triplesChecked, 5000);
  assert.equal(a.triangle, b.triangle);
  assert.ok(!a.triangle.holds);
  assert.ok(sl.checkMetricAxioms('euclidean', x, { maxTriples: 5000 }).triangle.holds);
});

test('errors: similarities, unknown names, bad samples', () => {
  assert.throws(() => sl.checkMetricAxioms(new sl.distances.CosineSimilarity(), samples), /checkMetricAxioms: CosineSimilarity is a similarity/);
  assert.throws(() => sl.checkMetricAxioms('dot', samples), /checkMetricAxioms: DotProductSimilarity is a similarity/);
  assert.throws(() => sl.checkMetricAxioms('chebyshev' as any, samples), /checkMetricAxioms: unknown metric "chebyshev"/);
  assert.throws(() => sl.checkMetricAxioms('euclidean', sl.tensor([1, 2, 3])), /checkMetricAxioms: samples must be 2-D/);
  assert.throws(() => sl.checkMetricAxioms('euclidean', sl.tensor([[1, Infinity]])), /samples has a non-finite value/);
});

test.run();
