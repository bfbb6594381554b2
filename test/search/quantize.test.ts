import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { f32, getEngine, i32 } from '../../src/wasm/instance';
import { QuantKind } from '../../src/wasm/abi';
import { cdistRef } from '../ref/distance';

await sl.init();

function gaussian(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal());
}

/**
 * Symmetric per-row int8 quantisation in float64: q = round(127·x / max|x|), the projecting
 * scale s = ‖x‖² / (x·q) (so that x·(s·q − x) = 0), and s0 = max|x| / 127.
 */
function quantizeRef(x: Float32Array, n: number, d: number) {
  const codes: number[] = [], scales: number[] = [], s0: number[] = [], norms: number[] = [];
  for (let i = 0; i < n; i++) {
    let m = 0, ss = 0, xq = 0;
    for (let j = 0; j < d; j++) { m = Math.max(m, Math.abs(x[i * d + j])); ss += x[i * d + j] ** 2; }
    for (let j = 0; j < d; j++) {
      const c = m > 0 ? Math.round((x[i * d + j] / m) * 127) : 0;
      codes.push(c);
      xq += x[i * d + j] * c;
    }
    scales.push(xq > 0 ? ss / xq : 0);
    s0.push(m / 127);
    norms.push(ss);
  }
  return { codes, scales, s0, norms };
}

/** quantize(t [n, d], { bits: 8, scales }) with its size, dim, scaling and bytes checked: d (or n) float32 scales. */
function quantizeChecked(t: sl.Tensor, scales: 'dimension' | 'row'): sl.search.QuantizedRefs {
  const [n, d] = t.shape;
  const qs = sl.search.quantize(t, { bits: 8, scales });
  const m = scales === 'row' ? n : d;
  assert.is(qs.scaling, scales);
  assert.is(qs.size, n);
  assert.is(qs.dim, d);
  assert.is(qs.bytes, n * d + 4 * m);
  assert.is(qs.scales.length, m);
  return qs;
}

/** Per-dimension scales in float64: s_j = max_i |x_ij| / 127 (rounded to float32), q = round(x / s). */
function quantizeDimsRef(x: Float32Array, n: number, d: number) {
  const scales = Array.from({ length: d }, (_, j) => {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(x[i * d + j]));
    return Math.fround(m / 127);
  });
  const codes = Array.from({ length: n * d }, (_, t) => {
    const s = scales[t % d];
    return s > 0 ? Math.max(-127, Math.min(127, Math.round(x[t] / s))) : 0;
  });
  return { codes, scales };
}

test('quantize (per-dimension scales, the default): column max / 127, codes within half a step, zero rows and columns, odd sizes, 4× smaller', () => {
  for (const [n, d] of [[1, 1], [7, 3], [33, 5], [7, 17], [1, 33], [33, 128], [5, 129]]) {
    const x = gaussian(n, d, n * 100 + d);
    x[0] = 0; // a zero element; a zero row and a zero column below
    if (n > 1) x.fill(0, d, 2 * d);
    if (d > 1) for (let i = 0; i < n; i++) x[i * d + 1] = 0;
    const t = sl.tensor(x, [n, d]);
    const qs = quantizeChecked(t, 'dimension');
    const want = quantizeDimsRef(x, n, d);
    const codes = qs.codes, scales = qs.scales;
    for (let j = 0; j < d; j++) assert.is(scales[j], want.scales[j], `scale ${j} (n ${n}, d ${d})`);
    for (let t2 = 0; t2 < n * d; t2++) {
      const q = codes[t2], s = scales[t2 % d];
      assert.is(q, want.codes[t2], `code ${t2} (n ${n}, d ${d})`);
      assert.ok(Math.abs(q) <= 127);
      // Half a step, up to the float32 rounding of s (relative 2⁻²⁴ of the column's max).
      assert.ok(Math.abs(x[t2] - s * q) <= s * 0.5 + 127 * s * 2 ** -23, `|x − s·q| ≤ s/2 at ${t2} (n ${n}, d ${d})`);
    }
    if (n > 1) assert.ok(codes.slice(d, 2 * d).every((c) => c === 0), 'a zero row has zero codes');
    if (d > 1) {
      assert.is(scales[1], 0, 'a zero column has scale 0');
      for (let i = 0; i < n; i++) assert.is(codes[i * d + 1], 0);
    }
    qs.dispose();
    t.dispose();
  }
  // 4× smaller than float32 (to two places) at the size of the MNIST embeddings, 8,000 × 64.
  const big = sl.randn([8000, 64], { seed: 5 });
  const bq = quantizeChecked(big, 'dimension');
  assert.is(((big.size * 4) / bq.bytes).toFixed(2), '4.00');
  const br = quantizeChecked(big, 'row');
  assert.is(((big.size * 4) / br.bytes).toFixed(2), '3.76');
  bq.dispose();
  br.dispose();
  big.dispose();
});

test('quantize (per-row scales): codes within one step of the float64 rounding, the projecting scale, error orthogonal to the row, size/dim/bytes', () => {
  for (const [n, d] of [[1, 1], [7, 3], [33, 5], [7, 17], [1, 33], [33, 128]]) {
    const x = gaussian(n, d, n * 100 + d);
    x[0] = 0; // a zero element; a zero row below
    if (n > 1) x.fill(0, d, 2 * d);
    const t = sl.tensor(x, [n, d]);
    const qs = quantizeChecked(t, 'row');
    const want = quantizeRef(x, n, d);
    const codes = qs.codes, scales = qs.scales;
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(scales[i] - want.scales[i]) <= 1e-6 * want.scales[i], `scale row ${i}: ${scales[i]} vs ${want.scales[i]}`);
      // The scale moves off max|x| / 127 by a fraction of a percent on Gaussian rows.
      assert.ok(Math.abs(scales[i] - want.s0[i]) <= 0.02 * want.s0[i], `scale row ${i} near max|x| / 127`);
      let xe = 0, ee = 0;
      for (let j = 0; j < d; j++) {
        const q = codes[i * d + j], v = x[i * d + j];
        assert.ok(Math.abs(q) <= 127);
        assert.ok(Math.abs(q - want.codes[i * d + j]) <= 1, `code [${i}, ${j}] ${q} vs ${want.codes[i * d + j]}`);
        // |x − s0·q| ≤ s0/2, and s·q is s0·q moved by |s − s0|·|q|.
        const bound = want.s0[i] * 0.5 + Math.abs(scales[i] - want.s0[i]) * Math.abs(q);
        assert.ok(Math.abs(v - scales[i] * q) <= bound * (1 + 1e-5) + 1e-30, `[${i}, ${j}] |x − s·q| ≤ s0/2 + |s − s0|·|q| (n ${n}, d ${d})`);
        const e = scales[i] * q - v;
        xe += v * e;
        ee += e * e;
      }
      // x·e = 0 up to the float32 rounding of s (relative 2⁻²⁴ of ‖x‖²).
      assert.ok(Math.abs(xe) <= 1e-6 * want.norms[i] + 1e-30, `row ${i}: x·(s·q − x) = ${xe}, ‖x‖² ${want.norms[i]}`);
      // ‖e‖ ≤ √d·s0/2 ·(1 + a percent): the projection costs the least-squares error next to nothing.
      assert.ok(Math.sqrt(ee) <= Math.sqrt(d) * want.s0[i] * 0.5 * 1.02 + 1e-30, `row ${i}: ‖e‖ ${Math.sqrt(ee)}`);
    }
    if (n > 1) {
      assert.is(scales[1], 0, 'a zero row has scale 0');
      assert.ok(codes.slice(d, 2 * d).every((c) => c === 0), 'and zero codes');
    }
    qs.dispose();
    t.dispose();
  }
});

test('i16_quantize_rows: 16-bit query codes of x (or x ∘ the set\'s dimension scales) within half a step, zero-padded to 16, the i32 bound on the dot product', () => {
  const e = getEngine();
  for (const d of [1, 3, 5, 17, 33, 128, 129, 4000]) for (const withScales of [false, true]) {
    const qmax = e.k.i16_query_code_max(d);
    const want = 127 * Math.floor(Math.min(32767, Math.floor((2 ** 31 - 1) / (127 * d))) / 127);
    assert.is(qmax, want, `code max at d ${d}`);
    assert.ok(d * qmax * 127 < 2 ** 31, `d·max|q|·127 fits i32 at d ${d}`);
    const n = 3, dp = (d + 15) & ~15;
    const x = gaussian(n, d, d + 5);
    x.fill(0, d, 2 * d); // a zero row: scale 0, codes 0
    const t = sl.tensor(x, [n, d]);
    // Dimension scales over five orders of magnitude (one of them 0), as a set's would be.
    const ds = Float32Array.from(gaussian(1, d, d + 6), (v, j) => (j === 2 ? 0 : Math.fround(Math.exp(2.5 * v) / 127)));
    const dsT = sl.tensor(ds, [d]);
    const w = e.alloc.alloc(n * dp * 2), sc = e.alloc.alloc(n * 4), nr = e.alloc.alloc(n * 4);
    e.k.i16_quantize_rows(t.ptr, n, d, withScales ? dsT.ptr : 0, w, sc, nr);
    const codes = new Int16Array(f32().buffer, w, n * dp).slice(), scales = f32().slice(sc >>> 2, (sc >>> 2) + n), norms = f32().slice(nr >>> 2, (nr >>> 2) + n);
    const tag = `d ${d}${withScales ? ' with dimension scales' : ''}`;
    for (let i = 0; i < n; i++) {
      const y = Array.from({ length: d }, (_, j) => x[i * d + j] * (withScales ? ds[j] : 1));
      let m = 0, ss = 0;
      for (let j = 0; j < d; j++) { m = Math.max(m, Math.abs(y[j])); ss += x[i * d + j] ** 2; }
      assert.ok(Math.abs(scales[i] - m / qmax) <= 1e-6 * scales[i], `scale ${i} at ${tag}`);
      assert.ok(Math.abs(norms[i] - ss) <= 1e-6 * ss, `squared norm ${i} (of x itself) at ${tag}`);
      for (let j = 0; j < dp; j++) {
        const c = codes[i * dp + j];
        if (j >= d) { assert.is(c, 0, `padding [${i}, ${j}]`); continue; }
        assert.ok(Math.abs(c) <= qmax);
        assert.ok(Math.abs(y[j] - scales[i] * c) <= scales[i] * 0.5 * (1 + 1e-3) + 1e-30, `|y − s·q| ≤ s/2 at [${i}, ${j}] ${tag}`);
      }
    }
    for (const p of [w, sc, nr]) e.alloc.free(p);
    t.dispose();
    dsT.dispose();
  }
});

test('i8_topk_scan: the kc smallest values of float64 integer dot products, both scale layouts, odd sizes, blocks, tails, excludeSelf', () => {
  const e = getEngine();
  // d = 128 puts 128 references in a kernel block: nb 300 spans three, the last of 44 rows
  // (not a whole number of eight-row register blocks); d = 129 pads each row to 144.
  for (const d of [1, 3, 5, 17, 33, 128, 129]) for (const scaling of ['dimension', 'row'] as const) {
    for (const [na, nb, kc] of [[1, 1, 1], [3, 7, 3], [2, 33, 5], [5, 17, 17], [3, 300, 10], [6, 9, 9]]) {
      const a = gaussian(na, d, d * 7 + na), b = gaussian(nb, d, d * 11 + nb);
      if (nb > 1) b.fill(0, d, 2 * d); // a zero row: cosine 1, Euclidean ‖a‖
      const ta = sl.tensor(a, [na, d]), tb = sl.tensor(b, [nb, d]);
      const qb = sl.search.quantize(tb, { scales: scaling });
      const cb = qb.codes, sv = qb.scales;
      const row = scaling === 'row';
      const rowScale = (j: number) => (row ? sv[j] : 1), dimScale = (p: number) => (row ? 1 : sv[p]);
      // The references' squared norms are those of their reconstructions r·(s ∘ q).
      const rn = Array.from({ length: nb }, (_, j) => { let c2 = 0; for (let p = 0; p < d; p++) c2 += (dimScale(p) * cb[j * d + p]) ** 2; return rowScale(j) ** 2 * c2; });
      const dp = (d + 15) & ~15;
      const wide = e.alloc.alloc(na * dp * 2), sa = e.alloc.alloc(na * 4), ssa = e.alloc.alloc(na * 4);
      e.k.i16_quantize_rows(ta.ptr, na, d, row ? 0 : qb.scalesPtr, wide, sa, ssa);
      const ca = new Int16Array(f32().buffer, wide, na * dp).slice(), sav = f32().slice(sa >>> 2, (sa >>> 2) + na), nav = f32().slice(ssa >>> 2, (ssa >>> 2) + na);
      const bestD = e.alloc.alloc((na * kc + 4) * 4), bestI = e.alloc.alloc((na * kc + 4) * 4);
      const scratch = e.alloc.alloc(e.k.i8_topk_scan_scratch_bytes(d));
      for (const kind of [QuantKind.sqeuclidean, QuantKind.negDot, QuantKind.cosine])
        for (const selfBase of nb >= na + kc ? [-1, 0] : [-1]) {
          e.k.f32_fill(bestD, Infinity, na * kc + 4);
          i32().fill(-1, bestI >>> 2, (bestI >>> 2) + na * kc + 4);
          e.k.i8_topk_scan(wide, sa, ssa, na, qb.codesPtr, row ? qb.scalesPtr : 0, row ? 0 : qb.scalesPtr, nb, d, kind, kc, 0, selfBase, bestD, bestI, scratch);
          const gotD = f32().slice(bestD >>> 2, (bestD >>> 2) + na * kc + 4), gotI = i32().slice(bestI >>> 2, (bestI >>> 2) + na * kc + 4);
          assert.equal(Array.from(gotI.subarray(na * kc)), [-1, -1, -1, -1], 'no write past the lists');
          const tag = `${scaling} scales, kind ${kind} d ${d} na ${na} nb ${nb} kc ${kc} selfBase ${selfBase}`;
          for (let i = 0; i < na; i++) {
            const want = Array.from({ length: nb }, (_, j) => {
              let dot = 0;
              for (let p = 0; p < d; p++) dot += ca[i * dp + p] * cb[j * d + p];
              const cross = sav[i] * rowScale(j) * dot, na2 = nav[i], nb2 = rn[j];
              const v = kind === QuantKind.sqeuclidean ? Math.max(0, na2 + nb2 - 2 * cross)
                : kind === QuantKind.negDot ? -cross
                : na2 > 0 && nb2 > 0 ? 1 - cross / Math.sqrt(na2 * nb2) : 1;
              return { j, v };
            }).filter((c) => !(selfBase >= 0 && c.j === selfBase + i)).sort((x, y) => x.v - y.v || x.j - y.j);
            const tol = kind === QuantKind.cosine ? 1e-5 : 1e-5 * (nav[i] + 1 + Math.max(...rn));
            for (let t = 0; t < kc; t++) {
              const j = gotI[i * kc + t];
              const ref = want.find((c) => c.j === j);
              assert.ok(ref !== undefined, `${tag}: query ${i} rank ${t} is ${j}, not a candidate`);
              assert.ok(Math.abs(gotD[i * kc + t] - ref!.v) <= tol, `${tag}: query ${i} value ${gotD[i * kc + t]} vs ${ref!.v}`);
              assert.ok(Math.abs(want[t].v - ref!.v) <= tol, `${tag}: query ${i} rank ${t} is ${j} (${ref!.v}), expected ${want[t].j} (${want[t].v})`);
            }
          }
        }
      for (const p of [wide, sa, ssa, bestD, bestI, scratch]) e.alloc.free(p);
      for (const x of [qb, ta, tb]) x.dispose();
    }
  }
});

/** Mean over queries of |approx ∩ exact| / k. */
function recall(exact: Int32Array, approx: Int32Array, nq: number, k: number): number {
  let hit = 0;
  for (let q = 0; q < nq; q++) {
    const want = new Set(exact.subarray(q * k, (q + 1) * k));
    for (const i of approx.subarray(q * k, (q + 1) * k)) if (want.has(i)) hit++;
  }
  return hit / (nq * k);
}

test('topK on a quantised set: recall@10 against exact float32 (128-d Gaussian, seeded)', () => {
  const n = 20000, d = 128, nq = 100, k = 10;
  const refs = sl.tensor(gaussian(n, d, 1), [n, d]), queries = sl.tensor(gaussian(nq, d, 2), [nq, d]);
  for (const scales of ['dimension', 'row'] as const) {
  const qs = sl.search.quantize(refs, { bits: 8, scales });
  for (const metric of ['euclidean', 'sqeuclidean', 'cosine', 'dot'] as const) {
    const exact = sl.search.topK(queries, refs, k, { metric });
    const plain = sl.search.topK(queries, qs, k, { metric });
    const reranked = sl.search.topK(queries, qs, k, { metric, rerank: 50, refs });
    const r0 = recall(exact.indices, plain.indices, nq, k), r1 = recall(exact.indices, reranked.indices, nq, k);
    assert.ok(r0 >= 0.95, `${scales} scales, ${metric}: recall@10 without rerank ${r0}`);
    assert.ok(r1 >= 0.99, `${scales} scales, ${metric}: recall@10 with rerank ${r1}`);
    // Approximate distances close to exact; re-ranked ones are the float32 values.
    for (let t = 0; t < nq * k; t++) {
      if (plain.indices[t] === exact.indices[t]) assert.ok(Math.abs(plain.distances[t] - exact.distances[t]) <= 0.02 * Math.abs(exact.distances[t]) + 0.05, `${metric} distance ${t}`);
      if (reranked.indices[t] === exact.indices[t]) assert.ok(Math.abs(reranked.distances[t] - exact.distances[t]) <= 1e-4 * (Math.abs(exact.distances[t]) + 1), `${metric} reranked distance ${t}`);
    }
    // sorted nearest first (largest first for dot)
    for (let q = 0; q < nq; q++) for (let j = 1; j < k; j++) {
      const a = plain.distances[q * k + j - 1], b = plain.distances[q * k + j];
      assert.ok(metric === 'dot' ? a >= b : a <= b);
    }
  }
  qs.dispose();
  }
  refs.dispose();
  queries.dispose();
});

test('topK on a quantised set: exact on data the codes represent exactly; ties keep the lower index; excludeSelf; k = set size', () => {
  // Integer rows with max |x| = 127 and columns with max |x| = 127 quantise exactly (scale 1).
  const d = 5, n = 9;
  const rng = new Rng(3);
  const x = Float32Array.from({ length: n * d }, (_, i) => (i % d === 0 ? 127 : Math.round(rng.uniform() * 40 - 20)));
  x.set(x.subarray(0, d), 4 * d); // row 4 duplicates row 0: the tie goes to index 0 first
  x.fill(-127, 7 * d, 8 * d);
  const refs = sl.tensor(x, [n, d]);
  for (const scales of ['dimension', 'row'] as const) {
  const qs = sl.search.quantize(refs, { scales });
  for (const metric of ['euclidean', 'sqeuclidean', 'cosine', 'dot'] as const) {
    const want = sl.search.topK(refs, refs, n, { metric });
    const got = sl.search.topK(refs, qs, n, { metric });
    assert.equal(Array.from(got.indices), Array.from(want.indices), metric);
    for (let t = 0; t < n * n; t++) assert.ok(Math.abs(got.distances[t] - want.distances[t]) <= 1e-3 * (Math.abs(want.distances[t]) + 1), `${metric} ${t}`);
    const wantEx = sl.search.topK(refs, refs, n - 1, { metric, excludeSelf: true });
    const gotEx = sl.search.topK(refs, qs, n - 1, { metric, excludeSelf: true });
    assert.equal(Array.from(gotEx.indices), Array.from(wantEx.indices), `${metric} excludeSelf`);
    const gotRr = sl.search.topK(refs, qs, 3, { metric, excludeSelf: true, rerank: 100, refs });
    assert.equal(Array.from(gotRr.indices), Array.from(sl.search.topK(refs, refs, 3, { metric, excludeSelf: true }).indices), `${metric} excludeSelf rerank`);
  }
  qs.dispose();
  }
  refs.dispose();
});

test('rerank: exact float32 values of every metric by index (float64 reference); dot products at extreme magnitudes through the rescaling path', () => {
  const n = 301, d = 33, nq = 5, k = 4;
  const rv = gaussian(n, d, 21), qv = gaussian(nq, d, 22);
  const refs = sl.tensor(rv, [n, d]), queries = sl.tensor(qv, [nq, d]);
  const qs = sl.search.quantize(refs);
  for (const metric of ['euclidean', 'sqeuclidean', 'cosine', 'dot'] as const) {
    const got = sl.search.topK(queries, qs, k, { metric, rerank: n, refs }); // every reference re-ranked: exact search
    const D = cdistRef(qv, rv, nq, n, d, metric);
    for (let i = 0; i < nq; i++) {
      const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => (metric === 'dot' ? D[i * n + b] - D[i * n + a] : D[i * n + a] - D[i * n + b]) || a - b);
      assert.equal(Array.from(got.indices.subarray(i * k, (i + 1) * k)), order.slice(0, k), `${metric} query ${i}`);
      for (let t = 0; t < k; t++) {
        const e = D[i * n + order[t]];
        assert.ok(Math.abs(got.distances[i * k + t] - e) <= 2e-5 * (1 + Math.abs(e)), `${metric} query ${i} rank ${t}: ${got.distances[i * k + t]} vs ${e}`);
      }
    }
  }
  for (const scale of [1e-20, 1e17]) {
    const r = sl.tensor(rv.map((v) => v * scale), [n, d]), q = sl.tensor(qv.map((v) => v * scale), [nq, d]);
    const set = sl.search.quantize(r);
    const got = sl.search.topK(q, set, k, { metric: 'dot', rerank: n, refs: r });
    const want = sl.search.topK(q, r, k, { metric: 'dot' });
    assert.equal(Array.from(got.indices), Array.from(want.indices), `dot at ${scale}`);
    for (let t = 0; t < nq * k; t++) assert.ok(Math.abs(got.distances[t] - want.distances[t]) <= 1e-5 * Math.abs(want.distances[t]), `dot at ${scale}: ${got.distances[t]} vs ${want.distances[t]}`);
    for (const x of [set, r, q]) x.dispose();
  }
  // A non-finite value in a re-ranked row is named as every distance names it.
  const bad = rv.slice();
  const set = sl.search.quantize(refs);
  for (const v of [NaN, Infinity]) {
    bad[7 * d + 3] = v;
    const r = sl.tensor(bad, [n, d]);
    for (const metric of ['euclidean', 'dot'] as const) {
      assert.throws(() => sl.search.topK(queries, set, k, { metric, rerank: n, refs: r }), (err: Error) => err.message === `search.topK: y has a non-finite value (${v}) at [7, 3] of [${n}, ${d}]`, `${v} ${metric}`);
    }
    r.dispose();
  }
  set.dispose();
  qs.dispose();
  refs.dispose();
  queries.dispose();
});

test('zero vectors: a zero query and zero references match float32 topK', () => {
  const d = 3;
  const x = new Float32Array([0, 0, 0, 1, 2, 3, 0, 0, 0, -1, 0.5, 2]);
  const refs = sl.tensor(x, [4, d]), zq = sl.tensor(new Float32Array(d), [1, d]);
  const qs = sl.search.quantize(refs);
  for (const metric of ['euclidean', 'sqeuclidean', 'cosine', 'dot'] as const) {
    for (const q of [zq, refs]) {
      const want = sl.search.topK(q, refs, 4, { metric }), got = sl.search.topK(q, qs, 4, { metric });
      assert.equal(Array.from(got.indices), Array.from(want.indices), `${metric} ${q === zq ? 'zero query' : 'refs'}`);
      for (let t = 0; t < got.distances.length; t++) assert.ok(Math.abs(got.distances[t] - want.distances[t]) <= 0.02 * (Math.abs(want.distances[t]) + 1), `${metric} ${t}: ${got.distances[t]} vs ${want.distances[t]}`);
    }
  }
  qs.dispose();
  refs.dispose();
  zq.dispose();
});

test('magnitudes: power-of-two scalings give the same codes and scaled scales; huge and subnormal values quantise without overflow', () => {
  const n = 5, d = 17;
  const x = gaussian(n, d, 41);
  const xt = sl.tensor(x, [n, d]);
  for (const scales of ['dimension', 'row'] as const) {
    const base = sl.search.quantize(xt, { scales });
    for (const p of [-100, -60, 60, 100]) {
      const f = 2 ** p;
      const t = sl.tensor(x.map((v) => v * f), [n, d]);
      const qs = sl.search.quantize(t, { scales });
      assert.equal(Array.from(qs.codes), Array.from(base.codes), `${scales}: codes at 2^${p}`);
      const s = qs.scales, s1 = base.scales;
      for (let i = 0; i < s.length; i++) assert.is(s[i], Math.fround(s1[i] * f), `${scales}: scale ${i} at 2^${p}`);
      qs.dispose();
      t.dispose();
    }
    base.dispose();
  }
  xt.dispose();
  // Near float32's largest value: the column maxima and codes stay finite.
  const huge = Float32Array.from(gaussian(3, 5, 43), (v, i) => (i === 0 ? 3.4e38 : v * 1e37));
  const ht = sl.tensor(huge, [3, 5]);
  const hq = sl.search.quantize(ht), hw = quantizeDimsRef(huge, 3, 5);
  assert.equal(Array.from(hq.codes), hw.codes, 'codes near float32 max');
  assert.equal(Array.from(hq.scales), hw.scales);
  assert.ok(hq.scales.every(Number.isFinite));
  hq.dispose();
  ht.dispose();
  // Subnormal rows: 1 / s (and 127 / max|x|) is beyond float32; codes and scales stay right.
  const sub = new Float32Array([1e-40, -3e-41, 0, 5e-42, 2e-45, -1e-45]);
  const t = sl.tensor(sub, [1, 6]);
  const qs = sl.search.quantize(t, { scales: 'row' });
  const want = quantizeRef(sub, 1, 6);
  assert.equal(Array.from(qs.codes), want.codes);
  assert.ok(Math.abs(qs.scales[0] - want.scales[0]) <= 1e-6 * want.scales[0] + 1.5e-45, `subnormal scale ${qs.scales[0]} vs ${want.scales[0]}`);
  qs.dispose();
  const sub2 = new Float32Array([1e-40, -3e-41, 0, 5e-42, 2e-45, -1e-45, -2e-40, 3e-41, 1e-45, -5e-42, 0, 1e-45]);
  const t2 = sl.tensor(sub2, [2, 6]);
  const qd = sl.search.quantize(t2), wd = quantizeDimsRef(sub2, 2, 6);
  assert.equal(Array.from(qd.codes), wd.codes, 'subnormal codes under dimension scales');
  assert.equal(Array.from(qd.scales), wd.scales);
  qd.dispose();
  t2.dispose();
  t.dispose();
});

test('near neighbours: a row searched for itself comes first at its reconstruction\'s distance; tight clusters ranked close to float32', () => {
  // 400 rows within 1% (10%) of one centre (norm ~ 1), in 64 dimensions: a member's neighbours
  // sit closer than the rows' own quantisation error relative to ‖x‖ (~0.5%). The max-abs
  // scale's error grows with ‖a‖ (recall@10 0.07 and 0.67 here, the query itself first for 1
  // of 40 at 1%); the projecting scale's with ‖a − x‖.
  const n = 400, d = 64, nq = 40, k = 10;
  for (const [spread, minRecall] of [[0.01, 0.5], [0.1, 0.9]]) {
    const rng = new Rng(77);
    const c = Float32Array.from({ length: d }, () => rng.normal() / Math.sqrt(d));
    const x = Float32Array.from({ length: n * d }, (_, i) => c[i % d] + (spread * rng.normal()) / Math.sqrt(d));
    const refs = sl.tensor(x, [n, d]);
    const queries = sl.tensor(x.slice(0, nq * d), [nq, d]); // identical to the first rows
    for (const scaling of ['dimension', 'row'] as const) {
    const qs = sl.search.quantize(refs, { scales: scaling });
    const codes = qs.codes, scales = qs.scales;
    const scale = (q: number, p: number) => (scaling === 'row' ? scales[q] : scales[p]);
    for (const metric of ['euclidean', 'sqeuclidean', 'cosine'] as const) {
      const exact = sl.search.topK(queries, refs, k, { metric });
      const got = sl.search.topK(queries, qs, k, { metric });
      const tag = `${scaling} scales, ${metric} spread ${spread}`;
      for (let q = 0; q < nq; q++) {
        assert.is(got.indices[q * k], q, `${tag}: query ${q} finds itself first`);
        // The value of x against its reconstruction x̂ = s·q in float64 (‖e‖² ~ 2e-5 at 1%); the
        // rest is the query's 16-bit rounding, −2 (q̂ − x)·x̂, up to ~1e-5 here (‖x‖² ~ 1).
        let e2 = 0, xh = 0, hh = 0, xx = 0;
        for (let p = 0; p < d; p++) {
          const v = x[q * d + p], h = scale(q, p) * codes[q * d + p];
          e2 += (v - h) ** 2; xh += v * h; hh += h * h; xx += v * v;
        }
        const want = metric === 'euclidean' ? Math.sqrt(e2) : metric === 'sqeuclidean' ? e2 : 1 - xh / Math.sqrt(xx * hh);
        const self = got.distances[q * k];
        const off = metric === 'euclidean' ? Math.abs(self * self - e2) : Math.abs(self - want);
        assert.ok(off <= 3e-5, `${tag}: self distance ${self} vs ${want}`);
      }
      const r = recall(exact.indices, got.indices, nq, k);
      assert.ok(r >= minRecall, `${tag}: recall@10 ${r}`);
    }
    qs.dispose();
    }
    refs.dispose();
    queries.dispose();
  }
});

test('errors: bad options, k larger than the set, shapes, rerank without refs, disposed set', () => {
  const refs = sl.tensor(gaussian(6, 4, 9), [6, 4]), q = sl.tensor(gaussian(2, 4, 10), [2, 4]);
  const qs = sl.search.quantize(refs);
  assert.throws(() => sl.search.quantize(refs, { bit: 8 } as any), /search\.quantize: unknown option 'bit'; did you mean 'bits'/);
  assert.throws(() => sl.search.quantize(refs, { bits: 4 }), /search\.quantize: bits must be 8/);
  assert.throws(() => sl.search.quantize(refs, { scales: 'column' } as any), /search\.quantize: option scales must be one of 'dimension', 'row', got/);
  assert.throws(() => sl.search.quantize(sl.tensor([1, 2, 3], [3])), /search\.quantize: refs must be 2-D \[n, d\], got \[3\]/);
  assert.throws(() => sl.search.topK(q, qs, 2, { rerank: 4, refz: refs } as any), /search\.topK: unknown option 'refz'; did you mean 'refs'/);
  assert.throws(() => sl.search.topK(q, qs, 2, { metric: 'manhattan' } as any), /search\.topK: a quantised set supports metric 'euclidean', 'sqeuclidean', 'cosine', 'dot', got 'manhattan'/);
  assert.throws(() => sl.search.topK(q, qs, 7), /search\.topK: k = 7 but the quantised set \[6, 4\] has only 6 candidates per query/);
  assert.throws(() => sl.search.topK(refs, qs, 6, { excludeSelf: true }), /only 5 candidates per query \(excludeSelf\)/);
  assert.throws(() => sl.search.topK(q, qs, 0), /k must be a positive integer, got 0/);
  assert.throws(() => sl.search.topK(q, qs, 2, { rerank: 4 }), /search\.topK: rerank needs the float32 refs/);
  assert.throws(() => sl.search.topK(q, qs, 3, { rerank: 2, refs }), /search\.topK: rerank must be at least k = 3, got 2/);
  assert.throws(() => sl.search.topK(q, qs, 2, { rerank: 4, refs: q }), /search\.topK: refs must be the \[6, 4\] float32 rows the quantised set was made from, got \[2, 4\]/);
  assert.throws(() => sl.search.topK(sl.tensor([1, 2, 3], [1, 3]), qs, 2), /search\.topK: queries must be \[n, 4\] to match the quantised set \[6, 4\], got \[1, 3\]/);
  assert.throws(() => sl.search.topK(q, qs, 1, { excludeSelf: true }), /search\.topK: excludeSelf drops reference i for query i, so query i must be reference i; row 0 of queries \[2, 4\] differs/);
  assert.throws(() => sl.search.topK(q, qs, 2, { rerank: 3, refs, excludeSelf: true }), /excludeSelf drops reference i/);
  const qsRow = sl.search.quantize(refs, { scales: 'row' });
  assert.throws(() => sl.search.topK(q, qsRow, 1, { excludeSelf: true }), /search\.topK: excludeSelf drops reference i for query i, so query i must be reference i; row 0 of queries \[2, 4\] differs/);
  qsRow.dispose();
  assert.throws(() => sl.search.topK(q, refs, 2, { rerank: 3 } as any), /search\.topK: unknown option 'rerank'/);
  qs.dispose();
  assert.ok(qs.isDisposed);
  assert.throws(() => sl.search.topK(q, qs, 2), /search\.topK: the quantised set \[6, 4\] was disposed and cannot be used/);
  refs.dispose();
  q.dispose();
});

test.run();
