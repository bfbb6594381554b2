import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { cdistRef, pairedRef, worstRatio, type RefMetric } from '../ref/distance';

await sl.init();

const METRICS: RefMetric[] = ['euclidean', 'sqeuclidean', 'manhattan', 'cosine', 'dot', { p: 3 }, { p: 1.5 }];
const DIMS = [1, 3, 5, 17, 33, 130];
const SIZES: [number, number][] = [[1, 1], [7, 33], [33, 7], [1, 7]];
const name = (m: RefMetric) => (typeof m === 'string' ? m : `p=${m.p}`);

/** Values within atol·(1 + max|ref|) + rtol·|ref|: float32 error scales with the magnitudes. */
function close(got: ArrayLike<number>, ref: ArrayLike<number>, rtol: number, what: string): void {
  let scale = 1;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  const { ratio, index } = worstRatio(got, ref, rtol * scale, rtol);
  assert.ok(ratio <= 1, `${what}: element ${index}: ${got[index]} vs ${ref[index]}`);
}

test('cdist matches the float64 reference for every metric, d and size', () => {
  let seed = 1;
  for (const metric of METRICS)
    for (const d of DIMS)
      for (const [n, m] of SIZES)
        sl.tidy(() => {
          const x = sl.randn([n, d], { seed: seed++ });
          const y = sl.randn([m, d], { seed: seed++ });
          const got = sl.cdist(x, y, metric as sl.Metric);
          assert.equal(got.shape, [n, m]);
          close(got.data(), cdistRef(x.data(), y.data(), n, m, d, metric), 2e-5, `${name(metric)} n=${n} m=${m} d=${d}`);
        });
});

test('pairedDistance matches the float64 reference for every metric, d and size', () => {
  let seed = 500;
  for (const metric of METRICS)
    for (const d of DIMS)
      for (const n of [1, 7, 33])
        sl.tidy(() => {
          const x = sl.randn([n, d], { seed: seed++ });
          const y = sl.randn([n, d], { seed: seed++ });
          const got = sl.pairedDistance(x, y, metric as sl.Metric);
          assert.equal(got.shape, [n]);
          close(got.data(), pairedRef(x.data(), y.data(), n, d, metric), 2e-5, `${name(metric)} n=${n} d=${d}`);
        });
});

test('identical points: exactly 0 for every distance, no NaN; the diagonal of cdist(x, x)', () => {
  for (const d of [1, 5, 33, 130])
    sl.tidy(() => {
      // Far from the origin, so ‖x‖² + ‖y‖² − 2x·y alone would cancel to rounding noise.
      const x = sl.randn([9, d], { seed: d }).add(100);
      for (const metric of ['euclidean', 'sqeuclidean', 'manhattan', { p: 3 }] as sl.Metric[]) {
        const D = sl.cdist(x, x, metric).toArray() as number[][];
        for (let i = 0; i < 9; i++) assert.is(D[i][i], 0, `${JSON.stringify(metric)} d=${d} diag ${i}`);
        const P = sl.pairedDistance(x, x, metric).data();
        assert.ok(P.every((v) => v === 0), `${JSON.stringify(metric)} paired`);
      }
      const C = sl.cdist(x, x, 'cosine').data();
      for (let i = 0; i < 9; i++) assert.ok(Math.abs(C[i * 10]) < 1e-6, `cosine self-distance ${C[i * 10]}`);
    });
});

test('near-identical points: squared Euclidean keeps its relative accuracy, never negative', () => {
  const d = 64, n = 20;
  const a = sl.randn([1, d], { seed: 3 }).data(), b = sl.randn([1, d], { seed: 5 }).data();
  const noise = sl.randn([n, d], { seed: 4 }).data();
  const xs = new Float32Array(n * d);
  // Two tight clusters ~1000 apart (centring cannot remove that spread), points 1e-3..1e-1
  // apart within a cluster: the expansion's rounding (~1e-1) exceeds those distances.
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) xs[i * d + k] = (i % 2 ? a[k] : b[k]) * 100 + noise[i * d + k] * 10 ** (-3 + (i % 3));
  const x = sl.tensor(xs, [n, d]);
  for (const y of [x, x.add(0)]) {
    const got = sl.cdist(x, y, 'sqeuclidean').data();
    const ref = cdistRef(x.data(), y.data(), n, n, d, 'sqeuclidean');
    for (let i = 0; i < got.length; i++) {
      assert.ok(got[i] >= 0, `negative ${got[i]}`);
      assert.ok(Math.abs(got[i] - ref[i]) <= 1e-4 * ref[i] + 1e-12, `entry ${i}: ${got[i]} vs ${ref[i]}`);
    }
  }
  const e = sl.cdist(x, x, 'euclidean').data();
  assert.ok(e.every((v) => Number.isFinite(v) && v >= 0));
  // Un-centred data (an offset of 1000 on every coordinate) is as accurate as centred data.
  const far = x.add(1000);
  const got = sl.cdist(far, x.add(1000), 'euclidean').data();
  const ref = cdistRef(far.data(), far.data(), n, n, d, 'euclidean');
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - ref[i]) <= 1e-4 * ref[i] + 1e-3, `offset entry ${i}: ${got[i]} vs ${ref[i]}`);
});

test('cdist(x, x), squared and not: bitwise cdist(x, a copy of x) (upper triangle and its mirror), odd sizes, identical rows', () => {
  for (const n of [1, 3, 5, 17, 33, 257])
    for (const d of [3, 33])
      sl.tidy(() => {
        const xs = sl.randn([n, d], { seed: n + d }).add(2).data();
        if (n > 4) xs.copyWithin(4 * d, 0, d); // rows 0 and 4 identical
        const x = sl.tensor(xs, [n, d]), copy = sl.tensor(xs, [n, d]);
        for (const metric of ['sqeuclidean', 'euclidean'] as const) {
          const self = sl.cdist(x, x, metric).data(), other = sl.cdist(x, copy, metric).data();
          assert.equal(Array.from(self), Array.from(other), `${metric} n ${n} d ${d}`);
          const ref = cdistRef(xs, xs, n, n, d, metric);
          for (let i = 0; i < self.length; i++) assert.ok(Math.abs(self[i] - ref[i]) <= 1e-4 * ref[i] + 1e-4, `${metric} n ${n} d ${d} entry ${i}: ${self[i]} vs ${ref[i]}`);
        }
      });
});

test('zero vectors and a single row', () => {
  const z = sl.zeros([3, 5]);
  const y = sl.tensor([[1, 2, 2, 0, 0]]);
  assert.equal(Array.from(sl.cdist(z, y, 'euclidean').data()), [3, 3, 3]);
  assert.equal(Array.from(sl.cdist(z, y, 'manhattan').data()), [5, 5, 5]);
  // F.normalize maps a zero vector to zero: cosine similarity 0, distance 1.
  assert.equal(Array.from(sl.cosineSimilarity(z, y).data()), [0, 0, 0]);
  assert.equal(Array.from(sl.cdist(z, y, 'cosine').data()), [1, 1, 1]);
  assert.equal(Array.from(sl.cdist(z, z, 'sqeuclidean').data()), new Array(9).fill(0));
  assert.equal(sl.cdist(y, y, 'dot').toArray(), [[9]]);
});

test('gradcheck: cdist and pairedDistance for every metric, in x and y', () => {
  let seed = 900;
  for (const metric of METRICS)
    for (const [n, m, d] of [[3, 4, 5], [1, 2, 9]]) {
      const x = sl.randn([n, d], { seed: seed++ });
      const y = sl.randn([m, d], { seed: seed++ });
      gradcheck((a, b) => sl.cdist(a, b, metric as sl.Metric), [x, y]);
      const y2 = sl.randn([n, d], { seed: seed++ });
      gradcheck((a, b) => sl.pairedDistance(a, b, metric as sl.Metric), [x, y2]);
      // The same tensor on both sides: the two gradient paths accumulate. (Quadratic and
      // piecewise-linear forms: a larger step costs no truncation error and cuts float32 noise.)
      if (metric !== 'euclidean' && metric !== 'cosine' && typeof metric === 'string') gradcheck((a) => sl.cdist(a, a, metric as sl.Metric), [x], { eps: 1e-2 });
    }
});

test('gradient conventions at the kinks follow torch.cdist', () => {
  // Euclidean at zero distance: 0 (not NaN). x = [[1, 2], [1, 2]] against itself.
  const x = sl.tensor([[1, 2], [1, 2], [4, 6]], undefined, { requiresGrad: true });
  sl.cdist(x, x, 'euclidean').sum().backward();
  // Rows 0 and 1 coincide: only row 2 pulls them, 2·(x_i − x_2)/5 (both directions of the pair).
  const g = x.grad!.toArray() as number[][];
  assert.ok(Math.abs(g[0][0] - -1.2) < 1e-6 && Math.abs(g[0][1] - -1.6) < 1e-6, JSON.stringify(g));
  assert.ok(Math.abs(g[2][0] - 2.4) < 1e-6 && Math.abs(g[2][1] - 3.2) < 1e-6, JSON.stringify(g));
  // Manhattan: sign(0) = 0 on equal coordinates.
  const a = sl.tensor([[1, 5]], undefined, { requiresGrad: true });
  const b = sl.tensor([[1, 2]], undefined, { requiresGrad: true });
  sl.cdist(a, b, 'manhattan').sum().backward();
  assert.equal(Array.from(a.grad!.data()), [0, 1]);
  assert.equal(Array.from(b.grad!.data()), [0, -1]);
  sl.pairedDistance(a, b, 'euclidean').sum().backward();
  assert.equal(Array.from(a.grad!.data()), [0, 2]);
});

test('errors: shapes, unknown metric, p < 1, non-finite values; nothing computed', () => {
  const x = sl.randn([4, 3], { seed: 1 });
  assert.throws(() => sl.cdist(x, sl.randn([5, 2], { seed: 2 })), /cdist: x is \[4, 3\] but y is \[5, 2\]: last dimensions must match/);
  assert.throws(() => sl.pairedDistance(x, sl.randn([5, 3], { seed: 2 })), /pairedDistance: x is \[4, 3\] but y is \[5, 3\]: paired distances need the same number of rows/);
  assert.throws(() => sl.cdist(x, x, 'cityblock' as any), /cdist: unknown metric "cityblock"/);
  assert.throws(() => sl.cdist(x, x, new sl.nn.ReLU() as any), /cdist: unknown metric ReLU/, 'an object is named by its stated type name');
  assert.throws(() => sl.cdist(x, 'euclidean' as any, 'euclidean'), /cdist: y must be a Tensor, got string euclidean/);
  assert.throws(() => sl.cdist(x, x, { p: 0.5 }), /cdist: metric \{ p \} needs a finite p >= 1, got 0.5/);
  assert.throws(() => new sl.distances.LpDistance({ p: 0 }), /LpDistance: p must be a finite number >= 1/);
  assert.throws(() => sl.cdist(sl.randn([3], { seed: 3 }), x), /cdist: x must be 2-D \[rows, dim\], got \[3\]/);
  const bad = sl.tensor([[1, 2, 3], [4, Infinity, 6]]);
  assert.throws(() => sl.cdist(x, bad), /cdist: y has a non-finite value \(Infinity\) at \[1, 1\] of \[2, 3\]/);
  assert.throws(() => sl.pairedDistance(sl.tensor([[NaN, 0, 0]]), sl.zeros([1, 3])), /pairedDistance: x has a non-finite value \(NaN\) at \[0, 0\]/);
  const d = sl.randn([2, 3], { seed: 4 });
  d.dispose();
  assert.throws(() => sl.cdist(x, d), /disposed/);
});

test.run();
