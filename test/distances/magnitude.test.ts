// Distances at extreme magnitudes: every finite input whose distance is representable in
// float32 gets it (squares that would overflow or flush to zero are avoided), and a result
// beyond float32 is a clear error naming the function, never a silent NaN or Infinity.
// References: float64 (test/ref/distance.ts); gradients through the exact identity
// ∇f(s·x) = s^(k−1)·∇f(x) for a metric homogeneous of degree k and a power-of-two s,
// against the ordinary-magnitude gradient that functions.test.ts gradchecks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { cdistRef, mahalanobisRef, pairedRef, type RefMetric } from '../ref/distance';

await sl.init();

const FLT_MAX = 3.4028234663852886e38;
const METRICS: RefMetric[] = ['euclidean', 'sqeuclidean', 'manhattan', { p: 3 }, { p: 1.5 }, 'cosine', 'dot'];
const MAGNITUDES = [1e-30, 1e-25, 1e-20, 1e19, 1e20, 1e25, 1e30, 3e37];
const SHAPES: [number, number, number][] = [[1, 1, 1], [5, 17, 3], [3, 5, 33], [17, 4, 8]];
const label = (m: RefMetric) => (typeof m === 'string' ? m : `p=${m.p}`);

/** Seeded normal data times `scale`, rounded to float32 (the reference sees the same values). */
function data(seed: number, n: number, d: number, scale: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * scale;
  return out;
}

/**
 * Relative 2e-5 of each value, plus the float32 subnormal spacing (a tiny result has few
 * bits). Dot products (cosine, dot) are accurate relative to Σ|x_k·y_k| (`scale`), not to
 * their value, which cancellation can make arbitrarily small.
 */
function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, what: string, scale?: ArrayLike<number>): void {
  for (let i = 0; i < ref.length; i++) {
    const e = Math.fround(ref[i]);
    const ok = Math.abs(got[i] - e) <= 2e-5 * Math.max(Math.abs(e), scale ? scale[i] : 0) + 4 * 2 ** -149;
    assert.ok(ok, `${what}: element ${i} is ${got[i]}, float64 reference ${ref[i]}`);
  }
}

/** Σ_k |x_ik·y_jk| (over the rows' norms, eps 1e-12, when normalised): the scale of a dot product's rounding. */
function absDotRef(x: Float32Array, y: Float32Array, n: number, m: number, d: number, normalised: boolean, paired = false): Float64Array {
  const norm = (v: Float32Array, o: number) => { let s = 0; for (let k = 0; k < d; k++) s += v[o + k] ** 2; return normalised ? Math.max(Math.sqrt(s), 1e-12) : 1; };
  const out = new Float64Array(paired ? n : n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < (paired ? 1 : m); j++) {
      const jj = paired ? i : j;
      let s = 0;
      for (let k = 0; k < d; k++) s += Math.abs(x[i * d + k] * y[jj * d + k]);
      out[paired ? i : i * m + j] = s / (norm(x, i * d) * norm(y, jj * d));
    }
  return out;
}

/** x̂_i·ŷ_j with F.normalize's eps 1e-12, float64 (not 1 − cosine distance: that loses tiny values). */
function cosineSimilarityRef(x: Float32Array, y: Float32Array, n: number, m: number, d: number): Float64Array {
  const norm = (v: Float32Array, o: number) => { let s = 0; for (let k = 0; k < d; k++) s += v[o + k] ** 2; return Math.max(Math.sqrt(s), 1e-12); };
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let ab = 0;
      for (let k = 0; k < d; k++) ab += x[i * d + k] * y[j * d + k];
      out[i * m + j] = ab / (norm(x, i * d) * norm(y, j * d));
    }
  return out;
}

/** The reference is representable (every |value| ≤ FLT_MAX once rounded): compare; else expect an error naming fn. */
function checkOrThrows(fn: string, run: () => sl.Tensor, ref: Float64Array, what: string, scale?: Float64Array): void {
  let representable = true;
  for (const v of ref) if (!Number.isFinite(Math.fround(v))) representable = false;
  if (representable) {
    const out = run();
    expectClose(out.data(), ref, what, scale);
    out.dispose();
  } else {
    assert.throws(run, (e: Error) => e.message.startsWith(`${fn}: `) && /float32/.test(e.message) && /\de[+-]?\d+/.test(e.message), `${what}: expected an error`);
  }
}

test('the reported case: identical points at 1e20 are at distance 0, the others at √2·1e20', () => {
  const x = sl.tensor([[1e20, 0]]), y = sl.tensor([[0, 1e20], [1e20, 0]]);
  expectClose(sl.cdist(x, y).data(), [Math.SQRT2 * 1e20, 0], 'cdist euclidean');
  expectClose(sl.cdist(x, y, 'cosine').data(), [1, 0], 'cdist cosine');
  expectClose(sl.cdist(x, y, 'manhattan').data(), [2e20, 0], 'cdist manhattan');
  expectClose(sl.pairedDistance(x, sl.tensor([[0, 1e20]])).data(), [Math.SQRT2 * 1e20], 'paired euclidean');
  assert.throws(() => sl.cdist(x, y, 'sqeuclidean'), /^cdist: .*overflows float32.*1\.00e\+20/);
  assert.throws(() => sl.cdist(x, y, 'dot'), /^cdist: .*overflows float32.*1\.00e\+20/);
});

test('cdist and pairedDistance: every metric at every magnitude, odd sizes, against float64', () => {
  let seed = 11;
  for (const scale of MAGNITUDES)
    for (const metric of METRICS)
      for (const [n, m, d] of SHAPES) {
        const xv = data(seed++, n, d, scale), yv = data(seed++, m, d, scale);
        const x = sl.tensor(xv, [n, d]), y = sl.tensor(yv, [m, d]);
        const tag = `${label(metric)} ${scale} n=${n} m=${m} d=${d}`;
        const dotLike = metric === 'cosine' || metric === 'dot';
        const sc = dotLike ? absDotRef(xv, yv, n, m, d, metric === 'cosine') : undefined;
        checkOrThrows('cdist', () => sl.cdist(x, y, metric as sl.Metric), cdistRef(xv, yv, n, m, d, metric), `cdist ${tag}`, sc);
        const y2v = data(seed++, n, d, scale);
        const y2 = sl.tensor(y2v, [n, d]);
        const sp = dotLike ? absDotRef(xv, y2v, n, n, d, metric === 'cosine', true) : undefined;
        checkOrThrows('pairedDistance', () => sl.pairedDistance(x, y2, metric as sl.Metric), pairedRef(xv, y2v, n, d, metric), `paired ${tag}`, sp);
        // identical rows: exactly zero distance (the diagonal), never NaN
        if (metric !== 'dot' && metric !== 'cosine') {
          const self = sl.pairedDistance(x, x, metric as sl.Metric).data();
          assert.ok(self.every((v) => v === 0), `paired self ${tag}: ${self}`);
        }
        for (const t of [x, y, y2]) t.dispose();
      }
});

test('tiny distances among ordinary ones are not flushed to zero', () => {
  // x[2] and y[2] differ by 3e-30 in one coordinate, among pairs at ordinary distances
  const xv = new Float32Array([1, 2, 3, 5, -1, 0, 0, 0, 0]);
  const yv = new Float32Array([1, 2, 3, 4, 4, 4, 0, 0, 3e-30]);
  const x = sl.tensor(xv, [3, 3]), y = sl.tensor(yv, [3, 3]);
  for (const metric of ['euclidean', 'sqeuclidean', 'manhattan', { p: 3 }] as RefMetric[]) {
    expectClose(sl.cdist(x, y, metric as sl.Metric).data(), cdistRef(xv, yv, 3, 3, 3, metric), `cdist ${label(metric)}`);
  }
  const a = sl.tensor([[1, 1e-30, 0]]), b = sl.tensor([[1, -2e-30, 0]]);
  for (const metric of ['euclidean', 'manhattan', { p: 3 }] as RefMetric[]) {
    expectClose(sl.pairedDistance(a, b, metric as sl.Metric).data(), pairedRef(a.data(), b.data(), 1, 3, metric), `paired ${label(metric)}`);
    expectClose(sl.cdist(a, b, metric as sl.Metric).data(), cdistRef(a.data(), b.data(), 1, 1, 3, metric), `cdist 1x1 ${label(metric)}`);
  }
});

test('cosineSimilarity and the distance objects at every magnitude', () => {
  const D = sl.distances;
  let seed = 900;
  for (const scale of MAGNITUDES)
    for (const [n, m, d] of SHAPES) {
      const xv = data(seed++, n, d, scale), yv = data(seed++, m, d, scale);
      const x = sl.tensor(xv, [n, d]), y = sl.tensor(yv, [m, d]);
      const cos = cosineSimilarityRef(xv, yv, n, m, d);
      const tag = `${scale} n=${n} m=${m} d=${d}`;
      const sn = absDotRef(xv, yv, n, m, d, true), sr = absDotRef(xv, yv, n, m, d, false);
      checkOrThrows('cosineSimilarity', () => sl.cosineSimilarity(x, y), cos, `cosineSimilarity ${tag}`, sn);
      checkOrThrows('CosineSimilarity.pairwise', () => new D.CosineSimilarity().pairwise(x, y), cos, `CosineSimilarity ${tag}`, sn);
      checkOrThrows('DotProductSimilarity.pairwise', () => new D.DotProductSimilarity().pairwise(x, y), cos, `Dot normalised ${tag}`, sn);
      checkOrThrows('DotProductSimilarity.pairwise', () => new D.DotProductSimilarity({ normalizeEmbeddings: false }).pairwise(x, y), cdistRef(xv, yv, n, m, d, 'dot'), `Dot raw ${tag}`, sr);
      checkOrThrows('LpDistance.pairwise', () => new D.LpDistance({ normalizeEmbeddings: false, p: 3 }).pairwise(x, y), cdistRef(xv, yv, n, m, d, { p: 3 }), `Lp3 ${tag}`);
      // normalised Lp: the distance of unit vectors, whatever the magnitude (above F.normalize's eps)
      if (scale > 1e-12) {
        const un = (v: Float32Array, r: number) => { const o = new Float64Array(v.length); for (let i = 0; i < r; i++) { let s = 0; for (let k = 0; k < d; k++) s += (v[i * d + k] / scale) ** 2; for (let k = 0; k < d; k++) o[i * d + k] = v[i * d + k] / scale / Math.sqrt(s); } return o; };
        checkOrThrows('LpDistance.pairwise', () => new D.LpDistance().pairwise(x, y), cdistRef(un(xv, n), un(yv, m), n, m, d, 'euclidean'), `Lp normalised ${tag}`);
      }
      // Mahalanobis with a fixed SPD M = AᵀA + I
      const A = data(seed++, d, d, 1);
      const Mv = new Float32Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { let s = i === j ? 1 : 0; for (let k = 0; k < d; k++) s += A[k * d + i] * A[k * d + j]; Mv[i * d + j] = s; }
      for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) Mv[i * d + j] = Mv[j * d + i];
      const M = sl.tensor(Mv, [d, d]);
      const maha = mahalanobisRef(xv, yv, Mv, n, m, d);
      checkOrThrows('Mahalanobis.pairwise', () => new D.Mahalanobis({ M }).pairwise(x, y), maha, `Mahalanobis squared ${tag}`);
      checkOrThrows('Mahalanobis.pairwise', () => new D.Mahalanobis({ M, squared: false }).pairwise(x, y), maha.map(Math.sqrt), `Mahalanobis root ${tag}`);
      if (n === m) {
        const diag = (v: Float64Array) => Float64Array.from({ length: n }, (_, i) => v[i * m + i]);
        checkOrThrows('Mahalanobis.paired', () => new D.Mahalanobis({ M, squared: false }).paired(x, y), diag(maha.map(Math.sqrt)), `Mahalanobis paired ${tag}`);
      }
      const lm = new D.LearnedMahalanobis(d, { squared: false });
      checkOrThrows('LearnedMahalanobis.pairwise', () => lm.pairwise(x, y), cdistRef(xv, yv, n, m, d, 'euclidean'), `LearnedMahalanobis ${tag}`);
      checkOrThrows('LearnedMahalanobis.pairwise', () => new D.LearnedMahalanobis(d).pairwise(x, y), cdistRef(xv, yv, n, m, d, 'sqeuclidean'), `LearnedMahalanobis sq ${tag}`);
      for (const t of [x, y, M, lm.L]) t.dispose();
    }
});

test('gradients at extreme magnitudes equal the scaled ordinary-magnitude gradients', () => {
  const D = sl.distances;
  const learned = new D.LearnedMahalanobis(3, { squared: false });
  // [metric, degree of homogeneity]
  const cases: [string, (a: sl.Tensor, b: sl.Tensor) => sl.Tensor, number][] = [
    ['euclidean', (a, b) => sl.cdist(a, b), 1],
    ['manhattan', (a, b) => sl.cdist(a, b, 'manhattan'), 1],
    ['p=3', (a, b) => sl.cdist(a, b, { p: 3 }), 1],
    ['cosine', (a, b) => sl.cdist(a, b, 'cosine'), 0],
    ['paired euclidean', (a, b) => sl.pairedDistance(a, b), 1],
    ['paired p=3', (a, b) => sl.pairedDistance(a, b, { p: 3 }), 1],
    ['cosineSimilarity', (a, b) => sl.cosineSimilarity(a, b), 0],
    ['Lp normalised', (a, b) => new D.LpDistance().pairwise(a, b), 0],
    ['Lp3 normalised', (a, b) => new D.LpDistance({ p: 3 }).pairwise(a, b), 0],
    ['Mahalanobis root', (a, b) => new D.Mahalanobis({ M: sl.tensor([[2, 0.5, 0], [0.5, 1, 0], [0, 0, 3]]), squared: false }).pairwise(a, b), 1],
    ['LearnedMahalanobis root', (a, b) => learned.pairwise(a, b), 1],
    // degree 2: at 2^-100 the value (2^-200) is below float32, its gradient (2^-100) is not
    ['sqeuclidean', (a, b) => sl.cdist(a, b, 'sqeuclidean'), 2],
    ['paired sqeuclidean', (a, b) => sl.pairedDistance(a, b, 'sqeuclidean'), 2],
    ['dot', (a, b) => sl.cdist(a, b, 'dot'), 2],
    ['Mahalanobis squared', (a, b) => new D.Mahalanobis({ M: sl.tensor([[2, 0.5, 0], [0.5, 1, 0], [0, 0, 3]]) }).pairwise(a, b), 2],
  ];
  for (const [name, f, degree] of cases)
    for (const e of degree === 0 ? [66, 100] : degree === 2 ? [-100, -70, 55] : [-100, -70, 66, 100]) {
      const s = 2 ** e;
      const xv = data(3, 5, 3, 1), yv = data(4, 5, 3, 1);
      const grads = (scale: number) =>
        sl.tidy(() => {
          const x = sl.tensor(xv.map((v) => v * scale), [5, 3], { requiresGrad: true });
          const y = sl.tensor(yv.map((v) => v * scale), [5, 3], { requiresGrad: true });
          const out = f(x, y);
          const w = sl.tensor(Float32Array.from({ length: out.size }, (_, i) => Math.sin(i + 1)), out.shape);
          out.backward(w);
          return [x.grad!.data(), y.grad!.data()];
        });
      const [gx1, gy1] = grads(1);
      const [gx, gy] = grads(s);
      const factor = s ** (degree - 1);
      const ref = (g: Float32Array) => Float64Array.from(g, (v) => v * factor);
      const tag = `${name} at 2^${e}`;
      // the ordinary gradient scaled exactly: relative to the largest component (cancellation in sums)
      for (const [got, want, which] of [[gx, ref(gx1), 'x'], [gy, ref(gy1), 'y']] as const) {
        let big = 0;
        for (const v of want) big = Math.max(big, Math.abs(v));
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * big, `${tag} grad ${which}[${i}]: ${got[i]} vs ${want[i]}`);
        }
      }
    }
});

test('gradients into a trainable M or L at extreme magnitudes scale as s^degree', () => {
  const D = sl.distances;
  const xv = data(3, 5, 3, 1), yv = data(4, 4, 3, 1);
  const Mv = [2, 0.5, 0, 0.5, 1, 0, 0, 0, 3];
  const Lv = data(9, 2, 3, 1);
  for (const squared of [true, false])
    for (const learned of [false, true])
      for (const e of squared ? [-60, 55] : [-100, 66]) {
        const grads = (scale: number) =>
          sl.tidy(() => {
            const x = sl.tensor(xv.map((v) => v * scale), [5, 3], { requiresGrad: true });
            const y = sl.tensor(yv.map((v) => v * scale), [4, 3]);
            let param: sl.Tensor;
            let out: sl.Tensor;
            if (learned) {
              const lm = new D.LearnedMahalanobis(3, { rank: 2, squared });
              lm.loadStateDict({ L: sl.tensor(Lv, [2, 3]) });
              param = lm.L;
              out = lm.pairwise(x, y);
            } else {
              param = sl.tensor(Mv, [3, 3], { requiresGrad: true });
              out = new D.Mahalanobis({ M: param, squared }).pairwise(x, y);
            }
            out.backward(sl.tensor(Float32Array.from({ length: out.size }, (_, i) => Math.cos(i)), out.shape));
            const r = [param.grad!.data(), x.grad!.data()];
            if (learned) param.dispose();
            return r;
          });
        const [gp1, gx1] = grads(1);
        const [gp, gx] = grads(2 ** e);
        const k = squared ? 2 : 1;
        for (const [got, one, f, which] of [[gp, gp1, 2 ** (k * e), learned ? 'L' : 'M'], [gx, gx1, 2 ** ((k - 1) * e), 'x']] as const) {
          const big = Math.max(...Array.from(one, (v) => Math.abs(v * f)));
          for (let i = 0; i < one.length; i++) {
            assert.ok(Math.abs(got[i] - one[i] * f) <= 1e-4 * big, `${learned ? 'LearnedMahalanobis' : 'Mahalanobis'} squared=${squared} 2^${e} grad ${which}[${i}]: ${got[i]} vs ${one[i] * f}`);
          }
        }
      }
});

test('search.topK at extreme magnitudes: the same neighbours and the float64 distances', () => {
  const cases: [number, RefMetric][] = [];
  for (const scale of [1e-30, 1e20, 1e30]) for (const metric of ['euclidean', 'manhattan', 'cosine', { p: 3 }] as RefMetric[]) cases.push([scale, metric]);
  for (const scale of [1e-30, 1e17]) for (const metric of ['sqeuclidean', 'dot'] as RefMetric[]) cases.push([scale, metric]);
  for (const [scale, metric] of cases) {
    const sign = metric === 'dot' ? -1 : 1; // dot is a similarity: largest first
    const [nq, nr, d, k] = [5, 17, 3, 4];
    const qv = data(77, nq, d, scale), rv = data(78, nr, d, scale);
    const q = sl.tensor(qv, [nq, d]), r = sl.tensor(rv, [nr, d]);
    const got = sl.search.topK(q, r, k, { metric: metric as sl.Metric, blockSize: 5 });
    const D = cdistRef(qv, rv, nq, nr, d, metric);
    for (let i = 0; i < nq; i++) {
      const order = Array.from({ length: nr }, (_, j) => j).sort((a, b) => sign * (D[i * nr + a] - D[i * nr + b]) || a - b);
      for (let t = 0; t < k; t++) {
        const j = got.indices[i * k + t];
        const e = D[i * nr + j];
        assert.ok(Math.abs(got.distances[i * k + t] - e) <= 2e-5 * Math.abs(e) + 4 * 2 ** -149, `topK ${label(metric)} ${scale}: distance ${got.distances[i * k + t]} vs ${e}`);
        assert.ok(Math.abs(D[i * nr + order[t]] - e) <= 2e-5 * Math.abs(e) + 4 * 2 ** -149, `topK ${label(metric)} ${scale}: rank ${t} is ${j}, expected ${order[t]}`);
      }
    }
    q.dispose();
    r.dispose();
  }
  const big = sl.tensor([[1e20, 0], [0, 1e20]]);
  assert.throws(() => sl.search.topK(big, big, 1, { metric: 'sqeuclidean' }), /^search\.topK: .*overflows float32/);
  assert.throws(() => sl.search.topK(big, big, 1, { metric: 'dot' }), /^search\.topK: .*overflows float32/);
});

test('results beyond float32 are errors that name the function, the metric and the magnitude', () => {
  const x = sl.tensor([[3e38, -3e38]]), y = sl.tensor([[-3e38, 3e38]]);
  assert.throws(() => sl.cdist(x, y), /^cdist: the euclidean distance of x\[0\] and y\[0\] overflows float32 \(> 3\.4e\+38\); inputs reach \|3\.00e\+38\|/);
  assert.throws(() => sl.pairedDistance(x, y, 'manhattan'), /^pairedDistance: the manhattan distance of x\[0\] and y\[0\] overflows float32/);
  assert.throws(() => sl.pairedDistance(x, y, 'sqeuclidean'), /^pairedDistance: the sqeuclidean distance of x\[0\] and y\[0\] overflows float32/);
  const e = sl.tensor([[2e19, 2e19]]), z = sl.tensor([[0, 0]]);
  assert.throws(() => sl.cdist(e, z, 'sqeuclidean'), /^cdist: the sqeuclidean distance of x\[0\] and y\[0\] overflows float32/);
  assert.throws(() => new sl.distances.DotProductSimilarity({ normalizeEmbeddings: false }).pairwise(e, e), /^DotProductSimilarity\.pairwise: the DotProductSimilarity value of x\[0\] and y\[0\] overflows float32/);
  // representable but only just: √2·2.4e38 > FLT_MAX, 2.4e38 alone is not
  const a = sl.tensor([[2.4e38, 0]]), b = sl.tensor([[0, 0]]);
  expectClose(sl.cdist(a, b).data(), [2.4e38], 'euclidean near FLT_MAX');
  assert.ok(FLT_MAX > 2.4e38);
});

test('the range check (one pass: max |x| or NaN) finds NaN and Infinity anywhere, SIMD body or tail', () => {
  for (const d of [1, 3, 5, 17, 33])
    for (const n of [1, 3])
      for (const bad of [NaN, Infinity, -Infinity])
        for (const at of [0, n * d - 1, Math.floor((n * d) / 2)]) {
          const v = data(5, n, d, 1);
          v[at] = bad;
          const x = sl.tensor(v, [n, d]), y = sl.tensor(data(6, 2, d, 1e30), [2, d]);
          const where = `[${Math.floor(at / d)}, ${at % d}]`;
          assert.throws(() => sl.cdist(y, x), (e: Error) => e.message === `cdist: y has a non-finite value (${bad}) at ${where} of [${n}, ${d}]`, `${bad} at ${at} n=${n} d=${d}`);
          x.dispose();
          y.dispose();
        }
});

test.run();
