// The float64 kernels of the stochastic-neighbour learners and ITML's bounds
// (assembly/kernels/learner-grads.ts) against float64 references (test/ref/gemm.ts,
// test/ref/learners.ts) on odd sizes around the 2-lane and 4-row tiles, with guard elements
// after every buffer; NCA's and MLKR's objective and gradient (src/learners/neighbourhood.ts)
// against the float64 objectives of test/ref/learners.ts and their central differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { NeighbourObjective, neighbourProblem } from '../../src/learners/neighbourhood';
import { f64, getEngine } from '../../src/wasm/instance';
import { assertClose } from '../helpers/close';
import { gemmRef } from '../ref/gemm';
import { mlkrObjectiveRef, ncaObjectiveRef, neighbourWeightsRef } from '../ref/learners';

await sl.init();
const SIZES = [1, 3, 5, 17, 33];
const GUARD = 9;
const SENTINEL = -4242.25;
const EPS = 2 ** -52;

/** f64 buffers with guards: run fn on their pointers, check the guards, return the contents, free. */
function withF64(label: string, inputs: ArrayLike<number>[], fn: (ptrs: number[]) => number | void): { out: Float64Array[]; ret: number | void } {
  const { alloc } = getEngine();
  const ptrs = inputs.map((a) => alloc.alloc(8 * (a.length + GUARD)));
  try {
    inputs.forEach((a, i) => {
      f64().set(a, ptrs[i] >>> 3);
      f64().fill(SENTINEL, (ptrs[i] >>> 3) + a.length, (ptrs[i] >>> 3) + a.length + GUARD);
    });
    const ret = fn(ptrs);
    const v = f64();
    inputs.forEach((a, i) => {
      for (let g = 0; g < GUARD; g++) assert.is(v[(ptrs[i] >>> 3) + a.length + g], SENTINEL, `${label}: buffer ${i} written past its end`);
    });
    return { out: inputs.map((a, i) => v.slice(ptrs[i] >>> 3, (ptrs[i] >>> 3) + a.length)), ret };
  } finally {
    for (const p of ptrs) alloc.free(p);
  }
}

const rng = new Rng(11);
const normals = (n: number, scale = 1) => Float64Array.from({ length: n }, () => scale * rng.normal());
const nan = (n: number) => new Float64Array(n).fill(NaN);
/** |C − ref| ≤ 2k·eps·(|A||B|) elementwise: the bound of any summation order. */
const gemmBound = (form: 'nn' | 'tn' | 'nt', a: Float64Array, b: Float64Array, m: number, k: number, n: number) =>
  gemmRef(form, a.map(Math.abs), b.map(Math.abs), m, k, n).map((v) => 2 * Math.max(1, k) * EPS * v + 1e-300);

test('f64_gemm_nt / f64_gemm_nn / f64_gemm_tn: float64 GEMM on odd sizes, zero rows of A skipped exactly', () => {
  const k_ = getEngine().k;
  for (const m of SIZES)
    for (const kk of [1, 2, 3, 17])
      for (const n of SIZES) {
        const a = normals(m * kk), b = normals(kk * n), bt = normals(n * kk);
        // zero A(i..i+3, l) blocks: the 4×4 tile's skip must add nothing and drop nothing
        for (let l = 0; l < kk; l += 2) for (let i = 0; i < Math.min(4, m); i++) a[i * kk + l] = 0;
        const nt = withF64('nt', [a, bt, nan(m * n)], ([pa, pb, pc]) => k_.f64_gemm_nt(pa, pb, pc, m, kk, n)).out[2];
        assertClose(nt, gemmRef('nt', a, bt, m, kk, n), { bound: gemmBound('nt', a, bt, m, kk, n) }, `nt ${m}×${kk}×${n}`);
        const nn = withF64('nn', [a, b, nan(m * n)], ([pa, pb, pc]) => k_.f64_gemm_nn(pa, pb, pc, m, kk, n, 0)).out[2];
        assertClose(nn, gemmRef('nn', a, b, m, kk, n), { bound: gemmBound('nn', a, b, m, kk, n) }, `nn ${m}×${kk}×${n}`);
        const at = normals(kk * m);
        const tn = withF64('tn', [at, b, nan(m * n)], ([pa, pb, pc]) => k_.f64_gemm_tn(pa, pb, pc, m, kk, n, 0)).out[2];
        assertClose(tn, gemmRef('tn', at, b, m, kk, n), { bound: gemmBound('tn', at, b, m, kk, n) }, `tn ${m}×${kk}×${n}`);
      }
});

function sqDistRef(x: Float64Array, n: number, d: number): Float64Array {
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < d; r++) s += (x[i * d + r] - x[j * d + r]) ** 2;
      D[i * n + j] = s;
    }
  return D;
}

test('f64_pdist_euclid_lower: the lower triangle packed, by differences (no cancellation far from the origin)', () => {
  const k_ = getEngine().k;
  for (const n of [1, 2, ...SIZES.slice(1)])
    for (const d of SIZES) {
      // rows near 10⁶: the Gram trick would lose the ~1 differences; differences keep them
      const x = normals(n * d).map((v, i) => 1e6 + v + (i % d));
      const ref = sqDistRef(x, n, d);
      const lower = withF64('lower', [x, nan((n * (n - 1)) / 2)], ([px, po]) => k_.f64_pdist_euclid_lower(px, po, n, d)).out[1];
      const refLower: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) refLower.push(Math.sqrt(ref[i * n + j]));
      assertClose(lower, refLower, { rtol: 4 * d * EPS }, `lower ${n}×${d}`);
    }
});

test('f64_to_f32_pow2: f32(s·e) with s a power of 2 putting max|e| in [256, 512); 1 for zeros, 0 for non-finite or sub-1e-290 rows', () => {
  const k_ = getEngine().k;
  for (const count of [1, 3, 17])
    for (const scale of [1e-280, 1e-3, 1, 300, 1e7, 1e300]) {
      const e = normals(count, scale);
      const r = withF64('pow2', [e, nan((count + 1) >> 1)], ([pe, po]) => k_.f64_to_f32_pow2(pe, po, count));
      const sc = r.ret as number;
      const m = Math.max(...e.map(Math.abs));
      assert.ok(Math.log2(sc) === Math.round(Math.log2(sc)) && m * sc >= 256 && m * sc < 512, `scale ${scale}: s ${sc}`);
      const out = new Float32Array(r.out[1].buffer, 0, count);
      for (let i = 0; i < count; i++) assert.is(out[i], Math.fround(e[i] * sc), `scale ${scale}: out[${i}]`);
    }
  const one = (e: number[]) => withF64('pow2', [e, nan(e.length)], ([pe, po]) => k_.f64_to_f32_pow2(pe, po, e.length)).ret;
  assert.is(one([0, -0, 0]), 1);
  assert.is(one([1, Infinity, 2]), 0);
  assert.is(one([1, NaN, 2]), 0);
  assert.is(one([1e-300, -3e-295]), 0);
});

/** metric-learn's objective and W_sym·X through the three kernels NCA and MLKR call: the f32 Gram screen, then float64. */
function neighbourGrad(E: Float64Array, n: number, k: number, t: Float64Array, X: Float64Array, d: number, kind: NeighbourObjective) {
  const k_ = getEngine().k;
  const half = (m: number) => nan((m + 1) >> 1);
  // f32 [n, k], f32 [n, n], f32 [n] and i32 [n] buffers as f64 ones of half the length, under guards
  return withF64('grad', [E, half(n * k), half(n * n), half(n), t, X, nan(n * d), nan(n), half(n), nan(n)], ([pe, pe32, pg, pdg, pt, px, po, pc, pi, pv]) => {
    const s = k_.f64_to_f32_pow2(pe, pe32, n * k);
    k_.f32_gemm_nt_self(pe32, pg, n, k, getEngine().gemmWorkspace);
    return k_.f64_neighbour_grad(pg, pdg, s, pe, k, pt, px, po, pc, pi, pv, n, d, kind);
  });
}

test('f64_neighbour_grad: metric-learn’s NCA and MLKR objective, column sums and W_sym·X; tiny, unit, underflowing and huge scales, far from the origin, one class, singleton classes', () => {
  for (const n of [2, 3, 5, 17, 33, 70])
    for (const d of [1, 2, 5, 17])
      for (const [spread, offset] of [[1e-300, 0], [1e-200, 0], [1e-4, 0], [1, 0], [1e3, 0], [1e7, 0], [1e140, 0], [3, 1e5]]) {
        // 1e-300 and 1e-200: every pair contributes (all listed without the f32 screen / with an
        // infinite threshold); 1e3 and beyond: most exp(−d) underflow, rows nearly one-hot
        // (unscaled wine and digits); 1e5 + 3: the f32 Gram has nothing left of the differences
        const kk = 1 + (d % 3);
        const x = normals(n * kk, spread).map((v) => v + offset);
        const D = sqDistRef(x, n, kk);
        const X = normals(n * d);
        const labelings: [string, Float64Array][] = [
          ['3 classes', Float64Array.from({ length: n }, (_, i) => i % 3)],
          ['one class', new Float64Array(n).fill(4)],
          ['singletons', Float64Array.from({ length: n }, (_, i) => i)],
        ];
        const cases: [string, 'nca' | 'mlkr', Float64Array][] = [...labelings.map(([name, t]) => [`nca ${name}`, 'nca', t] as [string, 'nca', Float64Array]), ['mlkr', 'mlkr', normals(n, 10)]];
        for (const [name, kind, t] of cases) {
          const ref = neighbourWeightsRef(D, t, n, kind);
          const S = new Float64Array(n * n);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = i === j ? -ref.colsum[i] : ref.W[i * n + j] + ref.W[j * n + i];
          const r = neighbourGrad(x, n, kk, t, X, d, kind === 'nca' ? NeighbourObjective.nca : NeighbourObjective.mlkr);
          const label = `${name} n=${n} k=${kk} d=${d} spread ${spread}${offset ? ` + ${offset}` : ''}`;
          const tmax = 1 + Math.max(...t.map(Math.abs));
          assert.ok(Math.abs((r.ret as number) - ref.loss) <= 1e-12 * (1 + Math.abs(ref.loss)), `${label}: loss ${r.ret} vs ${ref.loss}`);
          assertClose(r.out[7], ref.colsum, { atol: 1e-12 * n * tmax ** 2 }, `${label} colsum`);
          // each W entry within 1e-13·tmax² of the reference's: out within n times that, |X| ≤ ~5
          const out = gemmRef('nn', S, X, n, n, d);
          assertClose(r.out[6], out, { atol: 1e-12 * n * tmax ** 2 * Math.max(...X.map(Math.abs)) }, `${label} W_sym·X`);
          assert.equal(Array.from(r.out[5]), Array.from(X), `${label}: X changed`);
          assert.equal(Array.from(r.out[0]), Array.from(x), `${label}: E changed`);
        }
      }
});

test('neighbourProblem: NCA and MLKR objective and gradient against the float64 objectives and their central differences', () => {
  for (const [n, d, k] of [[5, 3, 2], [17, 5, 5], [12, 4, 1]]) {
    const X = normals(n * d);
    const rows = Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d)));
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const targets = Array.from(normals(n));
    const A = normals(k * d, 0.7);
    for (const [kind, t, obj, scale] of [
      ['nca', labels, ncaObjectiveRef, -2],
      ['mlkr', targets, mlkrObjectiveRef, 4],
    ] as const) {
      const problem = neighbourProblem(X, n, d, k, t, kind === 'nca' ? NeighbourObjective.nca : NeighbourObjective.mlkr, scale);
      try {
        const g = new Float64Array(k * d);
        const loss = problem.evaluate(A, g);
        const sign = kind === 'nca' ? -1 : 1; // NCA's gradient is that of −Σp (what L-BFGS minimises)
        assert.ok(Math.abs(loss - obj(A, k, d, rows, t)) < 1e-10 * (1 + Math.abs(loss)), `${kind}: loss ${loss}`);
        const h = 1e-6;
        for (let i = 0; i < k * d; i++) {
          const up = A.slice(), dn = A.slice();
          up[i] += h;
          dn[i] -= h;
          const num = (sign * (obj(up, k, d, rows, t) - obj(dn, k, d, rows, t))) / (2 * h);
          assert.ok(Math.abs(g[i] - num) <= 1e-6 * (1 + Math.abs(num)), `${kind} ${n}×${d}→${k}: grad[${i}] ${g[i]} vs ${num}`);
        }
      } finally {
        problem.dispose();
      }
    }
  }
});

test.run();
