// search.topK with one or a few queries takes the streaming scan (src/search/scan.ts,
// f32_topk_scan): every metric it covers against float64 brute force on odd sizes (SIMD tails,
// several reference blocks), its indices equal to the batched path's, ties to the lower index
// across block boundaries, the references' values checked inside the pass, and the
// magnitude-robust fallback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { SCAN } from '../../src/search/scan';

const SCAN_MAX_QUERIES = SCAN.maxQueries;
import { cdistRef, normalizeRef, type RefMetric } from '../ref/distance';

await sl.init();

function data(seed: number, n: number, d: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal() * scale);
}

/** Float64 values ranked smallest first (largest for a similarity), ties by lower index. */
function rankRef(D: Float64Array, q: number, nr: number, k: number, largest: boolean, skip = -1): number[] {
  const order = Array.from({ length: nr }, (_, j) => j).filter((j) => j !== skip);
  order.sort((a, b) => (largest ? D[q * nr + b] - D[q * nr + a] : D[q * nr + a] - D[q * nr + b]) || a - b);
  return order.slice(0, k);
}

interface Case { name: string; metric: sl.Metric; ref: RefMetric; norm?: number; largest?: boolean }
const CASES: Case[] = [
  { name: 'euclidean', metric: 'euclidean', ref: 'euclidean' },
  { name: 'sqeuclidean', metric: 'sqeuclidean', ref: 'sqeuclidean' },
  { name: 'manhattan', metric: 'manhattan', ref: 'manhattan' },
  { name: '{ p: 3 }', metric: { p: 3 }, ref: { p: 3 } },
  { name: '{ p: 1.5 }', metric: { p: 1.5 }, ref: { p: 1.5 } },
  { name: 'cosine', metric: 'cosine', ref: 'cosine' },
  { name: 'dot', metric: 'dot', ref: 'dot', largest: true },
  { name: 'LpDistance() (normalised)', metric: new sl.distances.LpDistance(), ref: 'euclidean', norm: 2 },
  { name: 'LpDistance({ p: 3 }) (normalised)', metric: new sl.distances.LpDistance({ p: 3 }), ref: { p: 3 }, norm: 3 },
  { name: 'LpDistance({ power: 2, normalizeEmbeddings: false })', metric: new sl.distances.LpDistance({ power: 2, normalizeEmbeddings: false }), ref: 'sqeuclidean' },
  { name: 'CosineSimilarity', metric: new sl.distances.CosineSimilarity(), ref: 'dot', norm: 2, largest: true },
  { name: 'DotProductSimilarity() (normalised)', metric: new sl.distances.DotProductSimilarity(), ref: 'dot', norm: 2, largest: true },
];

test('one to a few queries: every metric against float64 brute force, odd sizes, several blocks', () => {
  let seed = 10;
  // d = 1 puts 8192 references in a block, d = 33 puts 248: nr 700 spans three blocks at d = 33.
  for (const c of CASES)
    for (const [nq, nr, d, k] of [[1, 1, 1, 1], [1, 5, 3, 3], [3, 17, 5, 5], [1, 33, 17, 7], [2, 700, 33, 10], [SCAN_MAX_QUERIES, 40, 16, 17]]) {
      const qv = data(seed++, nq, d), rv = data(seed++, nr, d);
      const q = sl.tensor(qv, [nq, d]), r = sl.tensor(rv, [nr, d]);
      for (const excludeSelf of [false, true]) {
        if (excludeSelf && (nr < nq + 1 || k > nr - 1)) continue;
        const qs = excludeSelf ? sl.tensor(rv.slice(0, nq * d), [nq, d]) : q;
        const qvals = excludeSelf ? rv.slice(0, nq * d) : qv;
        const got = sl.search.topK(qs, r, k, { metric: c.metric, excludeSelf });
        const a = c.norm ? normalizeRef(qvals, nq, d, c.norm) : qvals, b = c.norm ? normalizeRef(rv, nr, d, c.norm) : rv;
        const D = cdistRef(a, b, nq, nr, d, c.ref);
        const tag = `${c.name} nq=${nq} nr=${nr} d=${d} k=${k} excludeSelf=${excludeSelf}`;
        for (let i = 0; i < nq; i++) {
          assert.equal(Array.from(got.indices.subarray(i * k, (i + 1) * k)), rankRef(D, i, nr, k, !!c.largest, excludeSelf ? i : -1), tag);
          for (let t = 0; t < k; t++) {
            const e = D[i * nr + got.indices[i * k + t]];
            assert.ok(Math.abs(got.distances[i * k + t] - e) <= 2e-5 * (1 + Math.abs(e)), `${tag}: distance ${got.distances[i * k + t]} vs float64 ${e}`);
          }
        }
        if (qs !== q) qs.dispose();
      }
      q.dispose();
      r.dispose();
    }
});

test('a single query gives exactly the batched path\'s indices (random data, every metric)', () => {
  const nq = SCAN_MAX_QUERIES + 3, nr = 3001, d = 37, k = 10;
  const Q = data(1, nq, d), R = data(2, nr, d);
  const qs = sl.tensor(Q, [nq, d]), rs = sl.tensor(R, [nr, d]);
  for (const c of CASES) {
    const batched = sl.search.topK(qs, rs, k, { metric: c.metric }); // nq > SCAN_MAX_QUERIES: GEMM route
    for (let i = 0; i < nq; i++) {
      const one = sl.tidy(() => sl.search.topK(sl.tensor(Q.subarray(i * d, (i + 1) * d), [1, d]), rs, k, { metric: c.metric }));
      assert.equal(Array.from(one.indices), Array.from(batched.indices.subarray(i * k, (i + 1) * k)), `${c.name} query ${i}`);
      for (let t = 0; t < k; t++) {
        const a = one.distances[t], b = batched.distances[i * k + t];
        assert.ok(Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b)), `${c.name} query ${i} rank ${t}: ${a} vs ${b}`);
      }
    }
  }
  qs.dispose();
  rs.dispose();
});

test('ties go to the lower index across reference blocks; excludeSelf', () => {
  // Small integers in d = 3 (2730 references per block): thousands of exact ties.
  const nr = 6000, d = 3;
  const rng = new Rng(5);
  const R = Float32Array.from({ length: nr * d }, () => Math.floor(rng.uniform() * 3));
  const rs = sl.tensor(R, [nr, d]);
  for (const metric of ['manhattan', 'sqeuclidean', 'euclidean', 'dot'] as const) {
    for (const excludeSelf of [false, true]) {
      const q = sl.tensor(R.slice(0, 2 * d), [2, d]);
      const k = 40;
      const got = sl.search.topK(q, rs, k, { metric, excludeSelf });
      const D = cdistRef(R.slice(0, 2 * d), R, 2, nr, d, metric);
      for (let i = 0; i < 2; i++) {
        assert.equal(Array.from(got.indices.subarray(i * k, (i + 1) * k)), rankRef(D, i, nr, k, metric === 'dot', excludeSelf ? i : -1), `${metric} excludeSelf=${excludeSelf} query ${i}`);
      }
      q.dispose();
    }
  }
  rs.dispose();
});

test('non-finite references: the batched path\'s error, found inside the pass; nothing leaks', () => {
  for (const bad of [NaN, Infinity, -Infinity])
    for (const at of [0, 17 * 5 - 1, 2731 * 3 + 1]) {
      const nr = at > 100 ? 3000 : 17, d = at > 100 ? 3 : 5;
      const R = data(3, nr, d);
      R[at] = bad;
      const r = sl.tensor(R, [nr, d]), q = sl.tensor(data(4, 1, d), [1, d]);
      const before = sl.engineInfo().liveBytes;
      for (const metric of ['euclidean', 'cosine', 'dot'] as const) {
        assert.throws(() => sl.search.topK(q, r, 2, { metric }), (e: Error) => e.message === `search.topK: y has a non-finite value (${bad}) at [${Math.floor(at / d)}, ${at % d}] of [${nr}, ${d}]`, `${bad} at ${at} ${metric}`);
      }
      assert.is(sl.engineInfo().liveBytes, before, 'nothing leaks');
      r.dispose();
      q.dispose();
    }
  const x = sl.tensor(data(6, 4, 3), [4, 3]);
  assert.throws(() => sl.search.topK(sl.tensor([[0, NaN, 0]]), x, 1), /^search\.topK: x has a non-finite value \(NaN\) at \[0, 1\]/);
  assert.throws(() => sl.search.topK(sl.zeros([1, 2]), x, 1), /^search\.topK: x is \[1, 2\] but y is \[4, 3\]: last dimensions must match/);
});

test('one and three queries at extreme magnitudes: the same neighbours and float64 distances as ordinary inputs', () => {
  const [nr, d, k] = [33, 5, 4];
  // Three queries take the Euclidean forms through the ‖a‖² + ‖b‖² − 2 a·b prefilter, whose
  // sums underflow or overflow here: those rows must still reach the exact values.
  for (const nq of [1, 3])
    for (const scale of [1e-30, 1e-20, 1e17, 1e20, 1e30])
      for (const c of CASES) {
        if ((c.ref === 'sqeuclidean' || c.ref === 'dot') && !c.norm && scale > 1e17) continue; // beyond float32: an error (magnitude.test.ts)
        const qv = data(7, nq, d, scale), rv = data(8, nr, d, scale);
        const q = sl.tensor(qv, [nq, d]), r = sl.tensor(rv, [nr, d]);
        const got = sl.search.topK(q, r, k, { metric: c.metric });
        const a = c.norm ? normalizeRef(qv, nq, d, c.norm) : qv, b = c.norm ? normalizeRef(rv, nr, d, c.norm) : rv;
        const D = cdistRef(a, b, nq, nr, d, c.ref);
        // Squared distances of 1e-30 data are below float32's subnormals: they tie at 0, so
        // ranks are checked by value (the t-th found has the t-th smallest float64 value).
        const tol = (e: number) => 2e-5 * Math.abs(e) + 4 * 2 ** -149 + (c.ref === 'cosine' ? 1e-6 : 0);
        for (let i = 0; i < nq; i++) {
          const want = rankRef(D, i, nr, k, !!c.largest);
          for (let t = 0; t < k; t++) {
            const e = D[i * nr + got.indices[i * k + t]];
            assert.ok(Math.abs(got.distances[i * k + t] - e) <= tol(e), `${c.name} nq ${nq} at ${scale}: ${got.distances[i * k + t]} vs ${e}`);
            assert.ok(Math.abs(D[i * nr + want[t]] - e) <= tol(e), `${c.name} nq ${nq} at ${scale}: query ${i} rank ${t} is ${got.indices[i * k + t]}, expected ${want[t]}`);
          }
        }
        q.dispose();
        r.dispose();
      }
  const big = sl.tensor([[1e20, 0], [0, 1e20]]);
  assert.throws(() => sl.search.topK(sl.tensor([[1e20, 0]]), big, 1, { metric: 'sqeuclidean' }), /^search\.topK: .*overflows float32/);
  assert.throws(() => sl.search.topK(sl.tensor([[1e20, 0]]), big, 1, { metric: 'dot' }), /^search\.topK: .*overflows float32/);
});

test('distances without a kernel form (Mahalanobis, a power) still answer through the batched path', () => {
  const q = sl.tensor([[1, 0]]), r = sl.tensor([[1, 1], [2, 0], [0, -1], [0, 3]]);
  const m = sl.search.topK(q, r, 2, { metric: new sl.distances.Mahalanobis({ M: sl.tensor([[1, 0], [0, 100]]) }) });
  assert.equal(Array.from(m.indices), [1, 0]); // (x−y)ᵀM(x−y): 1 for [2, 0], 100 for [1, 1]
  assert.equal(Array.from(m.distances), [1, 100]);
  const p = sl.search.topK(q, r, 4, { metric: new sl.distances.LpDistance({ power: 3, normalizeEmbeddings: false }) });
  assert.equal(Array.from(p.indices), [0, 1, 2, 3]); // distances 1, 1, √2, √10 cubed
  assert.ok(Math.abs(p.distances[2] - 2 * Math.SQRT2) < 1e-5 && Math.abs(p.distances[3] - 10 * Math.sqrt(10)) < 1e-4);
});

test.run();
