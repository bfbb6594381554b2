import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { cholesky } from '../../src/ops/linalg';
import { gradcheck } from '../helpers/gradcheck';
import { cdistRef, covarianceRef, invertRef, mahalanobisRef, pairedRef, worstRatio } from '../ref/distance';

await sl.init();
const { Mahalanobis, LearnedMahalanobis } = sl.distances;

function close(got: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string): void {
  let scale = 1;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  const { ratio, index } = worstRatio(got, ref, tol * scale, tol);
  assert.ok(ratio <= 1, `${what}: element ${index}: ${got[index]} vs ${ref[index]}`);
}

/** A seeded SPD matrix AᵀA/d + I. */
function spd(d: number, seed: number): sl.Tensor {
  const a = sl.randn([d, d], { seed }).data();
  const m = new Float32Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < d; k++) s += (a[k * d + i] * a[k * d + j]) / d;
      m[i * d + j] = m[j * d + i] = s;
    }
  return sl.tensor(m, [d, d]);
}

test('Mahalanobis pairwise and paired match the float64 reference', () => {
  let seed = 1;
  for (const d of [1, 3, 5, 17, 33])
    for (const [n, m] of [[1, 1], [7, 33], [33, 7]])
      sl.tidy(() => {
        const M = spd(d, seed++);
        const x = sl.randn([n, d], { seed: seed++ }), y = sl.randn([m, d], { seed: seed++ }), y2 = sl.randn([n, d], { seed: seed++ });
        const dist = new Mahalanobis({ M });
        const ref = mahalanobisRef(x.data(), y.data(), M.data(), n, m, d);
        close(dist.pairwise(x, y).data(), ref, 2e-5, `pairwise d=${d} n=${n} m=${m}`);
        close(new Mahalanobis({ M, squared: false }).pairwise(x, y).data(), ref.map(Math.sqrt), 2e-5, `root d=${d}`);
        const pref = Array.from({ length: n }, (_, i) => mahalanobisRef(x.data().subarray(i * d), y2.data().subarray(i * d), M.data(), 1, 1, d)[0]);
        close(dist.paired(x, y2).data(), pref, 2e-5, `paired d=${d} n=${n}`);
      });
});

test('M = I equals squared Euclidean; identical points give exactly 0', () => {
  const d = 9;
  const I = sl.tensor(Float32Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)), [d, d]);
  const x = sl.randn([6, d], { seed: 5 }), y = sl.randn([4, d], { seed: 6 });
  close(new Mahalanobis({ M: I }).pairwise(x, y).data(), cdistRef(x.data(), y.data(), 6, 4, d, 'sqeuclidean'), 1e-5, 'M = I');
  close(new Mahalanobis({ M: I }).paired(x, x).data(), new Float64Array(6), 1e-7, 'paired self');
  const far = x.add(500);
  const D = new Mahalanobis({ M: spd(d, 7) }).pairwise(far, far).data();
  for (let i = 0; i < 6; i++) assert.is(D[i * 7], 0, `diagonal ${i}`);
});

test('gradcheck: Mahalanobis in x, y and M (pairwise, paired, squared and root)', () => {
  for (const squared of [true, false]) {
    const x = sl.randn([4, 5], { seed: 31 }), y = sl.randn([3, 5], { seed: 32 }), y2 = sl.randn([4, 5], { seed: 33 });
    const M = spd(5, 34);
    // A finite difference on one entry would make M asymmetric: differentiate through
    // M = (S + Sᵀ)/2 instead, whose gradient in S is (G + Gᵀ)/2 = G for the symmetric G.
    const sym = (s: sl.Tensor) => s.add(s.transpose()).mul(0.5);
    gradcheck((a, b, s) => new Mahalanobis({ M: sym(s), squared }).pairwise(a, b), [x, y, M], { atol: 2e-3 });
    gradcheck((a, b, s) => new Mahalanobis({ M: sym(s), squared }).paired(a, b), [x, y2, M], { atol: 2e-3 });
  }
});

test('a leaf M gets Σ g_ij v_ij v_ijᵀ (v = x_i − y_j), pairwise and paired', () => {
  const d = 4, n = 3, m = 5;
  const x = sl.randn([n, d], { seed: 51 }), y = sl.randn([m, d], { seed: 52 }), y2 = sl.randn([n, d], { seed: 53 });
  const M = spd(d, 54).requiresGrad_();
  const g = sl.randn([n, m], { seed: 55 });
  new Mahalanobis({ M }).pairwise(x, y).backward(g);
  const ref = new Float64Array(d * d);
  const xd = x.data(), yd = y.data(), gd = g.data();
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++)
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) ref[a * d + b] += gd[i * m + j] * (xd[i * d + a] - yd[j * d + a]) * (xd[i * d + b] - yd[j * d + b]);
  close(M.grad!.data(), ref, 1e-5, 'pairwise dM');
  // Accumulates: the paired gradient adds onto the pairwise one.
  const gp = sl.randn([n], { seed: 56 });
  new Mahalanobis({ M }).paired(x, y2).backward(gp);
  const y2d = y2.data(), gpd = gp.data();
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) ref[a * d + b] += gpd[i] * (xd[i * d + a] - y2d[i * d + a]) * (xd[i * d + b] - y2d[i * d + b]);
  close(M.grad!.data(), ref, 1e-5, 'accumulated dM');
});

test('Mahalanobis rejects non-square, non-symmetric, mismatched and non-finite M', () => {
  assert.throws(() => new Mahalanobis({ M: sl.zeros([2, 3]) }), /Mahalanobis: M must be square, got \[2, 3\]/);
  assert.throws(() => new Mahalanobis({ M: sl.tensor([[1, 2], [0, 1]]) }), /Mahalanobis: M must be symmetric: M\[0, 1\] = 2 but M\[1, 0\] = 0/);
  assert.throws(() => new Mahalanobis({ M: sl.tensor([[1, NaN], [NaN, 1]]) }), /Mahalanobis: M has a non-finite value/);
  assert.throws(() => new Mahalanobis({} as any), /Mahalanobis: M must be a Tensor/);
  const dist = new Mahalanobis({ M: spd(3, 1) });
  assert.throws(() => dist.pairwise(sl.zeros([2, 4]), sl.zeros([2, 4])), /Mahalanobis.pairwise: inputs have dimension 4 but M is \[3, 3\]/);
});

test('fromData: the inverse of a known covariance, and of a sample covariance', () => {
  // Mean 0, unbiased covariance diag(2/3, 8/3): M = diag(1.5, 0.375).
  const X = sl.tensor([[1, 0], [-1, 0], [0, 2], [0, -2]]);
  // Made inside tidy(): the metric keeps its M.
  const known = sl.tidy(() => Mahalanobis.fromData(X));
  close(known.M.data(), [1.5, 0, 0, 0.375], 1e-6, 'known');
  close(known.pairwise(X, sl.zeros([1, 2])).data(), [1.5, 1.5, 1.5, 1.5], 1e-6, 'x·M·x');
  // Correlated data: compare with a float64 inverse of the float64 sample covariance.
  const n = 200, d = 5;
  const z = sl.randn([n, d], { seed: 9 }).data();
  const xs = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) xs[i * d + k] = z[i * d + k] * (k + 1) + (k > 0 ? 0.8 * z[i * d + k - 1] : 0) + 3;
  const ref = invertRef(covarianceRef(xs, n, d), d);
  close(Mahalanobis.fromData(sl.tensor(xs, [n, d])).M.data(), ref, 1e-4, 'sample');
  const ridge = covarianceRef(xs, n, d).map((v, i) => (i % (d + 1) === 0 ? v + 0.5 : v));
  close(Mahalanobis.fromData(sl.tensor(xs, [n, d]), { ridge: 0.5 }).M.data(), invertRef(ridge, d), 1e-4, 'ridge');
});

test('fromData: singular covariance is an error suggesting a ridge; the ridge fixes it', () => {
  // Feature 2 = 2 × feature 0 + feature 1: exactly collinear.
  const rows = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(3 * i), 2 * Math.sin(i) + Math.cos(3 * i)]);
  const X = sl.tensor(rows);
  assert.throws(() => Mahalanobis.fromData(X), /Mahalanobis.fromData: the covariance of X \[20, 3\] is singular: feature 2 .*Pass \{ ridge \}/);
  assert.throws(() => Mahalanobis.fromData(sl.randn([3, 5], { seed: 1 })), /singular \(n = 3 samples cannot span d = 5 dimensions\)/);
  assert.throws(() => Mahalanobis.fromData(sl.tensor([[1, 2], [1, 3]])), /feature 0/);
  const M = Mahalanobis.fromData(X, { ridge: 1e-2 }).M.data();
  assert.ok(M.every(Number.isFinite));
  assert.throws(() => Mahalanobis.fromData(sl.zeros([1, 2])), /at least 2 rows/);
  assert.throws(() => Mahalanobis.fromData(X, { ridge: -1 }), /ridge must be a finite number >= 0/);
});

test('Cholesky reproduces an SPD matrix: lower triangular, L·Lᵀ = A', () => {
  for (const d of [1, 3, 5, 17]) {
    const A = spd(d, 40 + d);
    const L = cholesky(A) as sl.Tensor;
    const l = L.data(), a = A.data();
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) assert.is(l[i * d + j], 0);
    const llt = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) llt[i * d + j] += l[i * d + k] * l[j * d + k];
    close(llt, a, 1e-6, `d=${d}`);
  }
  assert.is(cholesky(sl.tensor([[1, 2], [2, 1]])), 1);
});

test('LearnedMahalanobis: identity start, M = LᵀL, gradients to L, state dict', () => {
  const dim = 6;
  const lm = new LearnedMahalanobis(dim);
  assert.equal(lm.L.shape, [dim, dim]);
  assert.is(lm.parameters()[0], lm.L);
  assert.ok(lm.L.requiresGrad);
  const x = sl.randn([5, dim], { seed: 1 }), y = sl.randn([4, dim], { seed: 2 });
  close(lm.pairwise(x, y).data(), cdistRef(x.data(), y.data(), 5, 4, dim, 'sqeuclidean'), 1e-5, 'identity');
  const L = sl.randn([3, dim], { seed: 3 });
  const low = new LearnedMahalanobis(dim, { rank: 3 });
  low.loadStateDict({ L });
  assert.equal(Array.from(low.stateDict().L.data()), Array.from(L.data()));
  const viaM = new Mahalanobis({ M: sl.noGrad(() => low.M) }).pairwise(x, y).data();
  close(low.pairwise(x, y).data(), viaM, 1e-5, 'M = LᵀL');
  close(new LearnedMahalanobis(dim, { rank: 3, squared: false }).pairwise(x, y).data(),
    cdistRef(x.data().slice(0, 5 * dim), y.data(), 5, 4, dim, 'sqeuclidean').map(() => 0).map((_, i) => {
      const r = Math.floor(i / 4), c = i % 4;
      let s = 0;
      for (let k = 0; k < 3; k++) s += (x.data()[r * dim + k] - y.data()[c * dim + k]) ** 2;
      return Math.sqrt(s);
    }), 1e-5, 'rank 3 eye start, root');
  const y2 = sl.randn([5, dim], { seed: 4 });
  // gradcheck perturbs the parameter in place and reads its .grad.
  gradcheck(() => low.pairwise(x, y), [low.L]);
  const root = new LearnedMahalanobis(dim, { rank: 4, squared: false });
  root.loadStateDict({ L: sl.randn([4, dim], { seed: 6 }) });
  gradcheck(() => root.pairwise(x, y), [root.L]);
  gradcheck((a, b) => root.paired(a, b), [x, sl.randn([5, dim], { seed: 7 }), root.L]);
  // Gradients reach the parameter itself.
  low.L.grad = null;
  low.paired(x, y2).sum().backward();
  const g = low.L.grad!.data();
  const Ld = low.L.data(), xd = x.data(), yd = y2.data();
  const ref = new Float64Array(3 * dim);
  for (let i = 0; i < 5; i++) {
    const v = Array.from({ length: dim }, (_, k) => xd[i * dim + k] - yd[i * dim + k]);
    for (let r = 0; r < 3; r++) {
      let lv = 0;
      for (let k = 0; k < dim; k++) lv += Ld[r * dim + k] * v[k];
      for (let k = 0; k < dim; k++) ref[r * dim + k] += 2 * lv * v[k];
    }
  }
  close(g, ref, 1e-4, 'dL');
  assert.throws(() => low.loadStateDict({ L: sl.zeros([2, dim]) }), /LearnedMahalanobis.loadStateDict: L is \[2, 6\] but this metric has L \[3, 6\]/);
  assert.throws(() => low.loadStateDict({ W: L } as any), /missing key 'L'/);
  assert.throws(() => new LearnedMahalanobis(4, { rank: 5 }), /rank must be an integer in \[1, 4\]/);
  assert.throws(() => low.pairwise(sl.zeros([2, 5]), sl.zeros([2, 5])), /inputs have dimension 5 but this LearnedMahalanobis has dim 6/);
});

test.run();
