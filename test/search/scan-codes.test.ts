// A single query against references searched again prunes with int8 codes kept with them
// (src/search/scan.ts codesOf, f32_topk_codes / f32_topk_scan_codes): its results must be the
// plain scan's to the bit (indices, values, tie order) for every metric, on ties, duplicate and
// zero rows, zero queries, huge and tiny magnitudes, odd d and k up to every reference; the codes
// are built on the second search only, and any write through the library drops them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { CODES } from '../../src/search/scan';
import { peekDerived } from '../../src/autograd/tensor';
import { getEngine, f32, i32 } from '../../src/wasm/instance';
import { ScanKind } from '../../src/wasm/abi';
import { cdistRef, type RefMetric } from '../ref/distance';

await sl.init();
const MIN = CODES.minFloats, SHARE = CODES.maxShare;

const METRICS: [string, sl.Metric][] = [
  ['euclidean', 'euclidean'], ['sqeuclidean', 'sqeuclidean'], ['manhattan', 'manhattan'], ['{ p: 3 }', { p: 3 }],
  ['cosine', 'cosine'], ['dot', 'dot'], ['LpDistance()', new sl.distances.LpDistance()],
  ['LpDistance({ power: 2, normalizeEmbeddings: false })', new sl.distances.LpDistance({ power: 2, normalizeEmbeddings: false })],
  ['CosineSimilarity', new sl.distances.CosineSimilarity()], ['DotProductSimilarity()', new sl.distances.DotProductSimilarity()],
];

const key = (r: sl.Tensor) => `search codes ${r.shape[0]}x${r.shape[1]}`;
const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

function plain(q: sl.Tensor, r: sl.Tensor, k: number, options: sl.search.TopKOptions): sl.search.TopKResult {
  CODES.minFloats = Infinity;
  try {
    return sl.search.topK(q, r, k, options);
  } finally {
    CODES.minFloats = MIN;
  }
}

/** fn with codes for references of any size and d (the policy is tested on its own). */
function withCodes<T>(fn: () => T): T {
  CODES.minFloats = 0;
  CODES.maxShare = Infinity;
  try {
    return fn();
  } finally {
    CODES.minFloats = MIN;
    CODES.maxShare = SHARE;
  }
}

/** Rows of the named kind of data: n × d floats. */
function rows(kind: string, seed: number, n: number, d: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) {
    const row = Math.floor(i / d);
    switch (kind) {
      case 'ties': x[i] = Math.floor(rng.uniform() * 3) - 1; break; // thousands of equal values, duplicate rows
      case 'duplicates': x[i] = row % 7 === 0 ? rng.normal() : x[i - (row % 7) * d]; break; // rows in runs of 7 equal ones
      case 'zero rows': x[i] = row % 3 === 0 ? 0 : rng.normal(); break;
      case 'tiny with zeros': x[i] = i % 3 === 0 ? 0 : rng.normal() * 1e-40; break; // scales below float32's normals
      case 'row scales': x[i] = rng.normal() * 10 ** ((row % 13) - 6); break;
      default: x[i] = rng.normal() * Number(kind.slice(1)); // '×scale'
    }
  }
  return x;
}

const KINDS = ['ties', 'duplicates', 'zero rows', 'tiny with zeros', 'row scales', '×1', '×1e10', '×1e17', '×1e-20', '×1e-30', '×1e-40'];

test('the codes path gives the plain scan\'s results to the bit: every metric, odd d, ties, zeros, magnitudes, k up to nr', () => {
  let seed = 100, used = 0;
  for (const d of [1, 3, 5, 17, 33, 129])
    for (const kind of KINDS) {
      const nr = d < 10 ? 700 : 160;
      const R = rows(kind, seed++, nr, d);
      const r = sl.tensor(R, [nr, d]);
      // A query that is a reference, a zero query, a fresh one, one beyond every reference.
      const far = Float32Array.from(rows(kind, seed++, 1, d), (v) => v * 4 + 3);
      const queries = [R.slice(5 * d, 6 * d), new Float32Array(d), rows(kind, seed++, 1, d), far];
      const q0 = sl.tensor(queries[2], [1, d]);
      withCodes(() => [0, 1].map(() => sl.search.topK(q0, r, 1))); // marks the references, then builds their codes
      q0.dispose();
      for (const [name, metric] of METRICS) {
        for (const k of [1, 10, nr])
          for (const excludeSelf of [false, true]) {
            const qs = excludeSelf ? [R.slice(0, d)] : queries;
            const kk = excludeSelf ? Math.min(k, nr - 1) : k; // every other reference at most
            for (const [i, qv] of qs.entries()) {
              const q = sl.tensor(qv, [1, d]);
              const tag = `${name} ${kind} d=${d} k=${kk} excludeSelf=${excludeSelf} query ${i}`;
              let want: sl.search.TopKResult | null = null, got: sl.search.TopKResult | null = null;
              let wantErr = '', gotErr = '';
              try { want = plain(q, r, kk, { metric, excludeSelf }); } catch (e) { wantErr = (e as Error).message; }
              try {
                got = withCodes(() => sl.search.topK(q, r, kk, { metric, excludeSelf }));
              } catch (e) { gotErr = (e as Error).message; }
              assert.is(gotErr, wantErr, `${tag}: the same error`);
              if (want && got) {
                assert.equal(Array.from(got.indices), Array.from(want.indices), `${tag}: indices`);
                assert.equal(bits(got.distances), bits(want.distances), `${tag}: values`);
              }
              q.dispose();
            }
          }
        if (peekDerived(r, key(r))) used++;
      }
      r.dispose();
    }
  assert.ok(used > 100, `the codes were built (${used} times)`);
});

test('the kernel prunes without declining in range, and agrees with the plain scan and float64 brute force', () => {
  const e = getEngine();
  const kinds: [ScanKind, RefMetric, sl.Metric][] = [[ScanKind.sqeuclidean, 'sqeuclidean', 'sqeuclidean'], [ScanKind.euclidean, 'euclidean', 'euclidean'], [ScanKind.negDot, 'dot', 'dot']];
  for (const [nr, d, k] of [[5000, 33, 10], [3001, 129, 7], [4000, 5, 25], [200, 1, 200]]) {
    const R = rows('×1', nr + d, nr, d), Q = rows('×1', d, 1, d);
    const r = sl.tensor(R, [nr, d]), q = sl.tensor(Q, [1, d]);
    const codes = e.alloc.alloc(e.k.f32_topk_codes_floats(nr, d) * 4);
    const bestD = e.alloc.alloc(k * 4), bestI = e.alloc.alloc(k * 4), scratch = e.alloc.alloc(e.k.f32_topk_scan_codes_scratch_bytes(d));
    e.k.f32_topk_codes(r.ptr, nr, d, codes);
    assert.is(f32()[codes >>> 2], 1, 'usable codes');
    for (const [kind, ref, metric] of kinds) {
      e.k.f32_fill(bestD, Infinity, k);
      i32().fill(-1, bestI >>> 2, (bestI >>> 2) + k);
      const mag = e.k.f32_topk_scan_codes(kind, q.ptr, d, r.ptr, nr, codes, k, -1, bestD, bestI, scratch);
      const tag = `nr=${nr} d=${d} ${metric}`;
      assert.is(mag, kind === ScanKind.negDot ? R.reduce((m, v) => Math.max(m, Math.abs(v)), 0) : 0, `${tag}: returns the plain scan's magnitude`);
      const idx = Array.from(i32().subarray(bestI >>> 2, (bestI >>> 2) + k));
      const val = f32().slice(bestD >>> 2, (bestD >>> 2) + k).map((v) => (kind === ScanKind.negDot ? -v : v));
      const want = plain(q, r, k, { metric });
      assert.equal(idx, Array.from(want.indices), `${tag}: indices`);
      assert.equal(bits(val), bits(want.distances), `${tag}: values`);
      const D = cdistRef(Q, R, 1, nr, d, ref);
      const order = Array.from({ length: nr }, (_, j) => j).sort((a, b) => (kind === ScanKind.negDot ? D[b] - D[a] : D[a] - D[b]) || a - b);
      assert.equal(idx, order.slice(0, k), `${tag}: float64 ranks`);
      for (let t = 0; t < k; t++) assert.ok(Math.abs(val[t] - D[idx[t]]) <= 1e-5 * (1 + Math.abs(D[idx[t]])), `${tag}: ${val[t]} vs ${D[idx[t]]}`);
    }
    // Codes of references with a non-finite or too large value are unusable: the kernel declines.
    for (const bad of [NaN, Infinity, 2 ** 41]) {
      const at = nr * d - 2;
      const saved = f32()[(r.ptr >>> 2) + at];
      f32()[(r.ptr >>> 2) + at] = bad;
      e.k.f32_topk_codes(r.ptr, nr, d, codes);
      assert.is(f32()[codes >>> 2], 0, `${bad}: codes marked unusable`);
      assert.is(e.k.f32_topk_scan_codes(ScanKind.euclidean, q.ptr, d, r.ptr, nr, codes, k, -1, bestD, bestI, scratch), -1, `${bad}: declines`);
      f32()[(r.ptr >>> 2) + at] = saved;
    }
    for (const p of [codes, bestD, bestI, scratch]) e.alloc.free(p);
    r.dispose();
    q.dispose();
  }
});

test('built on the second single-query search of references of at least CODES.minFloats and d large enough, freed with them', () => {
  const [nr, d] = [3000, 32];
  const before = sl.engineInfo().liveBytes;
  const r = sl.tensor(rows('×1', 1, nr, d), [nr, d]), q = sl.tensor(rows('×1', 2, 1, d), [1, d]), q3 = sl.tensor(rows('×1', 3, 3, d), [3, d]);
  CODES.minFloats = nr * d + 1;
  sl.search.topK(q, r, 5);
  sl.search.topK(q, r, 5);
  assert.is(peekDerived(r, key(r)), null, 'below the size: never built');
  CODES.minFloats = nr * d;
  sl.search.topK(q3, r, 5);
  sl.search.topK(q3, r, 5);
  assert.is(peekDerived(r, key(r)), null, 'several queries: never built');
  sl.search.topK(q, r, 5, { metric: 'cosine' });
  sl.search.topK(q, r, 5, { metric: 'cosine' });
  assert.is(peekDerived(r, key(r)), null, 'a metric the codes do not serve: never built');
  const r17 = sl.tensor(rows('×1', 4, nr, 17), [nr, 17]), q17 = sl.tensor(rows('×1', 5, 1, 17), [1, 17]);
  CODES.minFloats = 0;
  sl.search.topK(q17, r17, 5);
  sl.search.topK(q17, r17, 5);
  CODES.minFloats = nr * d;
  assert.is(peekDerived(r17, key(r17)), null, `d = 17: codes of 32 + 12 bytes a row would take more than ${CODES.maxShare} of 68`);
  r17.dispose();
  q17.dispose();
  sl.search.topK(q, r, 5);
  assert.is(peekDerived(r, key(r)), null, 'first single-query search: only marked');
  sl.search.topK(q, r, 5);
  const codes = peekDerived(r, key(r));
  assert.ok(codes, 'second: built');
  assert.is(codes!.size, getEngine().k.f32_topk_codes_floats(nr, d));
  const dp = Math.ceil(d / 16) * 16;
  assert.ok(codes!.size * 4 <= nr * (dp + 12) + 32, `${codes!.size * 4} bytes for ${nr} rows of ${d}: d (rounded up to 16) + 12 bytes a row, and a header`);
  sl.search.topK(q, r, 5, { metric: 'dot' });
  assert.is(peekDerived(r, key(r)), codes, 'kept across searches and metrics');
  assert.ok(codes!.size <= CODES.maxShare * nr * d, 'within maxShare of the references');
  CODES.minFloats = MIN;
  r.dispose();
  q.dispose();
  q3.dispose();
  assert.is(sl.engineInfo().liveBytes, before, 'the codes are freed with the references');
});

test('a write through the library (an optimiser step, loadStateDict) drops the codes: the next searches see the new values', () => {
  const [nr, d, k] = [2000, 33, 5];
  const Q = rows('×1', 7, 1, d);
  const q = sl.tensor(Q, [1, d]);
  const check = (r: sl.Tensor, tag: string, nearest?: number) => {
    const R = r.data();
    const got = withCodes(() => { sl.search.topK(q, r, k); return sl.search.topK(q, r, k); });
    assert.ok(peekDerived(r, key(r)), `${tag}: codes in use`);
    const D = cdistRef(Q, R, 1, nr, d, 'euclidean');
    const order = Array.from({ length: nr }, (_, j) => j).sort((a, b) => D[a] - D[b] || a - b);
    assert.equal(Array.from(got.indices), order.slice(0, k), `${tag}: float64 ranks of the current values`);
    assert.equal(bits(got.distances), bits(plain(q, r, k, {}).distances), `${tag}: the plain scan's values`);
    if (nearest !== undefined) assert.is(got.indices[0], nearest, `${tag}: the moved row is nearest`);
  };
  // An SGD step moves row 1234 onto the query: refs −= G with G = refs − q on that row.
  const refs = sl.tensor(rows('×1', 8, nr, d), [nr, d], { requiresGrad: true });
  check(refs, 'before the step');
  const G = new Float32Array(nr * d), R = refs.data();
  for (let i = 0; i < d; i++) G[1234 * d + i] = R[1234 * d + i] - Q[i];
  const opt = new sl.optim.SGD([refs], { lr: 1 });
  sl.sum(sl.mul(refs, sl.tensor(G, [nr, d]))).backward();
  opt.step();
  assert.is(peekDerived(refs, key(refs)), null, 'the step made the codes stale');
  check(refs, 'after an SGD step', 1234);
  // A Linear's weight [out, in] as the references, overwritten by loadStateDict.
  sl.manualSeed(3);
  const layer = new sl.nn.Linear(d, nr);
  check(layer.weight, 'a layer weight');
  const state = new sl.nn.Linear(d, nr).stateDict();
  const W = state.weight.data();
  for (let i = 0; i < d; i++) W[77 * d + i] = Q[i];
  layer.loadStateDict({ ...state, weight: sl.tensor(W, [nr, d]) });
  assert.is(peekDerived(layer.weight, key(layer.weight)), null, 'loadStateDict made the codes stale');
  check(layer.weight, 'after loadStateDict', 77);
  q.dispose();
  refs.dispose();
});

test.run();
