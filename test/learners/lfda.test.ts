// LFDA's kernels (assembly/kernels/lfda.ts) against float64 loops at odd sizes, and LFDA.fit
// against a float64 port of metric-learn's scatter matrices (test/ref/lfda.ts) where the
// classes are awkward: a singleton, classes smaller than k, duplicate points, a feature
// constant within a class, labels out of order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { withF64Scope } from '../../src/ops/f64-linalg';
import { getEngine } from '../../src/wasm/instance';
import { sklearnSqDistancesRef } from '../ref/f64-linalg';
import { lfdaMetricRef } from '../ref/lfda';
import { assertClose } from '../helpers/close';

await sl.init();

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const rand = (n: number, seed: number, scale = 1, offset = 0) => {
  const r = lcg(seed);
  return Float64Array.from({ length: n }, () => offset + scale * r());
};
const SIZES = [1, 2, 3, 5, 17, 33];

test('f64_lfda_distance_column: column k of scikit-learn’s squared distances bit for bit (in-order sums, clipped, 0 at k)', () => {
  const { k: kk } = getEngine();
  for (const n of SIZES)
    for (const d of [1, 3, 17]) {
      const x = rand(n * d, 300 + n * d, 1, 3);
      if (n > 2) x.set(x.subarray(0, d), 2 * d); // a duplicate row: −2x·x + 2‖x‖² rounds to ±ε, clipped
      const want = sklearnSqDistancesRef(x, n, d);
      for (const k of new Set([0, n >> 1, n - 1])) {
        const got = withF64Scope((s) => {
          const out = s.out64(n);
          kk.f64_lfda_distance_column(s.f64(x), n, d, k, out);
          return s.read(out, n);
        });
        for (let i = 0; i < n; i++) if (got[i] !== want[i * n + k]) assert.unreachable(`n ${n} d ${d} k ${k}: row ${i} is ${got[i]}, expected ${want[i * n + k]}`);
      }
    }
});

test('f32_lfda_centre: in-order means, exact for constant columns; z = f32((x − mean)·s) and zᵀ, s the power of two putting max |x − mean| in [0.5, 1)', () => {
  const { k: kk } = getEngine();
  for (const n of SIZES)
    for (const d of [1, 2, 3, 5, 6])
      for (const [scale, offset] of [[1, 0], [1e30, 3e30], [1e-30, 0], [0.1, 0.1]]) {
        const x = rand(n * d, 7 * n + d, scale, offset);
        if (d > 1) for (let i = 0; i < n; i++) x[i * d + 1] = 0.1; // zero variance (0.1·n/n ≠ 0.1 in float64 for n = 3)
        // z2: rows 2d + 1 floats apart, z at column d + 1 (as LFDA's [(D − 2Uᵀ)z | z] rows), the rest untouched
        const ld2 = 2 * d + 1;
        const { mean, z, z2, s } = withF64Scope((sc) => {
          const pm = sc.out64(d), pz = sc.f32(n * d), pz2 = sc.f32(n * ld2);
          sc.viewF32(pz2, n * ld2).fill(NaN);
          const s = kk.f32_lfda_centre(sc.f64(x), n, d, pm, pz, pz2 + (d + 1) * 4, ld2, sc.out64(d), sc.out64(d));
          return { mean: sc.read(pm, d), z: Float32Array.from(sc.viewF32(pz, n * d)), z2: Float32Array.from(sc.viewF32(pz2, n * ld2)), s };
        });
        let big = 0;
        for (let t = 0; t < d; t++) {
          let sum = 0, constant = true;
          for (let i = 0; i < n; i++) {
            sum += x[i * d + t];
            constant &&= x[i * d + t] === x[t];
          }
          assert.is(mean[t], constant ? x[t] : sum / n, `n ${n} d ${d} scale ${scale}: mean ${t}`);
          for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(x[i * d + t] - mean[t]));
        }
        assert.is(Math.log2(s), Math.round(Math.log2(s)), `s = ${s} is a power of two`);
        if (big === 0) assert.is(s, 1);
        else assert.ok(big * s >= 0.5 && big * s < 1, `n ${n} d ${d} scale ${scale}: max |x − mean|·s = ${big * s}`);
        for (let i = 0; i < n * d; i++) {
          assert.is(z[i], Math.fround((x[i] - mean[i % d]) * s), `z[${i}]`);
          assert.is(z2[Math.floor(i / d) * ld2 + d + 1 + (i % d)], z[i], `z2 at z[${i}]`);
        }
        for (let i = 0; i < n; i++) for (let t = 0; t <= d; t++) assert.ok(Number.isNaN(z2[i * ld2 + t]), `z2 row ${i} column ${t} untouched`);
        if (d > 1) for (let i = 0; i < n; i++) assert.is(z[i * d + 1], 0, 'a constant column centres to exact zeros');
      }
});

/** z [n, d] f32 with duplicates and far points, its float64 Gram matrix rounded to f32, and 1/σ with zeros. */
function affinityCase(n: number, d: number, seed: number) {
  const r = lcg(seed);
  const z = Float32Array.from({ length: n * d }, () => 0.9 * r());
  if (n > 3) z.copyWithin(3 * d, 0, d); // point 3 repeats point 0: A = e⁰ = 1
  if (n > 4) for (let t = 0; t < d; t++) z[4 * d + t] = 0.99; // far from the rest
  const gram = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let g = 0;
      for (let t = 0; t < d; t++) g += z[i * d + t] * z[j * d + t];
      gram[i * n + j] = g;
    }
  const sigma = Float64Array.from({ length: n }, () => 0.05 + 0.5 * (r() + 1));
  if (n > 2) sigma[2] = 0; // a point whose k-th neighbour coincides with it
  const rinv = Float32Array.from(sigma, (v) => (v > 0 ? 1 / v : 0));
  return { z, gram, sigma, rinv };
}

test('f32_lfda_affinity: −2·exp(−‖zᵢ − zⱼ‖²/σᵢσⱼ) above the diagonal from the Gram matrix, 0 where σ = 0, the row sums of A on it, nothing below', () => {
  const { k: kk } = getEngine();
  for (const n of SIZES)
    for (const d of [1, 3, 5, 17]) {
      const { z, gram, sigma, rinv } = affinityCase(n, d, 11 * n + d);
      const u = withF64Scope((s) => {
        const pg = s.f32(n * n), pr = s.f32(n), pu = s.f32(n * n);
        s.viewF32(pg, n * n).set(gram);
        s.viewF32(pr, n).set(rinv);
        s.viewF32(pu, n * n).fill(NaN);
        kk.f32_lfda_affinity(pg, pr, n, pu, s.f32(n), s.f32(n));
        return Float32Array.from(s.viewF32(pu, n * n));
      });
      // float64: the distances from the points themselves, not the Gram matrix
      const A = new Float64Array(n * n), rowSum = new Float64Array(n), bound = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          if (i === j || sigma[i] * sigma[j] === 0) continue;
          let dist = 0, norms = 0;
          for (let t = 0; t < d; t++) {
            dist += (z[i * d + t] - z[j * d + t]) ** 2;
            norms += z[i * d + t] ** 2 + z[j * d + t] ** 2;
          }
          const x = dist / (sigma[i] * sigma[j]);
          A[i * n + j] = Math.exp(-x);
          rowSum[i] += A[i * n + j];
          // the Gram form's cancellation (≈ d·u·(‖zᵢ‖² + ‖zⱼ‖²)), σ in float32, exp4's 2 ulp
          bound[i * n + j] = A[i * n + j] * ((4 * d + 8) * 2 ** -24 * (norms / (sigma[i] * sigma[j]) + x) + 4 * 2 ** -24);
        }
      const upper = (M: ArrayLike<number>) => Float64Array.from({ length: (n * (n - 1)) / 2 }, (_, q) => {
        let i = 0, r = q;
        while (r >= n - 1 - i) r -= n - 1 - i++;
        return M[i * n + i + 1 + r];
      });
      // below e^−86.6 (3e-38) the float32 exponential is 0
      assertClose(upper(Float64Array.from(u, (v) => -v / 2)), upper(A), { bound: upper(bound), atol: 3e-38 }, `n ${n} d ${d}: A`);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (!Number.isNaN(u[i * n + j])) assert.unreachable(`n ${n} d ${d}: u[${i}, ${j}] below the diagonal was written`);
      if (n > 2) for (let j = 3; j < n; j++) assert.ok(u[2 * n + j] === 0 && (j > 2 || u[j * n + 2] === 0), 'σ = 0: row 0');
      if (n > 2) for (let i = 0; i < 2; i++) assert.is(u[i * n + 2], 0, 'σ = 0: column 0');
      if (n > 3 && sigma[0] * sigma[3] > 0) assert.is(u[3], -2, 'a repeated point: −2e⁰');
      const diag = Float64Array.from({ length: n }, (_, i) => u[i * n + i]);
      assertClose(diag, rowSum, { atol: 1e-30, rtol: n * 4e-7 + 2e-6 }, `n ${n} d ${d}: the row sums`);
    }
});

/** The float64 lz [n, d] = Tᵀz for T the upper triangle of u [n, n] with its diagonal. */
function laplacianRef(u: ArrayLike<number>, z: ArrayLike<number>, n: number, d: number): { lz: Float64Array; bound: Float64Array } {
  const lz = new Float64Array(n * d), bound = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < d; t++) {
      let sum = 0, abs = 0;
      for (let p = 0; p <= i; p++) {
        sum += u[p * n + i] * z[p * d + t];
        abs += Math.abs(u[p * n + i] * z[p * d + t]);
      }
      lz[i * d + t] = sum;
      // float32 products summed in order: (i + 2)·u·Σ|terms|
      bound[i * d + t] = (i + 2) * 2 ** -24 * abs;
    }
  return { lz, bound };
}

test('f32_lfda_laplacian: lz = Tᵀz for T the upper triangle of u with its diagonal, below it never read; odd sizes and past the k, row and column blocks', () => {
  const { k: kk, gemmWorkspace: ws } = getEngine();
  const cases: [number, number][] = [];
  for (const n of SIZES) for (const d of [1, 3, 8, 17]) cases.push([n, d]);
  cases.push([121, 9], [257, 5], [300, 13], [37, 513], [263, 530]);
  for (const [n, d] of cases) {
    const u = Float32Array.from(rand(n * n, 3 * n + d), Math.fround), z = Float32Array.from(rand(n * d, 5 * n + d), Math.fround);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) u[i * n + j] = NaN; // below the diagonal: not to be read
    const ldl = 2 * d + 1;
    const lz = withF64Scope((s) => {
      const pu = s.f32(n * n), pz = s.f32(n * d), pl = s.f32(n * ldl);
      s.viewF32(pu, n * n).set(u);
      s.viewF32(pz, n * d).set(z);
      s.viewF32(pl, n * ldl).fill(7);
      kk.f32_lfda_laplacian(pu, pz, pl, n, d, ldl, ws);
      return Float32Array.from(s.viewF32(pl, n * ldl));
    });
    const want = laplacianRef(u, z, n, d);
    const got = Float64Array.from({ length: n * d }, (_, q) => lz[Math.floor(q / d) * ldl + (q % d)]);
    assertClose(got, want.lz, { bound: want.bound, atol: 1e-30 }, `n ${n} d ${d}`);
    for (let i = 0; i < n; i++) for (let t = d; t < ldl; t++) if (lz[i * ldl + t] !== 7) assert.unreachable(`n ${n} d ${d}: lz[${i}, ${t}] past the d columns was written`);
  }
});

test('f64_lfda_gather: the rows in the given order when X is finite; else the first non-finite flat index, nothing gathered', () => {
  const { k: kk } = getEngine();
  for (const n of SIZES)
    for (const d of [1, 2, 3, 5]) {
      const x = rand(n * d, 13 * n + d);
      const order = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % n);
      const run = (xs: Float64Array) =>
        withF64Scope((s) => {
          const po = s.out64(n * d);
          s.view(po, n * d).fill(-5);
          const r = kk.f64_lfda_gather(s.f64(xs), s.i32(order), po, n, d);
          return { r, out: s.read(po, n * d) };
        });
      const ok = run(x);
      assert.is(ok.r, -1);
      for (let k = 0; k < n; k++) for (let t = 0; t < d; t++) assert.is(ok.out[k * d + t], x[order[k] * d + t]);
      for (const bad of [NaN, Infinity, -Infinity])
        for (const at of new Set([0, n * d - 1, (n * d) >> 1])) {
          const xb = x.slice();
          xb[at] = bad;
          if (at + 1 < n * d) xb[n * d - 1] = -bad; // a later one too: the first is named
          const r = run(xb);
          assert.is(r.r, at, `n ${n} d ${d}: ${bad} at ${at}`);
          assert.ok(r.out.every((v) => v === -5), 'nothing gathered');
        }
    }
});

test('LFDA.fit: non-finite X is a clear error naming the flat index, as every learner names it', () => {
  const { X, y } = dataset([20, 30], 3, 5, 0);
  X[7][2] = Infinity;
  assert.throws(() => new sl.learners.LFDA().fit(X, y), /^LFDA\.fit: X has a non-finite value \(Infinity\) at flat index 23$/);
});

test('f64_lfda_scatter_add: sw += cw·G, sb += cb·G + cwb·W in float64, bit for bit', () => {
  const { k: kk } = getEngine();
  for (const d of [1, 3, 17]) {
    const g = Float32Array.from(rand(d * d, d), Math.fround), w = Float32Array.from(rand(d * d, d + 1), Math.fround);
    const sw0 = rand(d * d, d + 2), sb0 = rand(d * d, d + 3);
    const [cw, cb, cwb] = [1 / 3, 1 / 7, 0.3];
    const { sw, sb } = withF64Scope((s) => {
      const pg = s.f32(d * d), pw = s.f32(d * d), psw = s.f64(sw0), psb = s.f64(sb0);
      s.viewF32(pg, d * d).set(g);
      s.viewF32(pw, d * d).set(w);
      kk.f64_lfda_scatter_add(pg, pw, d, cw, cb, cwb, psw, psb);
      return { sw: s.read(psw, d * d), sb: s.read(psb, d * d) };
    });
    for (let i = 0; i < d * d; i++) {
      assert.is(sw[i], sw0[i] + cw * g[i]);
      assert.is(sb[i], sb0[i] + (cb * g[i] + cwb * w[i]));
    }
  }
});

/** Classes of the given sizes in d dimensions, labels shuffled, centres apart, with extra structure by flag. */
function dataset(sizes: number[], d: number, seed: number, offset: number) {
  const r = lcg(seed);
  const X: number[][] = [], y: number[] = [];
  sizes.forEach((m, c) => {
    for (let i = 0; i < m; i++) {
      y.push(10 - 3 * c); // labels not in order of first appearance
      X.push(Array.from({ length: d }, (_, t) => offset + (t === c % d ? 2 : 0) + (1 + 0.3 * t) * r()));
    }
  });
  // shuffle rows (the fit sorts by class; the reference filters)
  for (let i = X.length - 1; i > 0; i--) {
    const j = Math.floor(((r() + 1) / 2) * (i + 1)) % (i + 1);
    [X[i], X[j]] = [X[j], X[i]];
    [y[i], y[j]] = [y[j], y[i]];
  }
  return { X, y };
}

test('LFDA.fit: M as the float64 scatter matrices give it (Sw⁻¹ Sb Sw⁻¹) on awkward classes', () => {
  const cases: [string, number[], number, number | null, (X: number[][], y: number[]) => void][] = [
    ['a singleton class and classes smaller than k (k shrinks and stays shrunk)', [40, 1, 3, 33, 17], 5, null, () => {}],
    ['duplicate points', [33, 17, 21], 3, 4, (X) => {
      X[5] = X[0].slice();
      X[9] = X[0].slice();
    }],
    ['a feature constant within one class', [33, 25, 19], 4, null, (X, y) => X.forEach((row, i) => y[i] === 10 && (row[2] = 0.1))],
    ['far from the origin (the classes are centred before float32)', [30, 31], 3, 2, () => {}],
    ['odd sizes, d = 1 (k = 0: the local scales are column 0 partitioned at 0)', [5, 3, 17], 1, null, () => {}],
  ];
  for (const [what, sizes, d, k, tweak] of cases) {
    const { X, y } = dataset(sizes, d, sizes.length * 7 + d, what.startsWith('far') ? 1e4 : 0);
    tweak(X, y);
    const n = X.length;
    const kEff = k === null ? Math.min(7, d - 1) : k >= d ? d - 1 : k;
    const want = lfdaMetricRef(X.flat(), y, n, d, kEff);
    const got = new sl.learners.LFDA(k === null ? {} : { k }).fit(X, y).metricF64();
    let num = 0, den = 0;
    for (let i = 0; i < d * d; i++) {
      num = Math.max(num, Math.abs(got[i] - want[i]));
      den = Math.max(den, Math.abs(want[i]));
    }
    assert.ok(num / den < 2e-5, `${what}: max |ΔM| / max |M| = ${num / den}`);
  }
});

test('LFDA.fit: a feature constant over all points leaves Sw singular: a clear error, as metric-learn cannot solve it either', () => {
  const { X, y } = dataset([20, 30], 3, 5, 0);
  X.forEach((row) => (row[1] = 0.1));
  assert.throws(() => new sl.learners.LFDA().fit(X, y), /LFDA\.fit: B \[3, 3\] is not positive definite \(Cholesky pivot 1/);
});

test.run();
