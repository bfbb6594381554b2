// Every eltwise / reduce / gemm kernel called directly on allocator buffers, against the
// float64 references in test/ref, at sizes below, at and above the SIMD widths (tails and
// blocks). Each output buffer is followed by guard elements that must stay untouched (a
// kernel may never write past its output), and inputs must come back unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { f32, getEngine } from '../../src/wasm/instance';
import { BinaryOp } from '../../src/wasm/abi';
import { assertClose, assertSame, randomF32, U32 } from '../helpers/close';
import { liveBuffers, out, put, read, withBuffers } from '../helpers/kernel-buffers';
import { binaryColRef, binaryRef, binaryRowRef, mapRef, reluBwdRef, reluRef, transposeRef, type BinaryName } from '../ref/eltwise';
import { cumsumRowsRef, l2normalizeBwdRef, l2normalizeRef, l2normRowsRef, sumColsRef, sumRef, sumRowsRef } from '../ref/reduce';
import { gemmRef } from '../ref/gemm';

await sl.init();
const e = getEngine();
// Every kernel this file calls is recorded, so the last test can list exports left untested.
const called = new Set<string>();
const k = new Proxy(e.k, { get: (t, name: string) => (called.add(name), (t as any)[name]) }) as typeof e.k;

const SIZES = [1, 2, 3, 4, 5, 7, 8, 16, 17, 33, 64, 100];

const rng = new Rng(20261128);
const OPS: BinaryName[] = ['add', 'sub', 'mul', 'div'];

// ---- eltwise ----

// IEEE add/sub/mul/div are correctly rounded: within half an ulp of the float64 result.
const ONE_ROUNDING = { rtol: U32 };

test('f32_add / sub / mul / div: one rounding of the float64 result; out may alias a', () => {
  for (const op of OPS)
    for (const n of SIZES)
      withBuffers(`${op} n=${n}`, (w) => {
        const a = put(randomF32(rng, n)), b = put(randomF32(rng, n)), o = out(n);
        w.add(o);
        k[`f32_${op}`](a.ptr, b.ptr, o.ptr, n);
        const ref = mapRef(a.init, (x, i) => binaryRef(op, x, b.init[i]));
        assertClose(read(o), ref, ONE_ROUNDING, `f32_${op} n=${n}`);
        w.add(a);
        k[`f32_${op}`](a.ptr, b.ptr, a.ptr, n);
        assertClose(read(a), ref, ONE_ROUNDING, `f32_${op} in place n=${n}`);
      });
});

test('f32_add_scalar / f32_scale / f32_div_scalar: one rounding', () => {
  for (const n of SIZES)
    withBuffers(`scalar n=${n}`, (w) => {
      const a = put(randomF32(rng, n)), o = out(n);
      w.add(o);
      const s = Math.fround(rng.normal());
      k.f32_add_scalar(a.ptr, s, o.ptr, n);
      assertClose(read(o), mapRef(a.init, (x) => x + s), ONE_ROUNDING, `f32_add_scalar n=${n}`);
      k.f32_scale(a.ptr, s, o.ptr, n);
      assertClose(read(o), mapRef(a.init, (x) => x * s), ONE_ROUNDING, `f32_scale n=${n}`);
      k.f32_div_scalar(a.ptr, s, o.ptr, n);
      assertClose(read(o), mapRef(a.init, (x) => Math.fround(x / s)), {}, `f32_div_scalar n=${n}: exactly the rounded quotient`);
    });
});

test('f32_axpy: y += alpha·x within two roundings of |y| + |alpha·x|', () => {
  for (const n of SIZES)
    withBuffers(`axpy n=${n}`, (w) => {
      const x = put(randomF32(rng, n)), y = put(randomF32(rng, n));
      w.add(y);
      const alpha = Math.fround(rng.normal());
      k.f32_axpy(alpha, x.ptr, y.ptr, n);
      const ref = mapRef(y.init, (v, i) => v + alpha * x.init[i]);
      const bound = mapRef(y.init, (v, i) => 2 * U32 * (Math.abs(v) + Math.abs(alpha * x.init[i])));
      assertClose(read(y), ref, { bound }, `f32_axpy n=${n}`);
    });
});

test('f32_fill / f32_copy: exact', () => {
  for (const n of SIZES)
    withBuffers(`fill/copy n=${n}`, (w) => {
      const src = put(randomF32(rng, n)), o = out(n);
      w.add(o);
      k.f32_fill(o.ptr, -2.5, n);
      assertClose(read(o), new Float64Array(n).fill(-2.5), {}, `f32_fill n=${n}`);
      k.f32_copy(src.ptr, o.ptr, n);
      assertClose(read(o), src.init, {}, `f32_copy n=${n}`);
    });
});

test('f32_relu_fwd exact; f32_relu_bwd exact (acc 0) and one rounding (acc 1), subgradient 0 at 0', () => {
  for (const n of SIZES)
    withBuffers(`relu n=${n}`, (w) => {
      const xs = randomF32(rng, n);
      xs[0] = 0; // the kink: PyTorch's relu backward passes nothing at exactly 0
      const x = put(xs), gy = put(randomF32(rng, n)), y = out(n), gx = put(randomF32(rng, n));
      w.add(y).add(gx);
      k.f32_relu_fwd(x.ptr, y.ptr, n);
      assertClose(read(y), reluRef(xs), {}, `f32_relu_fwd n=${n}`);
      const prev = read(gx);
      k.f32_relu_bwd(x.ptr, gy.ptr, gx.ptr, n, 1);
      assertClose(read(gx), reluBwdRef(xs, gy.init, prev), ONE_ROUNDING, `f32_relu_bwd acc=1 n=${n}`);
      k.f32_relu_bwd(x.ptr, gy.ptr, gx.ptr, n, 0);
      assertClose(read(gx), reluBwdRef(xs, gy.init), {}, `f32_relu_bwd acc=0 n=${n}`);
    });
});

test('f32_relu_fwd: NaN stays NaN in the SIMD body and the scalar tail alike', () => {
  for (const n of [1, 3, 4, 5, 7, 8])
    withBuffers(`relu NaN n=${n}`, (w) => {
      const x = put(new Float32Array(n).fill(NaN)), y = out(n);
      w.add(y);
      k.f32_relu_fwd(x.ptr, y.ptr, n);
      assert.ok(read(y).every(Number.isNaN), `relu(NaN) n=${n}: ${read(y)}`);
    });
});

test('f32_transpose: exact for every [n, d] pair of sizes', () => {
  for (const n of SIZES)
    for (const d of SIZES)
      withBuffers(`transpose ${n}x${d}`, (w) => {
        const a = put(randomF32(rng, n * d)), o = out(n * d);
        w.add(o);
        k.f32_transpose(a.ptr, o.ptr, n, d);
        assertClose(read(o), transposeRef(a.init, n, d), {}, `f32_transpose [${n}, ${d}]`);
      });
});

test('f32_add_transpose: w + wᵀ with w = α·a (α a power of two) or −a/dist (0 at dist 0), one rounding each, every size, in place too', () => {
  for (const n of SIZES)
    for (const alpha of [1, -2, 0])
      withBuffers(`add_transpose ${n}`, (w) => {
        const a = put(randomF32(rng, n * n)), o = out(n * n);
        // alpha 0 stands for the Euclidean weights: distances ≥ 0, a fifth of them 0
        const dist = alpha === 0 ? put(Float32Array.from(randomF32(rng, n * n), (v) => (Math.abs(v) < 0.25 ? 0 : Math.abs(v)))) : null;
        w.add(o);
        k.f32_add_transpose(a.ptr, dist ? dist.ptr : 0, o.ptr, n, alpha);
        const wt = Array.from(a.init, (v, i) => (dist ? (dist.init[i] > 0 ? Math.fround(-v / dist.init[i]) : 0) : alpha * v));
        const t = transposeRef(wt, n, n);
        assertClose(read(o), wt.map((v, i) => Math.fround(v + t[i])), { rtol: 0, atol: 0 }, `f32_add_transpose [${n}, ${n}] α ${alpha}`);
        // in place (out = a): each block pair is read whole before either is written
        const b = put(a.init.slice());
        w.add(b);
        k.f32_add_transpose(b.ptr, dist ? dist.ptr : 0, b.ptr, n, alpha);
        assertClose(read(b), wt.map((v, i) => Math.fround(v + t[i])), { rtol: 0, atol: 0 }, `f32_add_transpose in place [${n}, ${n}] α ${alpha}`);
      });
});

test('f32_binary_row / f32_binary_col: every op, one rounding; out may alias a', () => {
  for (const op of OPS)
    for (const n of [1, 3, 17])
      for (const d of SIZES)
        withBuffers(`binary ${op} ${n}x${d}`, (w) => {
          const a = put(randomF32(rng, n * d)), row = put(randomF32(rng, d)), col = put(randomF32(rng, n)), o = out(n * d);
          w.add(o).add(a);
          k.f32_binary_row(BinaryOp[op], a.ptr, row.ptr, o.ptr, n, d);
          assertClose(read(o), binaryRowRef(op, a.init, row.init, n, d), ONE_ROUNDING, `f32_binary_row ${op} [${n}, ${d}]`);
          k.f32_binary_col(BinaryOp[op], a.ptr, col.ptr, o.ptr, n, d);
          assertClose(read(o), binaryColRef(op, a.init, col.init, n, d), ONE_ROUNDING, `f32_binary_col ${op} [${n}, ${d}]`);
          k.f32_binary_row(BinaryOp[op], a.ptr, row.ptr, a.ptr, n, d);
          assertClose(read(a), binaryRowRef(op, a.init, row.init, n, d), ONE_ROUNDING, `f32_binary_row ${op} in place`);
        });
});

// ---- reductions ----

// Recursive/blocked float32 summation of d terms: |error| ≤ d·u·Σ|x| (the classical bound).
const sumBound = (x: ArrayLike<number>, d: number): number => d * U32 * sumRef(mapRef(x, Math.abs));

test('f32_sum: within d·u·Σ|x|, and within 70·u·Σ|x| for long inputs (blocked), an empty one is 0', () => {
  for (const n of [1023, 1024, 1025, 100_003])
    withBuffers(`sum n=${n}`, () => {
      const x = put(randomF32(rng, n, 1).map((v) => v + 3)); // a mean far from 0: error builds up in naive f32 sums
      const tol = { atol: 70 * U32 * sumRef(mapRef(x.init, Math.abs)) };
      assertClose([k.f32_sum(x.ptr, n)], [sumRef(x.init)], tol, `f32_sum n=${n}`);
    });
  withBuffers('sum n=1e6', () => {
    // A million values around 3: a plain 16-lane f32 sum drifts by ~1e-6 relative; blocking
    // keeps the result within two roundings of the exact sum.
    const x = put(randomF32(rng, 1_000_003).map((v) => v + 3));
    const exact = sumRef(x.init);
    assertClose([k.f32_sum(x.ptr, x.n)], [exact], { rtol: 2 * U32 }, 'f32_sum n=1_000_003');
  });
  for (const n of SIZES)
    withBuffers(`sum n=${n}`, () => {
      const x = put(randomF32(rng, n));
      assertClose([k.f32_sum(x.ptr, n)], [sumRef(x.init)], { atol: sumBound(x.init, n) }, `f32_sum n=${n}`);
    });
  withBuffers('sum n=0', () => assert.is(k.f32_sum(put([]).ptr, 0), 0));
});

test('f32_sum_rows / f32_sum_cols: acc 0 and 1, within d·u·Σ|x| per output', () => {
  for (const n of [1, 2, 5, 33])
    for (const d of SIZES)
      withBuffers(`sum_rows/cols ${n}x${d}`, (w) => {
        const x = put(randomF32(rng, n * d)), rows = put(randomF32(rng, n)), cols = put(randomF32(rng, d));
        w.add(rows).add(cols);
        const absRows = sumRowsRef(mapRef(x.init, Math.abs), n, d);
        const absCols = sumColsRef(mapRef(x.init, Math.abs), n, d);
        const r = sumRowsRef(x.init, n, d), c = sumColsRef(x.init, n, d);
        k.f32_sum_rows(x.ptr, rows.ptr, n, d, 1);
        const rowsAcc = mapRef(r, (v, i) => v + rows.init[i]);
        assertClose(read(rows), rowsAcc, { bound: mapRef(absRows, (v, i) => (d + 1) * U32 * (v + Math.abs(rows.init[i]))) }, `f32_sum_rows acc=1 [${n}, ${d}]`);
        k.f32_sum_rows(x.ptr, rows.ptr, n, d, 0);
        assertClose(read(rows), r, { bound: mapRef(absRows, (v) => d * U32 * v) }, `f32_sum_rows acc=0 [${n}, ${d}]`);
        k.f32_sum_cols(x.ptr, cols.ptr, n, d, 1);
        const colsAcc = mapRef(c, (v, j) => v + cols.init[j]);
        assertClose(read(cols), colsAcc, { bound: mapRef(absCols, (v, j) => (n + 1) * U32 * (v + Math.abs(cols.init[j]))) }, `f32_sum_cols acc=1 [${n}, ${d}]`);
        k.f32_sum_cols(x.ptr, cols.ptr, n, d, 0);
        assertClose(read(cols), c, { bound: mapRef(absCols, (v) => n * U32 * v) }, `f32_sum_cols acc=0 [${n}, ${d}]`);
      });
});

test('f32_cumsum_rows: forward and reverse, acc 0 and 1, within m·u·Σ|x|', () => {
  for (const m of SIZES) {
    withBuffers(`cumsum m=${m}`, (w) => {
      const n = 3;
      const xs = randomF32(rng, n * m);
      const x = put(xs), o = out(n * m);
      w.add(o);
      const tol = { rtol: 2 * U32, atol: m * U32 * 3 };
      for (const reverse of [false, true]) {
        k.f32_cumsum_rows(x.ptr, o.ptr, n, m, reverse ? 1 : 0, 0);
        const ref = cumsumRowsRef(xs, n, m, reverse);
        assertClose(read(o), ref, tol, `reverse=${reverse}`);
        k.f32_cumsum_rows(x.ptr, o.ptr, n, m, reverse ? 1 : 0, 1);
        assertClose(read(o), ref.map((v) => 2 * v), tol, `reverse=${reverse} acc`);
      }
    });
  }
});

test('f32_l2norm_rows: relative error ≤ (d + 2)·u', () => {
  for (const n of [1, 3, 17])
    for (const d of SIZES)
      withBuffers(`l2norm ${n}x${d}`, (w) => {
        const x = put(randomF32(rng, n * d)), o = out(n);
        w.add(o);
        k.f32_l2norm_rows(x.ptr, o.ptr, n, d);
        assertClose(read(o), l2normRowsRef(x.init, n, d), { rtol: (d + 2) * U32 }, `f32_l2norm_rows [${n}, ${d}]`);
      });
});

test('f32_l2normalize_fwd / _bwd: vs float64 F.normalize and its VJP (acc 0 and 1), zero rows included', () => {
  const eps = 1e-12;
  for (const n of [1, 3, 17])
    for (const d of SIZES)
      withBuffers(`l2normalize ${n}x${d}`, (w) => {
        const xs = randomF32(rng, n * d);
        if (n > 1) xs.fill(0, d, 2 * d); // row 1 is zero: y = 0, gradient g / eps
        const x = put(xs), y = out(n * d), norms = out(n), g = put(randomF32(rng, n * d)), gx = put(randomF32(rng, n * d));
        w.add(y).add(norms).add(gx);
        k.f32_l2normalize_fwd(x.ptr, y.ptr, norms.ptr, n, d, eps);
        assertClose(read(y), l2normalizeRef(xs, n, d, eps), { atol: (d + 4) * U32 }, `f32_l2normalize_fwd [${n}, ${d}]`);
        assertClose(read(norms), mapRef(l2normRowsRef(xs, n, d), (r) => Math.max(r, eps)), { rtol: (d + 2) * U32 }, 'norms');
        const ref = l2normalizeBwdRef(xs, g.init, n, d, eps);
        const prev = read(gx);
        // Ordinary rows: absolute error against the largest ordinary element (cancellation in
        // g − y(y·g)); the zero row's elements are g / eps ≈ 1e12: relative error there.
        const ordinary = mapRef(ref, (v, i) => (n > 1 && i >= d && i < 2 * d ? 0 : Math.abs(v) + Math.abs(prev[i])));
        const tol = { atol: 1e-5 * Math.max(1, ...ordinary), rtol: 1e-6 };
        k.f32_l2normalize_bwd(y.ptr, g.ptr, norms.ptr, gx.ptr, n, d, eps, 1);
        assertClose(read(gx), mapRef(ref, (v, i) => v + prev[i]), tol, `f32_l2normalize_bwd acc=1 [${n}, ${d}]`);
        k.f32_l2normalize_bwd(y.ptr, g.ptr, norms.ptr, gx.ptr, n, d, eps, 0);
        assertClose(read(gx), ref, tol, `f32_l2normalize_bwd acc=0 [${n}, ${d}]`);
      });
});

// ---- GEMM ----

// (m, k, n): every size along each axis, edge shapes, 100³, and a seeded random sample.
function gemmShapes(): [number, number, number][] {
  const shapes: [number, number, number][] = [];
  for (const s of SIZES) shapes.push([s, 3, 5], [3, s, 5], [5, 3, s]);
  shapes.push([1, 1, 1], [1, 100, 1], [1, 33, 1], [100, 1, 100], [100, 3, 1], [1, 64, 100], [100, 100, 1], [2, 100, 2], [64, 64, 64], [100, 100, 100]);
  const pick = new Rng(4242);
  for (let i = 0; i < 40; i++) shapes.push([SIZES[pick.int(12)], SIZES[pick.int(12)], SIZES[pick.int(12)]]);
  return shapes;
}

test('f32_gemm_nn / tn / nt, acc 0 and 1: within (k + 2)·u·(|A||B| + |C0|) of the float64 product', () => {
  for (const [m, kk, n] of gemmShapes())
    for (const form of ['nn', 'tn', 'nt'] as const)
      withBuffers(`gemm ${form} ${m}x${kk}x${n}`, (w) => {
        const a = put(randomF32(rng, m * kk)), b = put(randomF32(rng, kk * n)), c = put(randomF32(rng, m * n));
        w.add(c);
        const absA = mapRef(a.init, Math.abs), absB = mapRef(b.init, Math.abs);
        const mag = gemmRef(form, absA, absB, m, kk, n);
        for (const acc of [1, 0] as const) {
          const before = read(c);
          k[`f32_gemm_${form}`](a.ptr, b.ptr, c.ptr, m, kk, n, acc, e.gemmWorkspace);
          const ref = gemmRef(form, a.init, b.init, m, kk, n, acc ? before : undefined);
          const bound = mapRef(mag, (v, i) => (kk + 2) * U32 * (v + (acc ? Math.abs(before[i]) : 0)));
          assertClose(read(c), ref, { bound }, `f32_gemm_${form} acc=${acc} m=${m} k=${kk} n=${n}`);
        }
      });
});

test('f32_gemm with k = 0 writes zeros (acc 0) and leaves C (acc 1)', () => {
  for (const form of ['nn', 'tn', 'nt'] as const)
    withBuffers(`gemm ${form} k=0`, (w) => {
      const a = put([]), b = put([]), c = put(randomF32(rng, 15));
      w.add(c);
      k[`f32_gemm_${form}`](a.ptr, b.ptr, c.ptr, 3, 0, 5, 1, e.gemmWorkspace);
      assertClose(read(c), c.init, {}, `${form} k=0 acc=1`);
      k[`f32_gemm_${form}`](a.ptr, b.ptr, c.ptr, 3, 0, 5, 0, e.gemmWorkspace);
      assertClose(read(c), new Float64Array(15), {}, `${form} k=0 acc=0`);
    });
});

// threads: the block of C one thread computes.
test('f32_gemm_part: blocks tiling C at odd cuts are bitwise the whole product (acc 0 and 1, k over two KC blocks, k = 0), each writing only its block', () => {
  const forms = ['nn', 'tn', 'nt'] as const;
  for (const [m, kk, n] of [[17, 300, 23], [33, 7, 100], [5, 3, 1], [100, 1, 17], [3, 0, 5]] as const)
    for (const form of forms)
      withBuffers(`gemm_part ${form} ${m}x${kk}x${n}`, (w) => {
        const a = put(randomF32(rng, m * kk)), b = put(randomF32(rng, kk * n)), c0 = randomF32(rng, m * n);
        const whole = put(c0), parts = put(c0);
        w.add(whole).add(parts);
        const rows = [...new Set([0, Math.min(3, m), Math.min(11, m), m])], cols = [...new Set([0, Math.min(9, n), n])];
        for (const acc of [0, 1]) {
          f32().set(c0, whole.ptr >>> 2);
          f32().set(c0, parts.ptr >>> 2);
          k[`f32_gemm_${form}`](a.ptr, b.ptr, whole.ptr, m, kk, n, acc, e.gemmWorkspace);
          for (let r = 0; r + 1 < rows.length; r++)
            for (let q = 0; q + 1 < cols.length; q++) {
              const [i0, i1, j0, j1] = [rows[r], rows[r + 1], cols[q], cols[q + 1]];
              const before = read(parts);
              k.f32_gemm_part(forms.indexOf(form), a.ptr, b.ptr, parts.ptr, m, kk, n, acc, e.gemmWorkspace, i0, i1, j0, j1);
              const after = read(parts);
              for (let i = 0; i < m * n; i++) {
                const inside = Math.floor(i / n) >= i0 && Math.floor(i / n) < i1 && i % n >= j0 && i % n < j1;
                if (!inside && !Object.is(after[i], before[i])) assert.unreachable(`${form} ${m}x${kk}x${n} block [${i0}, ${i1}) × [${j0}, ${j1}) wrote element ${i}`);
              }
            }
          const got = new Uint32Array(read(parts).buffer), want = new Uint32Array(read(whole).buffer);
          assert.is(got.findIndex((v, i) => v !== want[i]), -1, `${form} ${m}x${kk}x${n} acc=${acc}: blocks differ from the whole product`);
        }
      });
});

test('f32_peak_madd (the benchmarks\' peak probe) runs its 12 chains: float32 reference for small iteration counts', () => {
  const f = Math.fround;
  for (const iters of [0, 1, 2, 3, 4, 7]) {
    for (const seed of [0, 1.5]) {
      const x = Array.from({ length: 12 }, (_, c) => f(seed + c));
      let i = 0;
      const step = (c: number) => (x[c] = f(f(x[c] * f(0.999999)) + f(1e-7)));
      for (; i + 3 <= iters; i += 3) for (let r = 0; r < 2; r++) for (let c = 0; c < 12; c++) step(c);
      for (; i < iters; i++) for (let c = 0; c < 8; c++) step(c);
      const s0 = f(f(x[0] + x[1]) + f(x[2] + x[3])), s1 = f(f(x[4] + x[5]) + f(x[6] + x[7])), s2 = f(f(x[8] + x[9]) + f(x[10] + x[11]));
      const want = f(f(s0 + s1) + s2);
      const got = k.f32_peak_madd(iters, seed);
      assert.ok(Math.abs(got - want) <= 1e-6 * Math.abs(want), `iters ${iters} seed ${seed}: ${got} vs ${want}`);
    }
  }
});

test('f32_gemm_nt_self: bitwise f32_gemm_nt(a, a) for every size, across the row-block (120), k-block (256) and column-block (1024) edges', () => {
  const cases = [...SIZES, 121, 250].flatMap((n) => [1, 3, 17].map((kk) => [n, kk]));
  for (const [n, kk] of [...cases, [33, 257], [121, 513], [1030, 3], [5, 0]])
    withBuffers(`gemm_nt_self ${n}x${kk}`, (w) => {
      const a = put(randomF32(rng, Math.max(1, n * kk))), want = out(n * n), got = out(n * n);
      w.add(want).add(got);
      k.f32_gemm_nt(a.ptr, a.ptr, want.ptr, n, kk, n, 0, e.gemmWorkspace);
      k.f32_gemm_nt_self(a.ptr, got.ptr, n, kk, e.gemmWorkspace);
      assert.equal(Array.from(read(got)), Array.from(read(want)), `f32_gemm_nt_self [${n}, ${kk}]`);
    });
});

test('the build in use is the one init picks for this runtime', () => {
  assert.is(e.build, sl.hasRelaxedSimd() ? 'relaxed' : 'baseline');
});

// The packed GEMMs: 'nn' with A packed (f32_pack_a_panels, the convs' layout with the GEMM's k
// block), 'nt' with B packed (f32_pack_bt_panels, Linear's weight).
function checkPackedGemm(form: 'nn' | 'nt', m: number, kk: number, n: number): void {
  const a = randomF32(rng, m * kk), b = randomF32(rng, kk * n);
  const label = `${form} ${m}×${kk}×${n}`;
  withBuffers(label, (written) => {
    const A = put(a), B = put(b), C = out(m * n), C2 = out(m * n);
    const ws = e.gemmWorkspace;
    const P = out(form === 'nn' ? k.f32_pack_a_panels_floats(m, kk) : k.f32_pack_bt_panels_floats(n, kk));
    written.add(P).add(C).add(C2);
    // acc 0 then acc 1 (C += the product)
    const packed = (acc: number) => (form === 'nn' ? k.f32_gemm_nn_packed(P.ptr, B.ptr, C.ptr, m, kk, n, acc, ws) : k.f32_gemm_nt_packed(A.ptr, P.ptr, C.ptr, m, kk, n, acc, ws));
    if (form === 'nn') k.f32_pack_a_panels(A.ptr, P.ptr, m, kk, k.f32_conv2d_packed_kblock(1, 1, 1, 1, 1, 1, 1, 1, 0, 0)); // pointwise: the GEMM's k block
    else k.f32_pack_bt_panels(B.ptr, P.ptr, n, kk);
    packed(0);
    k[`f32_gemm_${form}`](A.ptr, B.ptr, C2.ptr, m, kk, n, 0, ws);
    assertSame(read(C), read(C2), `${label} vs the unpacked GEMM`);
    const want = gemmRef(form, a, b, m, kk, n);
    assertClose(read(C), want, { atol: 1e-4 * Math.sqrt(kk), rtol: 1e-4 * Math.sqrt(kk) }, label);
    packed(1);
    assertClose(read(C), want.map((v) => 2 * v), { atol: 2e-4 * Math.sqrt(kk), rtol: 2e-4 * Math.sqrt(kk) }, `${label} accumulated`);
  });
}

test('packed GEMMs: the float64 product and bitwise the unpacked GEMM, odd sizes, k past one block, n past the column block', () => {
  for (const [m, kk, n] of [[1, 1, 1], [3, 5, 7], [5, 17, 8], [17, 33, 3], [33, 300, 17], [121, 7, 1100], [4, 513, 9], [1, 1280, 1000]]) {
    checkPackedGemm('nn', m, kk, n);
    checkPackedGemm('nt', m, kk, n);
  }
});

test('every export of the eltwise, reduce and gemm kernel files is tested here', () => {
  const exported = ['eltwise', 'reduce', 'gemm'].flatMap((family) => {
    const src = readFileSync(new URL(`../../assembly/kernels/${family}.ts`, import.meta.url), 'utf8');
    return [...src.matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
  });
  const untested = exported.filter((name) => !called.has(name) && name !== 'f32_gemm_workspace_bytes');
  assert.equal(untested, [], `kernels without a test: ${untested.join(', ')}`);
  assert.is(liveBuffers(), 0, 'no buffer leaked by the kernel tests');
});

test.run();
