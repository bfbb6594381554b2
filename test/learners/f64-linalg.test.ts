// The float64 kernels of assembly/kernels/f64-linalg.ts (through src/ops/f64-linalg.ts) against
// the float64 loops of test/ref at odd sizes (SIMD tails), and LMNN's wasm gradient
// (src/learners/lmnn-grad.ts: float32-screened impostors, Laplacian outer sums) against a
// literal float64 port of metric-learn's _loss_grad.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { withF64Scope } from '../../src/ops/f64-linalg';
import { LmnnGradient } from '../../src/learners/lmnn-grad';
import { gemmRef } from '../ref/gemm';
import { lmnnLossGradRef, sqdistPairsRef, weightedOuterSumRef } from '../ref/f64-linalg';
import { assertClose } from '../helpers/close';

await sl.init();

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const rand = (n: number, seed: number) => {
  const r = lcg(seed);
  return Float64Array.from({ length: n }, r);
};
const SIZES = [1, 3, 5, 17, 33];

test('F64Scope.gemm nn and tn: bit for bit the in-order float64 loop at odd sizes', () => {
  for (const m of SIZES)
    for (const k of [1, 5, 33])
      for (const n of SIZES)
        for (const form of ['nn', 'tn'] as const) {
          const a = rand(m * k, m * 100 + k), b = rand(k * n, n * 7 + k);
          const got = withF64Scope((s) => {
            const pc = s.out64(m * n);
            s.gemm(form, s.f64(a), s.f64(b), pc, m, k, n);
            return s.read(pc, m * n);
          });
          const want = gemmRef(form, a, b, m, k, n);
          for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) assert.unreachable(`${form} ${m}×${k}×${n}: element ${i} is ${got[i]}, expected ${want[i]}`);
        }
});

test('F64Scope.gemm: accumulate adds into C; k = 0 gives zeros', () => {
  for (const [m, k, n] of [[3, 5, 17], [17, 3, 5], [5, 33, 1]]) {
    const a = rand(m * k, 1), b = rand(k * n, 2), c0 = rand(m * n, 3);
    for (const form of ['nn', 'tn'] as const) {
      const got = withF64Scope((s) => {
        const pa = s.f64(a), pb = s.f64(b), pc = s.f64(c0);
        s.gemm(form, pa, pb, pc, m, k, n, true);
        return s.read(pc, m * n);
      });
      assertClose(got, gemmRef(form, a, b, m, k, n, c0), { atol: 1e-14, rtol: 1e-14 }, `${form} accumulate ${m}×${k}×${n}`);
    }
  }
  const zeros = withF64Scope((s) => {
    const pc = s.f64(rand(15, 4));
    s.gemm('nn', s.f64(1), s.f64(1), pc, 3, 0, 5);
    return s.read(pc, 15);
  });
  assert.equal(Array.from(zeros), new Array(15).fill(0));
});


test('sqdistPairs: float64 pair distances at odd d, repeated and equal indices', () => {
  for (const d of SIZES) {
    const rows = 7, x = rand(rows * d, d);
    const ia = [0, 3, 6, 2, 2, 5], ib = [1, 3, 0, 2, 6, 5];
    const got = withF64Scope((s) => {
      const out = s.f64(ia.length);
      s.sqdistPairs(s.f64(x), s.i32(ia), s.i32(ib), out, ia.length, d);
      return s.read(out, ia.length);
    });
    const want = sqdistPairsRef(x, ia, ib, d);
    assertClose(got, want, { rtol: 1e-15, atol: 0 }, `d ${d}`);
    assert.is(got[1], 0);
    assert.is(got[3], 0);
  }
});

test('pairLaplacianMul: Xᵀ·(S·X) is the weighted sum of outer products; accumulates into out', () => {
  for (const d of SIZES) {
    const rows = 9, x = rand(rows * d, 50 + d);
    const ia = [0, 4, 8, 2, 3, 3, 7], ib = [1, 2, 0, 2, 8, 5, 6];
    const w = [1, -2, 0.5, 3, -1, 2, 0];
    const init = rand(rows * d, 60 + d);
    const { sx, outer } = withF64Scope((s) => {
      const px = s.f64(x), out = s.f64(init), M = s.f64(d * d), P = s.f64(init);
      s.pairLaplacianMul(px, s.i32(ia), s.i32(ib), s.f64(w), out, ia.length, d);
      // Xᵀ·(out − init): subtract init by accumulating Xᵀ·(−init) = −(Xᵀ·init)
      s.gemm('tn', px, out, M, d, rows, d);
      const XtInit = s.f64(d * d);
      s.gemm('tn', px, P, XtInit, d, rows, d);
      const m = s.read(M, d * d), mi = s.read(XtInit, d * d);
      return { sx: s.read(out, rows * d), outer: m.map((v, i) => v - mi[i]) };
    });
    const want = weightedOuterSumRef(x, ia, ib, w, d);
    assertClose(outer, want, { atol: 1e-13 }, `outer sums d ${d}`);
    // row 8 gets +0.5·(x8 − x0) from pair 2 and −(−1)·(x3 − x8)… checked entry-wise against the definition
    const ref = Float64Array.from(init);
    ia.forEach((a, p) => {
      for (let t = 0; t < d; t++) {
        const v = w[p] * (x[a * d + t] - x[ib[p] * d + t]);
        ref[a * d + t] += v;
        ref[ib[p] * d + t] -= v;
      }
    });
    assertClose(sx, ref, { atol: 1e-15, rtol: 1e-15 }, `S·X d ${d}`);
  }
});

/** Three classes in d dimensions with two near-coincident points (where a float32 Gram distance errs), sorted by class as LMNN.fit hands them over; targets the k nearest same-class points. */
function lmnnCase(n: number, d: number, k: number, seed: number) {
  const r = lcg(seed);
  const y = Array.from({ length: n }, (_, i) => i % 3);
  const X = Float64Array.from({ length: n * d }, (_, q) => y[Math.floor(q / d)] * 0.8 + r() + 1000);
  for (let t = 0; t < d; t++) X[1 * d + t] = X[0 * d + t] + 1e-9 * (t + 1);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
  const Xs = new Float64Array(n * d);
  order.forEach((i, q) => Xs.set(X.subarray(i * d, (i + 1) * d), q * d));
  const ys = order.map((i) => y[i]);
  const classStart = [0, 1, 2, 3].map((c) => ys.filter((v) => v < c).length);
  const targets = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const same = ys.map((c, j) => [c, j]).filter(([c, j]) => c === ys[i] && j !== i).map(([, j]) => j);
    same.sort((a, b) => sqdistPairsRef(Xs, [i], [a], d)[0] - sqdistPairsRef(Xs, [i], [b], d)[0] || a - b);
    for (let t = 0; t < k; t++) targets[i * k + t] = same[t];
  }
  return { Xs, ys, classStart, targets, r };
}

function assertLossGrad(got: { G: Float64Array; objective: number; active: number }, want: { G: Float64Array; objective: number; active: number }, what: string): void {
  assert.is(got.active, want.active, `${what}: active`);
  assertClose([got.objective], [want.objective], { rtol: 1e-10 }, `${what}: objective`);
  const gs = Math.max(...want.G.map(Math.abs));
  assertClose(got.G, want.G, { atol: 1e-10 * gs }, `${what}: gradient`);
}

test('LmnnGradient: objective, active count and gradient as metric-learn’s _loss_grad, float32 screening included', () => {
  for (const [n, d, k0, k, seed] of [[30, 5, 5, 2, 1], [41, 17, 3, 3, 2], [12, 1, 1, 1, 3]]) {
    const { Xs, ys, classStart, targets, r } = lmnnCase(n, d, k, seed);
    const L = Float64Array.from({ length: k0 * d }, (_, q) => (Math.floor(q / d) === q % d ? 1 : 0) + 0.3 * r());
    const got = withF64Scope((s) => new LmnnGradient(s, Xs, n, d, k0, targets, k, classStart).lossGrad(L, 0.5));
    const want = lmnnLossGradRef(Xs, n, d, L, k0, targets, k, ys, 0.5);
    assert.ok(want.active > 0, 'the case has active triplets');
    assertLossGrad(got, want, `n ${n} d ${d}`);
  }
});

test('LmnnGradient: later calls screen against the bounds of an earlier L (renewed when they pass too much), as _loss_grad', () => {
  // L wanders by small steps (the bounds of the first L serve, widened by how far points
  // moved), then jumps far and scales up and down (bounds renewed), then returns
  for (const [n, d, k0, k, seed] of [[33, 5, 5, 2, 4], [47, 17, 3, 3, 5], [9, 1, 1, 1, 6]]) {
    const { Xs, ys, classStart, targets, r } = lmnnCase(n, d, k, seed);
    const L0 = Float64Array.from({ length: k0 * d }, (_, q) => (Math.floor(q / d) === q % d ? 1 : 0) + 0.3 * r());
    const step = Float64Array.from({ length: k0 * d }, () => r());
    const Ls = [0, 1e-6, 1e-3, 0.02, 0.1, 3, 0].map((a) => L0.map((v, q) => v + a * step[q]));
    Ls.push(L0.map((v) => 40 * v), L0.map((v) => v / 40), L0);
    let anyActive = false;
    // maxKept 0: no bounds kept, each call screens against fresh ones block by block
    for (const maxKept of [undefined, 0])
      withF64Scope((s) => {
        const grad = new LmnnGradient(s, Xs, n, d, k0, targets, k, classStart, maxKept);
        Ls.forEach((L, q) => {
          const want = lmnnLossGradRef(Xs, n, d, L, k0, targets, k, ys, 0.5);
          anyActive ||= want.active > 0;
          assertLossGrad(grad.lossGrad(L, 0.5), want, `n ${n} d ${d} maxKept ${maxKept} call ${q}`);
        });
      });
    assert.ok(anyActive, 'the case has active triplets');
  }
});

test.run();
