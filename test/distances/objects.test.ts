import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { cdistRef, normalizeRef, pairedRef, worstRatio } from '../ref/distance';

await sl.init();
const { LpDistance, CosineSimilarity, DotProductSimilarity } = sl.distances;

function close(got: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string): void {
  const { ratio, index } = worstRatio(got, ref, tol, tol);
  assert.ok(ratio <= 1, `${what}: element ${index}: ${got[index]} vs ${ref[index]}`);
}

const n = 7, m = 5, d = 17;
const X = sl.randn([n, d], { seed: 11 });
const Y = sl.randn([m, d], { seed: 12 });
const Yp = sl.randn([n, d], { seed: 13 });

test('LpDistance defaults: p 2, power 1, normalised embeddings (pytorch-metric-learning)', () => {
  const dist = new LpDistance();
  assert.is(dist.p, 2);
  assert.is(dist.power, 1);
  assert.is(dist.normalizeEmbeddings, true);
  assert.is(dist.isInverted, false);
  const ref = cdistRef(normalizeRef(X.data(), n, d), normalizeRef(Y.data(), m, d), n, m, d, 'euclidean');
  close(dist.pairwise(X, Y).data(), ref, 1e-5, 'pairwise');
  close(dist.paired(X, Yp).data(), pairedRef(normalizeRef(X.data(), n, d), normalizeRef(Yp.data(), n, d), n, d, 'euclidean'), 1e-5, 'paired');
  // pairwise(x) compares x with itself.
  close(dist.pairwise(X).data(), cdistRef(normalizeRef(X.data(), n, d), normalizeRef(X.data(), n, d), n, n, d, 'euclidean'), 1e-5, 'self');
});

test('LpDistance p, power, no normalisation; p ≠ 2 normalises with the L_p norm', () => {
  const sq = new LpDistance({ power: 2, normalizeEmbeddings: false });
  close(sq.pairwise(X, Y).data(), cdistRef(X.data(), Y.data(), n, m, d, 'sqeuclidean'), 2e-5, 'squared');
  const l1 = new LpDistance({ p: 1, power: 0.5, normalizeEmbeddings: false });
  close(l1.pairwise(X, Y).data(), cdistRef(X.data(), Y.data(), n, m, d, 'manhattan').map(Math.sqrt), 2e-5, 'p=1 power 0.5');
  const l3 = new LpDistance({ p: 3 });
  const ref = cdistRef(normalizeRef(X.data(), n, d, 3), normalizeRef(Y.data(), m, d, 3), n, m, d, { p: 3 });
  close(l3.pairwise(X, Y).data(), ref, 2e-5, 'p=3 normalised');
  close(l3.paired(X, Yp).data(), pairedRef(normalizeRef(X.data(), n, d, 3), normalizeRef(Yp.data(), n, d, 3), n, d, { p: 3 }), 2e-5, 'p=3 paired');
});

test('CosineSimilarity and DotProductSimilarity are similarities; Dot normalises by default', () => {
  const cos = new CosineSimilarity();
  assert.is(cos.isInverted, true);
  const cosRef = cdistRef(X.data(), Y.data(), n, m, d, 'cosine').map((v) => 1 - v);
  close(cos.pairwise(X, Y).data(), cosRef, 1e-5, 'cosine');
  close(sl.cosineSimilarity(X, Y).data(), cosRef, 1e-5, 'sl.cosineSimilarity');
  const dotN = new DotProductSimilarity();
  assert.is(dotN.isInverted, true);
  close(dotN.pairwise(X, Y).data(), cosRef, 1e-5, 'normalised dot');
  const dot = new DotProductSimilarity({ normalizeEmbeddings: false });
  close(dot.pairwise(X, Y).data(), cdistRef(X.data(), Y.data(), n, m, d, 'dot'), 1e-5, 'dot');
  close(dot.paired(X, Yp).data(), pairedRef(X.data(), Yp.data(), n, d, 'dot'), 1e-5, 'paired dot');
  assert.throws(() => new CosineSimilarity({ normalizeEmbeddings: false } as any), /CosineSimilarity: normalizeEmbeddings must be true/);
});

test('paired equals the diagonal of pairwise for every distance object', () => {
  for (const dist of [new LpDistance(), new LpDistance({ p: 1, power: 2 }), new CosineSimilarity(), new DotProductSimilarity({ normalizeEmbeddings: false, power: 3 })]) {
    const P = dist.pairwise(X, Yp).data();
    const diag = Array.from({ length: n }, (_, i) => P[i * n + i]);
    close(dist.paired(X, Yp).data(), diag, 1e-5, `${dist.name} diag`);
  }
});

test('margin, moreSimilar, smallestDist/largestDist follow isInverted', () => {
  const dist = new LpDistance(), sim = new CosineSimilarity();
  assert.is(dist.margin(3, 1), 2);
  assert.is(sim.margin(3, 1), -2);
  const a = sl.tensor([1, 4]), b = sl.tensor([2, 2]);
  assert.equal(Array.from((dist.margin(a, b) as sl.Tensor).data()), [-1, 2]);
  assert.equal(Array.from((sim.margin(a, b) as sl.Tensor).data()), [1, -2]);
  assert.equal(Array.from((sim.margin(1, b) as sl.Tensor).data()), [1, 1]);
  assert.ok(dist.moreSimilar(1, 2) && sim.moreSimilar(2, 1));
  assert.is(dist.smallestDist([3, 1, 2]), 1);
  assert.is(sim.smallestDist([3, 1, 2]), 3);
  assert.is(dist.largestDist([3, 1, 2]), 3);
  assert.is(sim.largestDist([3, 1, 2]), 1);
});

test('gradcheck through normalisation and power', () => {
  const x = sl.randn([4, 5], { seed: 21 }), y = sl.randn([3, 5], { seed: 22 }), y2 = sl.randn([4, 5], { seed: 23 });
  for (const dist of [new LpDistance(), new LpDistance({ p: 3, power: 2 }), new LpDistance({ p: 1 }), new CosineSimilarity({ power: 2 }), new DotProductSimilarity()]) {
    gradcheck((a, b) => dist.pairwise(a, b), [x, y]);
    gradcheck((a, b) => dist.paired(a, b), [x, y2]);
  }
});

test('errors name the distance object', () => {
  assert.throws(() => new LpDistance().pairwise(X, sl.randn([2, 3], { seed: 1 })), /LpDistance.pairwise: x is \[7, 17\] but y is \[2, 3\]/);
  assert.throws(() => new CosineSimilarity().paired(X, Y), /CosineSimilarity.paired: x is \[7, 17\] but y is \[5, 17\]/);
  assert.throws(() => new LpDistance({ power: NaN }), /LpDistance: option power must be a finite number/);
});

test.run();
