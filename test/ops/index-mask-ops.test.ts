// The differentiable index, mask, unary and cumsum ops: values against the float64
// references in test/ref on odd sizes, every gradient through a finite-difference gradcheck,
// masks carrying no gradient, and argument errors thrown before any work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { abs, clamp, exp, log, logSigmoid, neg, pow, sigmoid, softplus, sqrt, square, tanh } from '../../src/ops/unary';
import { gatherElements, indexSelect, scatterAdd, scatterAddElements } from '../../src/ops/gather';
import { eq, ge, gt, indexMask, labelMask, le, lt, maskedFill, maskedLogsumexp, maskedMax, maskedMean, maskedMin, maskedSum, ne, where } from '../../src/ops/masked';
import { cumsum, zeroFrom } from '../../src/ops/reduce';
import { Rng } from '../../src/random';
import { assertClose, U32 } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';
import { unaryRef, type UnaryName } from '../ref/unary';
import { gatherElementsRef, gatherRowsRef, scatterAddElementsRef, scatterAddRowsRef } from '../ref/gather';
import { labelMaskRef, maskedRowsRef } from '../ref/masked';
import { cumsumRowsRef } from '../ref/reduce';

await sl.init();
const rng = new Rng(11);
const ints = (n: number, bound: number) => Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * bound));

/** A gradcheck whose inputs are freed afterwards. */
function check(fn: (...xs: sl.Tensor[]) => sl.Tensor, inputs: sl.Tensor[], wrt?: number[]): void {
  try {
    gradcheck(fn, inputs, { wrt, eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  } finally {
    for (const t of inputs) t.dispose();
  }
}

const UNARY: [UnaryName, (x: sl.Tensor) => sl.Tensor, (v: number) => number, number, number][] = [
  ['exp', exp, (v) => v, 0, 0],
  ['log', log, (v) => Math.abs(v) + 0.2, 0, 0],
  ['softplus', softplus, (v) => v * 3, 0, 0],
  ['sigmoid', sigmoid, (v) => v * 3, 0, 0],
  ['logSigmoid', logSigmoid, (v) => v * 3, 0, 0],
  ['sqrt', sqrt, (v) => Math.abs(v) + 0.2, 0, 0],
  ['abs', abs, (v) => (Math.abs(v) < 0.05 ? 0.3 : v), 0, 0],
  ['neg', neg, (v) => v, 0, 0],
  ['square', square, (v) => v, 0, 0],
  ['tanh', tanh, (v) => v, 0, 0],
  ['pow', (x) => pow(x, 3.5), (v) => Math.abs(v) + 0.2, 3.5, 0],
  ['clamp', (x) => clamp(x, -0.4, 0.6), (v) => (Math.abs(v + 0.4) < 0.05 || Math.abs(v - 0.6) < 0.05 ? 0 : v), -0.4, 0.6],
];

for (const [name, op, domain, a, b] of UNARY) {
  test(`${name}: values on sizes 1, 5, 17, 33 and a gradcheck on [3, 7]`, () => {
    for (const n of [1, 5, 17, 33]) {
      sl.tidy(() => {
        const xs = Float32Array.from({ length: n }, () => domain(rng.normal()));
        const y = op(sl.tensor(xs)).data();
        assertClose(y, Array.from(xs, (v) => unaryRef(name, v, a, b)), { rtol: 8 * U32, atol: 1e-7 }, name);
      });
    }
    const xs = Float32Array.from({ length: 21 }, () => domain(rng.normal()));
    check(op, [sl.tensor(xs, [3, 7])]);
  });
}

test('unary errors: a disposed tensor, a bad clamp', () => {
  const x = sl.tensor([1, 2]);
  x.dispose();
  assert.throws(() => exp(x), /exp: x \[2\] was disposed/);
  sl.tidy(() => {
    assert.throws(() => clamp(sl.tensor([1]), 2, 1), /clamp: min 2 is above max 1/);
    assert.throws(() => pow(sl.tensor([1]), NaN), /pow: p must be a number/);
    assertClose(clamp(sl.tensor([-3, 0, 3]), null, 1).data(), [-3, 0, 1], {}, 'no lower bound');
  });
});

test('indexSelect / scatterAdd: values vs references (repeated indices), gradchecks, 3-D rows', () => {
  for (const d of [1, 3, 17]) {
    sl.tidy(() => {
      const x = sl.randn([5, d], { seed: d });
      const idx = ints(9, 5);
      assertClose(indexSelect(x, idx).data(), gatherRowsRef(x.data(), idx, d), {}, 'indexSelect');
      const src = sl.randn([9, d], { seed: d + 1 });
      assertClose(scatterAdd(src, idx, 6).data(), scatterAddRowsRef(src.data(), idx, 6, d), { rtol: 1e-6, atol: 1e-6 }, 'scatterAdd');
    });
  }
  const idx = Int32Array.from([4, 0, 4, 2, 1, 4, 0]);
  check((x) => indexSelect(x, idx), [sl.randn([5, 3], { seed: 1 })]);
  check((x) => scatterAdd(x, idx, 6), [sl.randn([7, 3], { seed: 2 })]);
  check((x) => indexSelect(x, [1, 1]), [sl.randn([2, 3, 2], { seed: 3 })]);
  sl.tidy(() => assert.equal(indexSelect(sl.randn([2, 3, 2], { seed: 3 }), [1, 0, 1]).shape, [3, 3, 2]));
});

test('gatherElements / scatterAddElements: values vs references (repeated pairs), gradchecks', () => {
  for (const m of [1, 3, 17]) {
    sl.tidy(() => {
      const mat = sl.randn([4, m], { seed: m });
      const r = ints(11, 4), c = ints(11, m);
      assertClose(gatherElements(mat, r, c).data(), gatherElementsRef(mat.data(), m, r, c), {}, 'gather');
      const src = sl.randn([11], { seed: 3 });
      assertClose(scatterAddElements(src, r, c, 4, m).data(), scatterAddElementsRef(src.data(), r, c, 4, m), { rtol: 1e-6, atol: 1e-6 }, 'scatter');
    });
  }
  const r = Int32Array.from([0, 2, 2, 1, 0]), c = Int32Array.from([1, 3, 3, 0, 4]);
  check((m) => gatherElements(m, r, c), [sl.randn([3, 5], { seed: 4 })]);
  check((s) => scatterAddElements(s, r, c, 3, 5), [sl.randn([5], { seed: 5 })]);
});

test('index errors: out of range, fractional, mismatched lengths, all before any work', () => {
  sl.tidy(() => {
    const x = sl.randn([3, 2], { seed: 1 });
    assert.throws(() => indexSelect(x, [0, 3]), /indexSelect: idx\[1\] is 3: indices must be integers in \[0, 3\) \(x is \[3, 2\]\)/);
    assert.throws(() => indexSelect(x, [0.5]), /idx\[0\] is 0.5/);
    assert.throws(() => gatherElements(x, [0, 1], [1]), /gatherElements: rows has 2 entries but cols has 1/);
    assert.throws(() => gatherElements(x, [0], [2]), /cols\[0\] is 2/);
    assert.throws(() => scatterAdd(x, [0, 1], 4), /scatterAdd: idx has 2 entries but src \[3, 2\] has 3 rows/);
    assert.throws(() => scatterAddElements(x, [0], [0], 2, 2), /src must be a vector/);
  });
});

test('masked reductions: every kind vs the reference, with and without a mask, empty rows 0; gradchecks', () => {
  const kinds = [
    ['sum', (x: sl.Tensor, m: sl.Tensor | null) => maskedSum(x, m)],
    ['mean', (x: sl.Tensor, m: sl.Tensor | null) => maskedMean(x, m)],
    ['max', (x: sl.Tensor, m: sl.Tensor | null) => maskedMax(x, m)],
    ['min', (x: sl.Tensor, m: sl.Tensor | null) => maskedMin(x, m)],
    ['logsumexp', (x: sl.Tensor, m: sl.Tensor | null) => maskedLogsumexp(x, m)],
  ] as const;
  for (const [name, op] of kinds) {
    for (const m of [1, 5, 17]) {
      sl.tidy(() => {
        const x = sl.randn([3, m], { seed: m });
        const mk = Float32Array.from({ length: 3 * m }, (_, i) => (i >= m && i < 2 * m ? 0 : rng.uniform() < 0.6 ? 1 : 0));
        const mask = sl.tensor(mk, [3, m]);
        assertClose(op(x, mask).data(), maskedRowsRef(name, x.data(), mk, 3, m).out, { rtol: 1e-6, atol: 1e-6 }, `${name} masked`);
        assertClose(op(x, null).data(), maskedRowsRef(name, x.data(), null, 3, m).out, { rtol: 1e-6, atol: 1e-6 }, `${name} unmasked`);
      });
    }
    // distinct values keep max/min away from ties
    const xs = Float32Array.from({ length: 28 }, (_, i) => ((i * 11) % 28) / 5 - 2.5);
    const mask = sl.tensor(Float32Array.from({ length: 28 }, (_, i) => (i % 3 === 0 || i >= 21 ? 0 : 1)), [4, 7]);
    check((x) => op(x, mask), [sl.tensor(xs, [4, 7])]);
    mask.dispose();
  }
  sl.tidy(() => {
    const x = sl.randn([3, 5], { seed: 9 });
    const mk = Float32Array.from({ length: 15 }, (_, i) => (i < 5 ? 0 : i % 2));
    const mask = sl.tensor(mk, [3, 5]);
    assertClose(maskedLogsumexp(x, mask, { addOne: true }).data(), maskedRowsRef('logsumexp', x.data(), mk, 3, 5, true).out, { rtol: 1e-6, atol: 1e-7 }, 'addOne');
    assert.throws(() => maskedLogsumexp(x, mask, { addone: true } as any), /unknown option 'addone'; did you mean 'addOne'/);
    assert.throws(() => maskedSum(x, sl.zeros([5, 3])), /maskedSum: x is \[3, 5\] but mask is \[5, 3\]/);
    assert.throws(() => maskedSum(sl.zeros([3]), null), /x must be a matrix/);
  });
  const mask = sl.tensor([1, 0, 1, 1, 0, 0], [2, 3]);
  check((x) => maskedLogsumexp(x, mask, { addOne: true }), [sl.randn([2, 3], { seed: 2 })]);
  mask.dispose();
});

test('masks: comparisons (tensor, one element, number), label masks, index masks carry no gradient', () => {
  sl.tidy(() => {
    const a = sl.tensor([1, 2, 3, NaN, 5], [5]);
    const b = sl.tensor([1, 3, 2, NaN, 5], [5]);
    assert.equal(Array.from(eq(a, b).data()), [1, 0, 0, 0, 1]);
    assert.equal(Array.from(ne(a, b).data()), [0, 1, 1, 1, 0]);
    assert.equal(Array.from(gt(a, 2).data()), [0, 0, 1, 0, 1]);
    assert.equal(Array.from(ge(a, sl.tensor([2])).data()), [0, 1, 1, 0, 1]);
    assert.equal(Array.from(lt(a, b).data()), [0, 1, 0, 0, 0]);
    assert.equal(Array.from(le(a, b).data()), [1, 1, 0, 0, 1]);
    const x = sl.tensor([1, 2], [2], { requiresGrad: true });
    assert.is(gt(x, 0).requiresGrad, false, 'a mask has no gradient');
    assert.throws(() => gt(a, sl.zeros([2])), /gt: a is \[5\] but b is \[2\]/);
    const labels = Int32Array.from([0, 1, 0, 2, 1]), ref = Int32Array.from([1, 0, 0]);
    assert.equal(Array.from(labelMask(labels, null, true).data()), Array.from(labelMaskRef(labels, null, true)));
    assert.equal(Array.from(labelMask(labels, null, false).data()), Array.from(labelMaskRef(labels, null, false)));
    assert.equal(Array.from(labelMask(labels, ref, true).data()), Array.from(labelMaskRef(labels, ref, true)));
    assert.equal(labelMask(labels, ref, false).shape, [5, 3]);
    assert.equal(Array.from(indexMask(Int32Array.from([0, 1, 1]), Int32Array.from([2, 0, 0]), 2, 3).data()), [0, 0, 1, 1, 0, 0]);
    assert.throws(() => indexMask(Int32Array.from([2]), Int32Array.from([0]), 2, 3), /indexMask: pair 0 \(2, 0\) is outside \[2, 3\]/);
  });
});

test('where / maskedFill: values, gradients to the chosen side only, numbers on either side', () => {
  sl.tidy(() => {
    const mask = sl.tensor([1, 0, 1, 0, 0], [5]);
    const a = sl.tensor([1, 2, 3, 4, 5]), b = sl.tensor([10, 20, 30, 40, 50]);
    assert.equal(Array.from(where(mask, a, b).data()), [1, 20, 3, 40, 50]);
    assert.equal(Array.from(where(mask, a, -1).data()), [1, -1, 3, -1, -1]);
    assert.equal(Array.from(maskedFill(a, mask, -Infinity).data()), [-Infinity, 2, -Infinity, 4, 5]);
    assert.throws(() => where(mask, sl.zeros([4]), 0), /where: a is \[4\] but mask is \[5\]/);
  });
  const mask = sl.tensor([1, 0, 1, 0, 0, 1, 1], [7]);
  check((a, b) => where(mask, a, b), [sl.randn([7], { seed: 1 }), sl.randn([7], { seed: 2 })]);
  check((a) => where(mask, a, a), [sl.randn([7], { seed: 3 })]);
  check((a) => maskedFill(a, mask, 2), [sl.randn([7], { seed: 4 })]);
  mask.dispose();
});

test('cumsum: values vs the reference along the last axis; gradcheck; zeroFrom: 0 with a zero gradient', () => {
  for (const m of [1, 5, 17, 33]) {
    sl.tidy(() => {
      const x = sl.randn([3, m], { seed: m });
      assertClose(cumsum(x).data(), cumsumRowsRef(x.data(), 3, m), { rtol: 1e-6, atol: 1e-6 }, `m=${m}`);
    });
  }
  check((x) => cumsum(x), [sl.randn([3, 7], { seed: 1 })]);
  check((x) => cumsum(x), [sl.randn([2, 2, 5], { seed: 2 })]);
  sl.tidy(() => {
    const x = sl.randn([3, 2], { seed: 1, requiresGrad: true });
    const z = zeroFrom(x);
    assert.is(z.item(), 0);
    z.backward();
    assert.equal(Array.from(x.grad!.data()), [0, 0, 0, 0, 0, 0]);
  });
});

test.run();
