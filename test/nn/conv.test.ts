import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { conv2dBackwardRef, conv2dRef, groupedConv2dRef } from '../ref/conv';
import { convGroup } from '../../src/ops/conv';

await sl.init();

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * (1 + Math.abs(want[i])))) assert.unreachable(`${what}: element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

// [n, c, h, w], [oc, k], stride, padding: odd sizes, both strides and paddings, kernels 1/3/5.
const cases: { x: number[]; oc: number; k: number | [number, number]; s: number | [number, number]; p: number | [number, number] }[] = [
  { x: [1, 1, 5, 7], oc: 1, k: 3, s: 1, p: 0 },
  { x: [2, 1, 5, 7], oc: 3, k: 3, s: 1, p: 1 },
  { x: [2, 2, 7, 5], oc: 2, k: 3, s: 2, p: 0 },
  { x: [1, 3, 7, 9], oc: 2, k: 3, s: 2, p: 1 },
  { x: [2, 2, 9, 7], oc: 3, k: 5, s: 1, p: 0 },
  { x: [1, 3, 7, 7], oc: 2, k: 5, s: 2, p: 1 },
  { x: [2, 3, 5, 5], oc: 2, k: 5, s: 1, p: 2 },
  { x: [2, 3, 3, 5], oc: 4, k: 1, s: 1, p: 0 },
  { x: [1, 2, 6, 7], oc: 3, k: [3, 2], s: [2, 1], p: [1, 0] },
  { x: [3, 5, 17, 13], oc: 7, k: 3, s: 1, p: 1 },
];
const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

test('conv2d forward matches the float64 reference', () => {
  cases.forEach(({ x: xs, oc, k, s, p }, i) => {
    const [kh, kw] = pair(k);
    const x = sl.randn(xs, { seed: 10 + i });
    const w = sl.randn([oc, xs[1], kh, kw], { seed: 30 + i });
    const b = sl.randn([oc], { seed: 50 + i });
    const y = sl.conv2d(x, w, b, { stride: s, padding: p });
    const ref = conv2dRef(x.data(), xs, w.data(), w.shape, b.data(), pair(s), pair(p));
    assert.equal(y.shape, ref.shape, `case ${i} shape`);
    close(y.data(), ref.y, 1e-5, `case ${i}`);
    const yn = sl.conv2d(x, w, null, { stride: s, padding: p });
    close(yn.data(), conv2dRef(x.data(), xs, w.data(), w.shape, null, pair(s), pair(p)).y, 1e-5, `case ${i} no bias`);
    for (const t of [x, w, b, y, yn]) t.dispose();
  });
});

// [n, c, h, w], out channels, kernel, stride, padding, groups: each forward with and without
// bias against the float64 reference (grouped: conv2dRef per group).
type ForwardCase = [number[], number, number | [number, number], number, number, number];
function checkForwards(cases: ForwardCase[], seed: number, tol: number): void {
  cases.forEach(([xs, oc, k, s, p, groups], i) => {
    const [kh, kw] = pair(k);
    const x = sl.randn(xs, { seed: seed + i });
    const w = sl.randn([oc, xs[1] / groups, kh, kw], { seed: seed + 20 + i });
    const b = sl.randn([oc], { seed: seed + 40 + i });
    for (const bias of [b, null]) {
      const y = sl.noGrad(() => sl.conv2d(x, w, bias, { stride: s, padding: p, groups }));
      const ref = groupedConv2dRef(x.data(), xs, w.data(), w.shape, bias ? bias.data() : null, [s, s], [p, p]);
      assert.equal(y.shape, ref.shape, `case ${i} shape`);
      close(y.data(), ref.y, tol, `case ${i}${bias ? '' : ' no bias'}`);
      y.dispose();
    }
    for (const t of [x, w, b]) t.dispose();
  });
}

test('conv2d forward, direct path: stride 2 and the blocked big-channel layers, against the float64 reference', () => {
  // Outputs at least 8 wide take the direct path; c·k·k > 512 or many output channels block
  // it into chunks of 28 input channels (3×3) and even blocks of at most 130 output channels:
  // 60 channels give chunks 28, 28, 4; 127 outputs one block (an edge tile of 2 rows); 263
  // outputs blocks of 90, 90 and 83 rows (an edge tile of 3 rows).
  checkForwards([
    [[2, 60, 9, 11], 127, 3, 1, 1, 1],
    [[1, 60, 17, 17], 9, 3, 2, 1, 1],
    [[1, 3, 23, 23], 5, 7, 2, 3, 1],
    [[2, 5, 9, 17], 7, 1, 2, 0, 1],
    [[1, 7, 9, 19], 3, 3, 2, 0, 1],
    [[1, 200, 8, 8], 130, 3, 1, 1, 1],
    [[1, 33, 9, 9], 263, 3, 1, 1, 1],
  ], 300, 1e-4);
});

test('depthwise conv2d forward matches the float64 reference (3×3 fast path and general kernels, odd widths)', () => {
  // c·m outputs for c channels; widths 1, 3, 5, 17, 33 so the four-wide loop, its tail,
  // and stride 2's eight-float reads at the row end all run.
  checkForwards([
    [[1, 3, 1, 1], 3, 3, 1, 1, 3],
    [[2, 2, 3, 3], 2, 3, 1, 1, 2],
    [[1, 3, 5, 5], 6, 3, 2, 1, 3],
    [[2, 5, 7, 17], 5, 3, 1, 1, 5],
    [[1, 4, 9, 17], 4, 3, 2, 1, 4],
    [[1, 3, 8, 33], 6, 3, 2, 0, 3],
    [[2, 3, 11, 33], 3, 3, 1, 0, 3],
    [[1, 2, 9, 33], 2, 5, 2, 2, 2],
    [[1, 3, 7, 17], 3, [3, 1], 1, 1, 3],
    // rows of 5 to 7 outputs end on an overlapping four; stride 2 on even and odd padded widths
    [[1, 3, 7, 7], 3, 3, 1, 1, 3],
    [[2, 4, 14, 14], 4, 3, 2, 1, 4],
    [[1, 3, 6, 9], 6, 3, 2, 0, 3],
    [[1, 2, 13, 6], 2, 3, 1, 1, 2],
    [[1, 5, 9, 11], 5, 3, 2, 1, 5],
    [[1, 3, 15, 15], 3, 3, 2, 2, 3],
  ], 400, 1e-5);
});

test('conv2d gradients (input, weight, bias) pass gradcheck', () => {
  cases.slice(0, 9).forEach(({ x: xs, oc, k, s, p }, i) => {
    const [kh, kw] = pair(k);
    const x = sl.randn(xs, { seed: 70 + i });
    const w = sl.randn([oc, xs[1], kh, kw], { seed: 90 + i });
    const b = sl.randn([oc], { seed: 110 + i });
    gradcheck((a, ww, bb) => sl.conv2d(a, ww, bb, { stride: s, padding: p }), [x, w, b], { eps: 1e-2, atol: 2e-3 });
    for (const t of [x, w, b]) t.dispose();
  });
});

test('conv2d gradients match the float64 reference on grouped and per-image GEMM paths', () => {
  // [n, c, h, w], oc, k, stride, padding, the images per GEMM they get
  const big: [number[], number, number, number, number, number][] = [
    [[5, 2, 14, 14], 3, 3, 1, 0, 3], // 12×12 outputs: groups of 3 and 2
    [[7, 3, 13, 13], 4, 3, 1, 0, 4], // the MNIST second layer's 11×11 maps: groups of 4 and 3
    [[3, 2, 23, 23], 3, 3, 1, 1, 1], // 23×23 outputs: one image per GEMM
    [[6, 3, 17, 15], 5, 5, 2, 2, 6],
    [[4, 5, 9, 9], 3, 1, 1, 0, 4], // pointwise: no col at all
  ];
  big.forEach(([xs, oc, k, s, p, group], i) => {
    const x = sl.randn(xs, { seed: 200 + i, requiresGrad: true });
    const w = sl.randn([oc, xs[1], k, k], { seed: 220 + i, requiresGrad: true });
    const b = sl.randn([oc], { seed: 240 + i, requiresGrad: true });
    const y = sl.conv2d(x, w, b, { stride: s, padding: p });
    assert.is(convGroup(xs[0], y.shape[2] * y.shape[3]), group, `case ${i} group`);
    close(y.data(), conv2dRef(x.data(), xs, w.data(), w.shape, b.data(), [s, s], [p, p]).y, 1e-5, `case ${i} y`);
    const g = sl.randn(y.shape, { seed: 260 + i });
    y.backward(g);
    const ref = conv2dBackwardRef(x.data(), xs, w.data(), w.shape, g.data(), [s, s], [p, p]);
    close(x.grad!.data(), ref.dx, 1e-4, `case ${i} dx`);
    close(w.grad!.data(), ref.dw, 1e-4, `case ${i} dw`);
    close(b.grad!.data(), ref.db, 1e-4, `case ${i} db`);
    // a second backward accumulates: exactly twice the reference
    sl.conv2d(x, w, b, { stride: s, padding: p }).backward(g);
    close(w.grad!.data(), ref.dw.map((v) => 2 * v), 1e-4, `case ${i} dw accumulated`);
    close(x.grad!.data(), ref.dx.map((v) => 2 * v), 1e-4, `case ${i} dx accumulated`);
  });
});

test('conv2d filter gradient without col (unit column stride) matches the float64 reference', () => {
  // [n, c, h, w], oc, [kh, kw], [sh, sw], [ph, pw]: more than 256 output pixels (two pixel
  // chunks) with more than 120 output channels (two row blocks) and 27 taps (a partial panel
  // of 3); a row stride; rows of 7 and of 4 outputs (no quad, whole quads); a second backward.
  const cases: [number[], number, [number, number], [number, number], [number, number]][] = [
    [[2, 3, 31, 19], 130, [3, 3], [2, 1], [1, 1]],
    [[3, 2, 5, 9], 7, [3, 5], [1, 1], [2, 1]],
    [[1, 6, 6, 4], 3, [1, 3], [1, 1], [0, 1]],
  ];
  cases.forEach(([xs, oc, k, s, p], i) => {
    const x = sl.randn(xs, { seed: 400 + i, requiresGrad: true });
    const w = sl.randn([oc, xs[1], k[0], k[1]], { seed: 420 + i, requiresGrad: true });
    const y = sl.conv2d(x, w, null, { stride: s, padding: p });
    const g = sl.randn(y.shape, { seed: 440 + i });
    y.backward(g);
    const ref = conv2dBackwardRef(x.data(), xs, w.data(), w.shape, g.data(), s, p);
    close(w.grad!.data(), ref.dw, 1e-4, `case ${i} dw`);
    close(x.grad!.data(), ref.dx, 1e-4, `case ${i} dx`);
    sl.conv2d(x, w, null, { stride: s, padding: p }).backward(g);
    close(w.grad!.data(), ref.dw.map((v) => 2 * v), 1e-4, `case ${i} dw accumulated`);
    for (const t of [x, w, y, g]) t.dispose();
  });
});

test('conv2d forward on the direct path (rows of ≥ 8 outputs, unit column stride) matches the float64 reference', () => {
  // [n, c, h, w], oc, [kh, kw], [sh, sw], [ph, pw]: panels of 8 output pixels that straddle
  // output rows, row strides, uneven kernels and paddings, a 1×1 kernel with padding, oc not a
  // multiple of the 5-row tile, the last panel partial; ow = 8 is the smallest direct width.
  const cases: [number[], number, [number, number], [number, number], [number, number]][] = [
    [[3, 3, 6, 8], 11, [3, 3], [1, 1], [1, 1]], // ow = 8: no straddling panel
    [[2, 4, 9, 10], 6, [3, 2], [2, 1], [1, 0]], // ow = 9, row stride 2
    [[2, 2, 7, 9], 7, [1, 1], [1, 1], [1, 1]], // 1×1 with padding: 9×11 outputs
    [[1, 5, 13, 17], 13, [5, 3], [3, 1], [2, 1]],
    [[4, 32, 14, 14], 64, [3, 3], [1, 1], [1, 1]], // the W3 layer, 4 images
  ];
  cases.forEach(([xs, oc, k, s, p], i) => {
    const x = sl.randn(xs, { seed: 300 + i });
    const w = sl.randn([oc, xs[1], k[0], k[1]], { seed: 320 + i });
    const b = sl.randn([oc], { seed: 340 + i });
    const y = sl.conv2d(x, w, b, { stride: s, padding: p });
    const ref = conv2dRef(x.data(), xs, w.data(), w.shape, b.data(), s, p);
    assert.equal(y.shape, ref.shape, `case ${i} shape`);
    assert.ok(y.shape[3] >= 8, `case ${i} takes the direct path`);
    // float32 sums of 288 products of N(0, 1) values drift by a few 1e-5 (as on the im2col path)
    close(y.data(), ref.y, xs[1] * k[0] * k[1] > 100 ? 1e-4 : 1e-5, `case ${i} y`);
    for (const t of [x, w, b, y]) t.dispose();
  });
});

test('conv2d gradients accumulate when the input is used twice', () => {
  const x = sl.randn([1, 2, 5, 5], { seed: 1 });
  const w = sl.randn([2, 2, 3, 3], { seed: 2 });
  gradcheck((a, ww) => sl.conv2d(a, ww, null, { padding: 1 }).add(sl.conv2d(a, ww, null, { padding: 1 })), [x, w], { eps: 1e-2, atol: 2e-3 });
});

test("padding 'same' keeps the size (as padding (k − 1)/2); 'valid' is no padding", () => {
  const x = sl.randn([2, 3, 7, 5], { seed: 5 });
  const w = sl.randn([4, 3, 5, 3], { seed: 6 });
  const same = sl.conv2d(x, w, null, { padding: 'same' });
  assert.equal(same.shape, [2, 4, 7, 5]);
  assert.equal(Array.from(same.data()), Array.from(sl.conv2d(x, w, null, { padding: [2, 1] }).data()));
  assert.equal(Array.from(sl.conv2d(x, w, null, { padding: 'valid' }).data()), Array.from(sl.conv2d(x, w).data()));
  const layer = new sl.nn.Conv2d(3, 4, 3, { padding: 'same' });
  assert.equal(layer.padding, [1, 1]);
  assert.equal(layer.forward(x).shape, [2, 4, 7, 5]);
});

test('conv2d rejects bad shapes and options before running', () => {
  const x = sl.zeros([1, 2, 5, 5]);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 1, 3, 3])), /conv2d: x is \[1, 2, 5, 5\] but weight is \[3, 1, 3, 3\]/);
  assert.throws(() => sl.conv2d(sl.zeros([2, 5, 5]), sl.zeros([3, 2, 3, 3])), /conv2d: x must be 4-D/);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 2, 7, 7])), /conv2d: kernel 7×7 does not fit input 5×5/);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 2, 3, 3]), sl.zeros([2])), /conv2d: bias is \[2\]/);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 2, 3, 3]), null, { stride: 0 }), /conv2d: stride must be an integer ≥ 1/);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 2, 3, 3]), null, { padding: -1 }), /conv2d: padding must be an integer ≥ 0/);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 2, 3, 3]), null, { padding: 'same', stride: 2 }), /conv2d: padding 'same' needs stride 1/);
  assert.throws(() => new sl.nn.Conv2d(2, 3, 3, { padding: 'same', stride: 2 }), /Conv2d: padding 'same' needs stride 1/);
  assert.throws(() => sl.conv2d(x, sl.zeros([4, 1, 3, 3]), null, { groups: 3 }), /conv2d: groups 3 must be a positive integer dividing/);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 2, 3, 3]), null, { dilation: 0 }), /conv2d: dilation must be an integer ≥ 1/);
  assert.throws(() => sl.conv2d(x, sl.zeros([3, 2, 3, 3]), null, { strides: 2 } as any), /conv2d: unknown option 'strides'; did you mean 'stride'/);
  assert.throws(() => new sl.nn.Conv2d(2, 3, 3, { paddingMode: 'reflect' } as any), /Conv2d: option paddingMode must be/);
});

test.run();
