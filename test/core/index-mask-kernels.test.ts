// The unary, gather and masked kernels called directly on allocator buffers, against
// the float64 references in test/ref, at sizes below, at and above the SIMD width (tails).
// Each output is followed by guard elements that must stay untouched, and inputs must come
// back unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { getEngine } from '../../src/wasm/instance';
import { CompareOp, MaskedReduce, UnaryOp } from '../../src/wasm/abi';
import { assertClose, randomF32, U32 } from '../helpers/close';
import { out, put, read, readInt, withBuffers } from '../helpers/kernel-buffers';
import { unaryGradRef, unaryRef, type UnaryName } from '../ref/unary';
import { gatherElementsRef, gatherRowsRef, scatterAddElementsRef, scatterAddRowsRef } from '../ref/gather';
import { labelMaskRef, maskedRowsRef, type MaskedName } from '../ref/masked';

await sl.init();
const k = getEngine().k;

const SIZES = [1, 2, 3, 4, 5, 7, 8, 16, 17, 33, 64, 100];
const rng = new Rng(20261202);
const ints = (n: number, bound: number) => Array.from({ length: n }, () => Math.floor(rng.uniform() * bound));

// ---- unary ----

const UNARY: [UnaryName, (x: number) => number, number, number][] = [
  // name, input transform (keeps log/sqrt/pow in their domain and away from kinks), a, b
  ['exp', (x) => x, 0, 0],
  ['log', (x) => Math.abs(x) + 0.1, 0, 0],
  ['softplus', (x) => x * 8, 0, 0],
  ['sigmoid', (x) => x * 8, 0, 0],
  ['sqrt', (x) => Math.abs(x) + 0.05, 0, 0],
  ['pow', (x) => Math.abs(x) + 0.1, 2.5, 0],
  ['abs', (x) => x, 0, 0],
  ['clamp', (x) => x, -0.5, 0.7],
  ['neg', (x) => x, 0, 0],
  ['square', (x) => x, 0, 0],
  ['logSigmoid', (x) => x * 8, 0, 0],
  ['tanh', (x) => x * 2, 0, 0],
];

test('f32_unary_fwd / _bwd: every op and size within a few float32 roundings; acc 0 and 1', () => {
  for (const [name, tf, a, b] of UNARY) {
    for (const n of SIZES) {
      withBuffers(`${name} n=${n}`, (w) => {
        const xs = Float32Array.from(randomF32(rng, n), tf);
        const x = put(xs), y = out(n), gy = put(randomF32(rng, n)), gx = out(n);
        w.add(y).add(gx);
        k.f32_unary_fwd(UnaryOp[name], x.ptr, y.ptr, n, a, b);
        const ref = Array.from(xs, (v) => unaryRef(name, v, Math.fround(a), Math.fround(b)));
        assertClose(read(y), ref, { rtol: 8 * U32, atol: 1e-7 }, `${name} fwd n=${n}`);
        k.f32_unary_bwd(UnaryOp[name], x.ptr, y.ptr, gy.ptr, gx.ptr, n, a, b, 0);
        const gref = Array.from(xs, (v, i) => gy.init[i] * unaryGradRef(name, v, Math.fround(a), Math.fround(b)));
        // slopes computed from the float32 output (sigmoid's y(1 − y), as torch) carry its
        // rounding: a few ulps of |gy| on top of the relative error
        const bound = Array.from(gy.init, (v) => 8 * U32 * Math.abs(v));
        assertClose(read(gx), gref, { rtol: 3e-6, atol: 1e-7, bound }, `${name} bwd n=${n}`);
        k.f32_unary_bwd(UnaryOp[name], x.ptr, y.ptr, gy.ptr, gx.ptr, n, a, b, 1);
        assertClose(read(gx), gref.map((v) => 2 * v), { rtol: 3e-6, atol: 1e-7, bound: bound.map((v) => 2 * v) }, `${name} bwd acc n=${n}`);
      });
    }
  }
});

test('f32_unary: the kinks take torch\'s subgradients; NaN propagates in the SIMD body and the tail', () => {
  withBuffers('kinks', (w) => {
    const x = put([0, -0.5, 0.7, 2, NaN]), y = out(5), gy = put([1, 1, 1, 1, 1]), gx = out(5);
    w.add(y).add(gx);
    k.f32_unary_fwd(UnaryOp.abs, x.ptr, y.ptr, 5, 0, 0);
    k.f32_unary_bwd(UnaryOp.abs, x.ptr, y.ptr, gy.ptr, gx.ptr, 5, 0, 0, 0);
    assert.equal(Array.from(read(gx)).slice(0, 4), [0, -1, 1, 1]);
    assert.ok(Number.isNaN(read(y)[4]));
    k.f32_unary_fwd(UnaryOp.clamp, x.ptr, y.ptr, 5, -0.5, 0.7);
    k.f32_unary_bwd(UnaryOp.clamp, x.ptr, y.ptr, gy.ptr, gx.ptr, 5, -0.5, 0.7, 0);
    assert.equal(Array.from(read(gx)).slice(0, 4), [1, 1, 1, 0]); // both bounds pass the gradient
  });
  withBuffers('softplus extremes', (w) => {
    const x = put([-100, 100, -30, 30]), y = out(4);
    w.add(y);
    k.f32_unary_fwd(UnaryOp.softplus, x.ptr, y.ptr, 4, 0, 0);
    assertClose(read(y), [unaryRef('softplus', -100), 100, unaryRef('softplus', -30), 30], { rtol: 4 * U32, atol: 1e-43 }, 'softplus'); // e^−100 is a float32 subnormal
    k.f32_unary_fwd(UnaryOp.logSigmoid, x.ptr, y.ptr, 4, 0, 0);
    assertClose(read(y), [-100, -unaryRef('softplus', -100), -30, unaryRef('logSigmoid', 30)], { rtol: 4 * U32, atol: 1e-43 }, 'logSigmoid');
  });
});

// ---- gather / scatter ----

test('f32_gather_rows / f32_scatter_add_rows: exact gathers, sums within one rounding per add, repeated indices', () => {
  for (const d of SIZES) {
    for (const count of [0, 1, 5, 17]) {
      withBuffers(`rows d=${d} count=${count}`, (w) => {
        const rows = 6;
        const xs = randomF32(rng, rows * d);
        const ix = ints(count, rows);
        const x = put(xs), idx = put(ix, true), o = out(count * d);
        w.add(o);
        k.f32_gather_rows(x.ptr, idx.ptr, o.ptr, count, d);
        assertClose(read(o), gatherRowsRef(xs, ix, d), {}, 'gather');
        const acc = put(new Float32Array(rows * d));
        w.add(acc);
        k.f32_scatter_add_rows(o.ptr, idx.ptr, acc.ptr, count, d);
        assertClose(read(acc), scatterAddRowsRef(read(o), ix, rows, d), { rtol: 4 * count * U32, atol: 1e-6 }, 'scatter');
      });
    }
  }
});

test('f32_gather_elements / f32_scatter_add_elements: exact gathers, repeated pairs add up', () => {
  for (const m of SIZES) {
    withBuffers(`elements m=${m}`, (w) => {
      const n = 5, count = 23;
      const ms = randomF32(rng, n * m);
      const r = ints(count, n), c = ints(count, m);
      const mat = put(ms), rb = put(r, true), cb = put(c, true), o = out(count), acc = put(new Float32Array(n * m));
      w.add(o).add(acc);
      k.f32_gather_elements(mat.ptr, m, rb.ptr, cb.ptr, o.ptr, count);
      assertClose(read(o), gatherElementsRef(ms, m, r, c), {}, 'gather');
      k.f32_scatter_add_elements(o.ptr, m, rb.ptr, cb.ptr, acc.ptr, count);
      assertClose(read(acc), scatterAddElementsRef(read(o), r, c, n, m), { rtol: 8 * U32, atol: 1e-6 }, 'scatter');
    });
  }
});

// ---- masked rows ----

const MASKED: MaskedName[] = ['sum', 'mean', 'max', 'min', 'logsumexp'];

test('f32_masked_rows_fwd / _bwd: every reduction, with and without a mask, empty rows 0, acc 0 and 1', () => {
  for (const name of MASKED) {
    for (const m of SIZES) {
      for (const [masked, addOne] of [[false, false], [true, false], [true, true], [false, true]] as const) {
        if (addOne && name !== 'logsumexp') continue;
        withBuffers(`${name} m=${m} masked=${masked} addOne=${addOne}`, (w) => {
          const n = 4;
          const xs = randomF32(rng, n * m, 3);
          const ms = Float32Array.from({ length: n * m }, (_, i) => (Math.floor(i / m) === 2 ? 0 : rng.uniform() < 0.6 ? 1 : 0)); // row 2 empty
          const x = put(xs), mk = put(ms), o = out(n), arg = out(n), g = put(randomF32(rng, n)), gx = out(n * m);
          w.add(o).add(arg).add(gx);
          const ref = maskedRowsRef(name, xs, masked ? ms : null, n, m, addOne);
          k.f32_masked_rows_fwd(MaskedReduce[name], x.ptr, mk.ptr, masked ? 1 : 0, n, m, addOne ? 1 : 0, o.ptr, arg.ptr);
          assertClose(read(o), ref.out, { rtol: 4 * m * U32, atol: 1e-6 }, 'fwd');
          const gref = ref.grad.map((v, i) => v * g.init[Math.floor(i / m)]);
          k.f32_masked_rows_bwd(MaskedReduce[name], x.ptr, mk.ptr, masked ? 1 : 0, n, m, o.ptr, arg.ptr, g.ptr, gx.ptr, 0);
          assertClose(read(gx), gref, { rtol: 1e-5, atol: 1e-6 }, 'bwd');
          k.f32_masked_rows_bwd(MaskedReduce[name], x.ptr, mk.ptr, masked ? 1 : 0, n, m, o.ptr, arg.ptr, g.ptr, gx.ptr, 1);
          assertClose(read(gx), gref.map((v) => 2 * v), { rtol: 1e-5, atol: 1e-6 }, 'bwd acc');
          if (masked && (name === 'max' || name === 'min')) assert.is(readInt(arg)[2], -1, 'an empty row has no argument');
        });
      }
    }
  }
});

test('f32_masked_rows_fwd: entries outside the mask never leak (NaN, +inf there), logsumexp stable at ±80', () => {
  withBuffers('leak', (w) => {
    const x = put([NaN, 1, Infinity, 2, 80, 80, -80, 0]), mk = put([0, 1, 0, 1, 1, 1, 1, 0]), o = out(2), arg = out(2);
    w.add(o).add(arg);
    k.f32_masked_rows_fwd(MaskedReduce.logsumexp, x.ptr, mk.ptr, 1, 2, 4, 0, o.ptr, arg.ptr);
    assertClose(read(o), [2 + Math.log1p(Math.exp(-1)), 80 + Math.log(2 + Math.exp(-160))], { rtol: 2 * U32 }, 'lse');
    k.f32_masked_rows_fwd(MaskedReduce.sum, x.ptr, mk.ptr, 1, 2, 4, 0, o.ptr, arg.ptr);
    assertClose(read(o), [3, 80], { rtol: U32 }, 'sum');
  });
});

// ---- where, compare, label masks ----

test('f32_where_fwd / _bwd: exact, both sides, acc 0 and 1, every size', () => {
  for (const n of SIZES) {
    withBuffers(`where n=${n}`, (w) => {
      const ms = Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
      const as = randomF32(rng, n), bs = randomF32(rng, n), gs = randomF32(rng, n);
      const mk = put(ms), a = put(as), b = put(bs), o = out(n), g = put(gs), ga = out(n), gb = out(n);
      w.add(o).add(ga).add(gb);
      k.f32_where_fwd(mk.ptr, a.ptr, b.ptr, o.ptr, n);
      assertClose(read(o), Array.from(ms, (v, i) => (v ? as[i] : bs[i])), {}, 'fwd');
      k.f32_where_bwd(mk.ptr, g.ptr, ga.ptr, n, 1, 0);
      k.f32_where_bwd(mk.ptr, g.ptr, gb.ptr, n, 0, 0);
      assertClose(read(ga), Array.from(ms, (v, i) => (v ? gs[i] : 0)), {}, 'ga');
      assertClose(read(gb), Array.from(ms, (v, i) => (v ? 0 : gs[i])), {}, 'gb');
      k.f32_where_bwd(mk.ptr, g.ptr, ga.ptr, n, 1, 1);
      assertClose(read(ga), Array.from(ms, (v, i) => (v ? 2 * gs[i] : 0)), {}, 'ga acc');
    });
  }
});

test('f32_compare / f32_compare_scalar: every op, ties and NaN, every size', () => {
  const ops: [keyof typeof CompareOp, (a: number, b: number) => boolean][] = [
    ['eq', (a, b) => a === b], ['ne', (a, b) => a !== b], ['gt', (a, b) => a > b],
    ['ge', (a, b) => a >= b], ['lt', (a, b) => a < b], ['le', (a, b) => a <= b],
  ];
  for (const [name, f] of ops) {
    for (const n of SIZES) {
      withBuffers(`${name} n=${n}`, (w) => {
        const as = Float32Array.from({ length: n }, () => Math.round(rng.normal() * 2) / 2);
        const bs = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? NaN : Math.round(rng.normal() * 2) / 2));
        const a = put(as), b = put(bs), o = out(n);
        w.add(o);
        k.f32_compare(CompareOp[name], a.ptr, b.ptr, o.ptr, n);
        assert.equal(Array.from(read(o)), Array.from(as, (v, i) => (f(v, bs[i]) ? 1 : 0)), `${name} tensor`);
        k.f32_compare_scalar(CompareOp[name], a.ptr, 0.5, o.ptr, n);
        assert.equal(Array.from(read(o)), Array.from(as, (v) => (f(v, 0.5) ? 1 : 0)), `${name} scalar`);
      });
    }
  }
});

test('i32_label_mask: same / different labels, the batch against itself (diagonal 0) or a reference set', () => {
  for (const n of [1, 3, 5, 17]) {
    withBuffers(`labels n=${n}`, (w) => {
      const ls = ints(n, 3), rs = ints(n + 2, 3);
      const l = put(ls, true), r = put(rs, true), o1 = out(n * n), o2 = out(n * (n + 2));
      w.add(o1).add(o2);
      for (const same of [true, false]) {
        k.i32_label_mask(l.ptr, n, l.ptr, n, same ? 1 : 0, 1, o1.ptr);
        assert.equal(Array.from(read(o1)), Array.from(labelMaskRef(ls, null, same)), `self same=${same}`);
        k.i32_label_mask(l.ptr, n, r.ptr, n + 2, same ? 1 : 0, 0, o2.ptr);
        assert.equal(Array.from(read(o2)), Array.from(labelMaskRef(ls, rs, same)), `ref same=${same}`);
      }
    });
  }
});

test.run();
