import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { maxPool2dPaddedRef, maxPool2dRef } from '../ref/conv';
import { Rng } from '../../src/random';
import { f32, getEngine } from '../../src/wasm/instance';

await sl.init();

// Distinct values spaced well apart, so finite differences never swap a window's argmax.
function distinct(shape: number[], seed: number): sl.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  return sl.tensor(new Rng(seed).shuffle(vals), shape);
}

const cases = [
  { x: [1, 1, 4, 4], k: 2, s: 2 },
  { x: [2, 3, 5, 7], k: 2, s: 2 },
  { x: [2, 2, 7, 5], k: 3, s: 2 },
  { x: [1, 3, 9, 9], k: 3, s: 3 },
  { x: [2, 1, 5, 7], k: 3, s: 1 },
  { x: [1, 2, 6, 7], k: [2, 3] as [number, number], s: [1, 2] as [number, number] },
  { x: [2, 3, 9, 19], k: 2, s: 2 }, // four-wide SIMD windows, the last step overlapping
  { x: [1, 2, 6, 8], k: 2, s: 2 }, // one four-wide step a row
  { x: [1, 2, 8, 16], k: [3, 2] as [number, number], s: [1, 2] as [number, number] },
  { x: [3, 5, 26, 26], k: 2, s: 2 },
];
const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

test('maxPool2d forward matches the reference (values, floor-mode shape)', () => {
  cases.forEach(({ x: xs, k, s }, i) => {
    const x = sl.randn(xs, { seed: i });
    const y = sl.maxPool2d(x, k, { stride: s });
    const ref = maxPool2dRef(x.data(), xs, pair(k), pair(s));
    assert.equal(y.shape, ref.shape, `case ${i}`);
    assert.equal(Array.from(y.data()), Array.from(ref.y, Math.fround), `case ${i}`);
  });
});

test('maxPool2d stride defaults to the kernel size', () => {
  const x = sl.randn([1, 1, 7, 7], { seed: 3 });
  assert.equal(sl.maxPool2d(x, 2).shape, [1, 1, 3, 3]);
  assert.equal(sl.maxPool2d(x, 3).shape, [1, 1, 2, 2]);
});

test('maxPool2d gradient passes gradcheck, overlapping windows included', () => {
  cases.slice(0, 8).forEach(({ x: xs, k, s }, i) => {
    gradcheck((a) => sl.maxPool2d(a, k, { stride: s }), [distinct(xs, i)], { eps: 1e-3 });
  });
});

test('maxPool2d backward: tie goes to the first maximum, overlaps add', () => {
  const x = sl.tensor([[[[1, 1, 0], [0, 5, 0], [0, 0, 0]]]], undefined, { requiresGrad: true });
  sl.maxPool2d(x, 2, { stride: 1 }).sum().backward();
  // windows: {1,1,0,5}→5 at (1,1); {1,0,5,0}→5; {0,5,0,0}→5; {5,0,0,0}→5: all four pick (1,1)
  assert.equal(x.grad!.toArray(), [[[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]]);
  const t = sl.tensor([[[[2, 2], [2, 2]]]], undefined, { requiresGrad: true });
  sl.maxPool2d(t, 2).sum().backward();
  assert.equal(t.grad!.toArray(), [[[[1, 0], [0, 0]]]]);
});

test('f32_maxpool2d_bwd writes every entry of dx (odd last rows and columns too), as a scatter into zeros; with accumulate it adds', () => {
  const k = getEngine().k;
  for (const [i, shape] of [[1, 1, 2, 2], [1, 2, 5, 7], [2, 1, 9, 19], [1, 3, 6, 8], [1, 1, 3, 4]].entries()) {
    const [n, c, h, w] = shape;
    const x = sl.randn(shape, { seed: 40 + i });
    const ref = maxPool2dRef(x.data(), shape, [2, 2], [2, 2]);
    const [, , oh, ow] = ref.shape;
    const dy = sl.randn(ref.shape, { seed: 50 + i });
    const idx = sl.zeros([ref.idx.length]);
    new Int32Array(f32().buffer, idx.ptr, ref.idx.length).set(ref.idx);
    const want = new Float32Array(n * c * h * w);
    const g = dy.data();
    ref.idx.forEach((at, o) => (want[Math.floor(o / (oh * ow)) * h * w + at] += g[o]));
    // dx starts as NaN everywhere: each entry must be written
    const dx = sl.full(shape, NaN);
    k.f32_maxpool2d_bwd(dy.ptr, idx.ptr, dx.ptr, n * c, h, w, oh, ow, 0);
    assert.equal(Array.from(dx.data()), Array.from(want), `${shape}`);
    const acc = sl.full(shape, 1);
    k.f32_maxpool2d_bwd(dy.ptr, idx.ptr, acc.ptr, n * c, h, w, oh, ow, 1);
    assert.equal(Array.from(acc.data()), Array.from(want, (v) => Math.fround(1 + v)), `${shape} accumulate`);
    [dx, acc].forEach((t) => t.dispose());
    [x, dy, idx].forEach((t) => t.dispose());
  }
});

test('maxPool2d propagates NaN like torch (SIMD windows, the overlapping last step, scalar windows)', () => {
  const vals = Array.from({ length: 2 * 10 }, (_, i) => i % 7);
  vals[3] = NaN; // window 1 of the SIMD block
  vals[19] = NaN; // the last window, in the overlapping last step
  const x = sl.tensor(vals, [1, 1, 2, 10], { requiresGrad: true });
  const y = sl.maxPool2d(x, 2);
  const got = Array.from(y.data());
  assert.ok(Number.isNaN(got[1]) && Number.isNaN(got[4]), `NaN windows: ${got}`);
  // rows 0 1 2 NaN 4 5 6 0 1 2 / 3 4 5 6 0 1 2 3 4 NaN
  assert.equal([got[0], got[2], got[3]], [4, 5, 6]);
  y.backward(sl.ones([1, 1, 1, 5]));
  const g = x.grad!.data();
  assert.is(g[3], 1);
  assert.is(g[19], 1);
  // three windows a row: the scalar path
  const z = sl.tensor([1, NaN, 2, 0, 5, 4, 3, 0, 1, 0, 6, 2], [1, 1, 2, 6], { requiresGrad: true });
  const yz = Array.from(sl.maxPool2d(z, 2).data());
  assert.ok(Number.isNaN(yz[0]), `scalar NaN window: ${yz}`);
  assert.equal([yz[1], yz[2]], [2, 6]);
});

test('maxPool2d without a backward (inference path) matches the padded reference and the recorded path', () => {
  // [n, c, h, w], kernel, stride, padding, ceil mode: ResNet's stem pool (3, 2, 1), widths 1,
  // 3, 5, 17, 33 for the four-wide loop and its tail, stride 3 (scalar), ceil mode's last window.
  const padded: [number[], number | [number, number], number | [number, number], number | [number, number], boolean][] = [
    [[1, 2, 1, 1], 1, 1, 0, false],
    [[1, 2, 3, 3], 3, 2, 1, false],
    [[2, 3, 5, 5], 3, 2, 1, false],
    [[1, 3, 17, 17], 3, 2, 1, false],
    [[1, 2, 33, 33], 3, 2, 1, false],
    [[2, 2, 9, 17], 3, 1, 1, false],
    [[1, 3, 13, 33], 5, 3, 2, false],
    [[1, 2, 10, 17], [3, 2], [2, 1], [1, 0], false],
    [[1, 2, 8, 18], 3, 2, 0, true],
    [[1, 1, 6, 9], 2, 2, 1, true],
  ];
  padded.forEach(([xs, k, s, p, ceilMode], i) => {
    const x = sl.randn(xs, { seed: 60 + i });
    const y = sl.noGrad(() => sl.maxPool2d(x, k, { stride: s, padding: p, ceilMode }));
    const xg = sl.tensor(x.data(), xs, { requiresGrad: true });
    const yg = sl.maxPool2d(xg, k, { stride: s, padding: p, ceilMode }); // the argmax path
    assert.equal(y.shape, yg.shape, `case ${i} shape`);
    assert.equal(Array.from(y.data()), Array.from(yg.data()), `case ${i} vs the recorded path`);
    if (!ceilMode) {
      const ref = maxPool2dPaddedRef(x.data(), xs, pair(k), pair(s), pair(p));
      assert.equal(y.shape, ref.shape, `case ${i} ref shape`);
      assert.equal(Array.from(y.data()), Array.from(ref.y), `case ${i} vs the reference`);
    }
    for (const t of [x, y, xg, yg]) t.dispose();
  });
  // NaN propagates in the SIMD block and the scalar tail, and padding never wins
  const vals = Array.from({ length: 2 * 11 }, (_, i) => -1 - (i % 5));
  vals[4] = NaN;
  vals[21] = NaN;
  const y = sl.noGrad(() => sl.maxPool2d(sl.tensor(vals, [1, 1, 2, 11]), 3, { stride: 2, padding: 1 }));
  const got = Array.from(y.data());
  assert.ok(Number.isNaN(got[2]) && Number.isNaN(got[5]) && !Number.isNaN(got[0]), `NaN windows: ${got}`);
  assert.is(got[0], -1);
});

test('maxPool2d rejects bad input', () => {
  assert.throws(() => sl.maxPool2d(sl.zeros([1, 3, 3]), 2), /maxPool2d: x must be 4-D/);
  assert.throws(() => sl.maxPool2d(sl.zeros([1, 1, 3, 3]), 4), /maxPool2d: kernel 4×4 is larger than the input 3×3/);
  assert.throws(() => sl.maxPool2d(sl.zeros([1, 1, 3, 3]), 0), /maxPool2d: kernelSize must be/);
});

test.run();
