// Public API contract, distances: sl.cdist / sl.pairedDistance with every metric form,
// sl.cosineSimilarity, the distance objects and their defaults, Mahalanobis (given, from
// data, learned) and sl.checkMetricAxioms. References: PyTorch (torch.cdist, F.normalize,
// torch.cov / torch.inverse) from test/fixtures/gen_contract.py, and float64 JS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as SL from '../../src/index';
import { sl, TOL, f32, fixture, gradOf, near, thrown } from './helpers';

await sl.init();

const fx = fixture.distances;
const X = () => f32(fx.x, fx.xShape);
const Y = () => f32(fx.y, fx.yShape);
const [n, d] = fx.xShape as number[];
const m = fx.yShape[0] as number;
const row = (v: number[], i: number) => v.slice(i * d, (i + 1) * d);
const diff = (a: number[], b: number[]) => a.map((v, i) => v - b[i]);

/** Float64 row-wise distances of rows (i, i) of a and b. */
function pairedRef(a: number[], b: number[], rows: number, metric: string | { p: number }): number[] {
  return Array.from({ length: rows }, (_, i) => {
    const x = row(a, i), y = row(b, i);
    const dot = x.reduce((s, v, k) => s + v * y[k], 0);
    const nx = Math.hypot(...x), ny = Math.hypot(...y);
    const p = typeof metric === 'object' ? metric.p : metric === 'manhattan' ? 1 : 2;
    const lp = diff(x, y).reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
    switch (metric) {
      case 'sqeuclidean': return lp * lp;
      case 'cosine': return 1 - dot / (nx * ny);
      case 'dot': return dot;
      default: return lp;
    }
  });
}

test('cdist(x, y, metric) [n, m] for every metric name, { p } and a distance object (torch.cdist)', () => {
  for (const name of ['euclidean', 'sqeuclidean', 'manhattan', 'cosine', 'dot'] as const) {
    const D = sl.cdist(X(), Y(), name);
    assert.equal(D.shape, [n, m]);
    near(D, fx[name], { atol: 1e-5, rtol: 1e-5 }, `cdist ${name}`);
  }
  near(sl.cdist(X(), Y(), { p: 3 }), fx.p3, TOL, 'cdist { p: 3 }');
  near(sl.cdist(X(), Y(), new sl.distances.LpDistance()), fx.lpDefault, TOL, 'cdist LpDistance()');
  near(sl.cosineSimilarity(X(), Y()), fx.cosineSimilarity, TOL, 'cosineSimilarity');
  assert.equal(sl.cosineSimilarity(X(), Y()).shape, [n, m]);
});

test('pairedDistance(x, y, metric) [n]: row i against row i, every metric form', () => {
  const xv: number[] = fx.x;
  const yv = Array.from({ length: n }, (_, i) => row(xv, n - 1 - i)).flat().map((v, i) => Math.fround(v + 0.25 * ((i % 3) - 1)));
  for (const metric of ['euclidean', 'sqeuclidean', 'manhattan', 'cosine', 'dot', { p: 3 }] as const) {
    const P = sl.pairedDistance(X(), f32(yv, [n, d]), metric);
    assert.equal(P.shape, [n]);
    near(P, pairedRef(xv, yv, n, metric), TOL, `pairedDistance ${JSON.stringify(metric)}`);
  }
  const lp = new sl.distances.LpDistance({ normalizeEmbeddings: false });
  near(sl.pairedDistance(X(), f32(yv, [n, d]), lp), pairedRef(xv, yv, n, 'euclidean'), TOL, 'pairedDistance object');
});

test('cdist gradients: a zero distance contributes nothing (torch.cdist), others (x_i − x_j)/d_ij', () => {
  const v = [1, 2, 3, 5, 1, 2, -1, 0.5];
  const x = f32(v, [4, 2], true);
  sl.cdist(x, x, 'euclidean').sum().backward();
  const g = new Array(8).fill(0);
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) {
      const dx = v[i * 2] - v[j * 2], dy = v[i * 2 + 1] - v[j * 2 + 1], dd = Math.hypot(dx, dy);
      // d_ij and d_ji both depend on x_i
      if (dd > 0) { g[i * 2] += (2 * dx) / dd; g[i * 2 + 1] += (2 * dy) / dd; }
    }
  near(gradOf(x), g, TOL, 'd Σ cdist(x, x)');
  const y = f32([1, 2, 3, 5], [2, 2], true);
  sl.pairedDistance(y, y, 'euclidean').sum().backward();
  near(gradOf(y), [0, 0, 0, 0], { atol: 0 }, 'paired at distance 0');
});

test('distance objects: defaults, isInverted, pairwise [n, m] and paired [n]', () => {
  const lp = new sl.distances.LpDistance();
  assert.is(lp.p, 2);
  assert.is(lp.power, 1);
  assert.is(lp.normalizeEmbeddings, true);
  assert.is(lp.isInverted, false);
  near(lp.pairwise(X(), Y()), fx.lpDefault, TOL, 'LpDistance() normalises');
  near(new sl.distances.LpDistance({ p: 1, power: 2 }).pairwise(X(), Y()), fx.lpP1Power2, TOL, 'LpDistance({ p: 1, power: 2 })');
  near(new sl.distances.LpDistance({ normalizeEmbeddings: false }).pairwise(X(), Y()), fx.euclidean, TOL, 'LpDistance raw');
  const first = (v: number[]) => Array.from({ length: Math.min(n, m) }, (_, i) => v[i * m + i]);
  const x4 = f32((fx.x as number[]).slice(0, m * d), [m, d]);
  near(lp.paired(x4, Y()), first(fx.lpDefault), TOL, 'LpDistance.paired = diagonal of pairwise');

  const cos = new sl.distances.CosineSimilarity();
  assert.is(cos.isInverted, true);
  near(cos.pairwise(X(), Y()), fx.cosineSimilarity, TOL, 'CosineSimilarity');
  near(cos.paired(x4, Y()), first(fx.cosineSimilarity), TOL, 'CosineSimilarity.paired');
  const dot = new sl.distances.DotProductSimilarity();
  assert.is(dot.isInverted, true);
  // pytorch-metric-learning's DotProductSimilarity normalises by default
  near(dot.pairwise(X(), Y()), fx.cosineSimilarity, TOL, 'DotProductSimilarity()');
  near(new sl.distances.DotProductSimilarity({ normalizeEmbeddings: false }).pairwise(X(), Y()), fx.dot, TOL, 'raw dot');
});

test('Mahalanobis({ M, squared: true }) and its root; gradients flow to M', () => {
  const M = f32(fx.M, [d, d], true);
  const maha = new sl.distances.Mahalanobis({ M });
  assert.is(maha.squared, true);
  assert.is(maha.isInverted, false);
  near(maha.pairwise(X(), Y()), fx.mahalanobisSquared, { atol: 1e-5, rtol: 1e-5 }, 'squared');
  near(new sl.distances.Mahalanobis({ M, squared: false }).pairwise(X(), Y()), fx.mahalanobisRoot, TOL, 'root');
  near(sl.cdist(X(), Y(), maha), fx.mahalanobisSquared, { atol: 1e-5, rtol: 1e-5 }, 'cdist with a Mahalanobis');
  maha.pairwise(X(), Y()).sum().backward();
  // d/dM Σ_ij (x_i − y_j)ᵀ M (x_i − y_j) = Σ_ij (x_i − y_j)(x_i − y_j)ᵀ
  const g = new Array(d * d).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      const v = diff(row(fx.x, i), row(fx.y, j));
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) g[a * d + b] += v[a] * v[b];
    }
  near(gradOf(M), g, { atol: 1e-5, rtol: 1e-5 }, 'dM');
});

test('Mahalanobis.fromData(X, { ridge }): M = inv(unbiased cov + ridge·I) exposed as .M (torch.cov / inverse)', () => {
  const fit = sl.tidy(() => sl.distances.Mahalanobis.fromData(f32(fx.xFit, [9, d]), { ridge: fx.ridge }));
  assert.ok(fit.M instanceof sl.Tensor);
  assert.equal(fit.M.shape, [d, d]);
  near(fit.M, fx.mFit, { atol: 1e-5, rtol: 1e-5 }, 'M');
  near(fit.pairwise(X(), Y()), fx.fitDistances, { atol: 1e-5, rtol: 1e-5 }, 'distances');
});

test('LearnedMahalanobis(dim, { rank, squared }): parameter L [rank, dim], parameters(), stateDict() { L }, loadStateDict()', () => {
  const lm = new sl.distances.LearnedMahalanobis(d, { rank: 2 });
  assert.equal(lm.L.shape, [2, d]);
  assert.is(lm.squared, true);
  assert.is(lm.isInverted, false);
  assert.equal(lm.parameters(), [lm.L]);
  assert.equal(Object.keys(lm.stateDict()), ['L']);
  assert.is(lm.stateDict().L, lm.L);
  assert.is(lm.L.requiresGrad, true);
  const Lv = [0.5, -1, 2, 1.5, 0.25, -0.75];
  lm.loadStateDict({ L: f32(Lv, [2, d]) });
  near(lm.L, Lv, { atol: 0 }, 'loaded L');
  // ‖L(x − y)‖², and d/dL Σ_ij ‖L v_ij‖² = 2 Σ_ij (L v_ij) v_ijᵀ
  const ref: number[] = [], root: number[] = [], g = new Array(2 * d).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      const v = diff(row(fx.x, i), row(fx.y, j));
      const Lv2 = [0, 1].map((r) => v.reduce((s, vk, k) => s + Lv[r * d + k] * vk, 0));
      ref.push(Lv2[0] ** 2 + Lv2[1] ** 2);
      root.push(Math.hypot(...Lv2));
      for (let r = 0; r < 2; r++) for (let k = 0; k < d; k++) g[r * d + k] += 2 * Lv2[r] * v[k];
    }
  const D = lm.pairwise(X(), Y());
  near(D, ref, { atol: 1e-5, rtol: 1e-5 }, 'squared');
  D.sum().backward();
  near(gradOf(lm.L), g, { atol: 1e-4, rtol: 1e-5 }, 'dL');
  const rootMetric = new sl.distances.LearnedMahalanobis(d, { rank: 2, squared: false });
  rootMetric.loadStateDict(lm.stateDict());
  near(rootMetric.pairwise(X(), Y()), root, TOL, 'squared: false');
  // identity start: the first `rank` rows of I
  near(new sl.distances.LearnedMahalanobis(3, { rank: 2 }).L, [1, 0, 0, 0, 1, 0], { atol: 0 }, 'init');
});

test('checkMetricAxioms(distance, samples, { tol }) -> { nonNegativity, identity, symmetry, triangle: { holds, worst, example } }', () => {
  const x = X();
  const ok = sl.checkMetricAxioms('euclidean', x, { tol: 1e-6 });
  for (const key of ['nonNegativity', 'identity', 'symmetry', 'triangle'] as const) {
    assert.equal(Object.keys(ok[key]).sort(), ['example', 'holds', 'worst'], key);
    assert.is(ok[key].holds, true, key);
  }
  const sq = sl.checkMetricAxioms('sqeuclidean', x);
  assert.is(sq.nonNegativity.holds, true);
  assert.is(sq.symmetry.holds, true);
  assert.is(sq.triangle.holds, false);
  // worst = max over (i, j, k) of d(i, k) − d(i, j) − d(j, k), squared Euclidean in float64
  const sqd = (i: number, j: number) => diff(row(fx.x, i), row(fx.x, j)).reduce((s, v) => s + v * v, 0);
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) worst = Math.max(worst, sqd(i, k) - sqd(i, j) - sqd(j, k));
  near([sq.triangle.worst], [worst], TOL, 'triangle.worst');
  const [i, j, k] = sq.triangle.example!.indices;
  near(sq.triangle.example!.distances, [sqd(i, j), sqd(j, k), sqd(i, k)], TOL, 'triangle.example');
  near([sqd(i, k) - sqd(i, j) - sqd(j, k)], [worst], TOL, 'the example is the worst triple');
  // a distance object works too
  assert.is(sl.checkMetricAxioms(new sl.distances.Mahalanobis({ M: f32(fx.M, [d, d]), squared: false }), x).triangle.holds, true);
});

test('errors: an unknown metric name has its own message; dimension mismatches name both shapes', () => {
  assert.match(thrown(() => sl.cdist(X(), Y(), 'cosin' as any)), /cdist: unknown metric "cosin"/);
  assert.match(thrown(() => sl.pairedDistance(X(), X(), 'l2' as any)), /pairedDistance: unknown metric "l2"/);
  assert.match(thrown(() => sl.pairedDistance(X(), Y(), 'euclidean')), /pairedDistance: .*\[5, 3\].*\[4, 3\]/);
  assert.match(thrown(() => new sl.distances.Mahalanobis({ M: f32(fx.M, [d, d]) }).pairwise(f32([1, 2], [1, 2]), f32([1, 2], [1, 2]))), /\[1, 2\].*\[3, 3\]|\[3, 3\].*\[1, 2\]|dimension 2.*\[3, 3\]/);
});

test.run();
