// conv2dRelu (the fused Conv2d + ReLU that nn.Sequential runs) against the float64 conv
// reference with the ReLU applied, and bitwise against the unfused conv2d then relu.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { conv2dRelu } from '../../src/ops/conv';
import { conv2dBackwardRef, conv2dRef } from '../ref/conv';

await sl.init();

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) assert.unreachable(`${what}: element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

const same = (a: Float32Array, b: Float32Array, what: string) => {
  assert.is(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.unreachable(`${what}: element ${i}: ${a[i]} vs ${b[i]}`);
};

// [n, c, h, w], oc, k, stride, padding, groups: the direct forward path (ow ≥ 8), the im2col
// path with several images per GEMM (small maps), one image per GEMM, pointwise, grouped,
// depthwise (composed, not fused), odd channel counts around the 5-row tile.
const cases: [number[], number, number, number, number, number][] = [
  [[3, 1, 17, 13], 7, 3, 1, 1, 1],
  [[5, 3, 9, 7], 11, 3, 1, 1, 1],
  [[2, 5, 23, 23], 3, 3, 2, 1, 1],
  [[3, 17, 5, 5], 13, 1, 1, 0, 1],
  [[2, 6, 9, 11], 9, 3, 1, 1, 3],
  [[3, 5, 9, 9], 5, 3, 1, 1, 5],
  [[1, 1, 1, 1], 1, 1, 1, 0, 1],
];

test('conv2dRelu: values and every gradient match the float64 reference', () => {
  cases.forEach(([xs, oc, k, s, p, groups], i) => {
    const x = sl.randn(xs, { seed: 400 + i, requiresGrad: true });
    const w = sl.randn([oc, xs[1] / groups, k, k], { seed: 420 + i, requiresGrad: true });
    const b = sl.randn([oc], { seed: 440 + i, requiresGrad: true });
    const y = conv2dRelu(x, w, b, { stride: s, padding: p, groups });
    const yd = y.data();
    // the reference of a grouped conv: each group on its own slice of channels
    const ref = groupedRef(x.data(), xs, w.data(), w.shape, b.data(), s, p, groups);
    close(yd, ref.y.map((v) => Math.max(v, 0)), 1e-4, `case ${i} y`);
    const g = sl.randn(y.shape, { seed: 460 + i });
    y.backward(g);
    const gm = g.data().map((v, j) => (yd[j] > 0 ? v : 0));
    const want = groupedBackwardRef(x.data(), xs, w.data(), w.shape, gm, s, p, groups);
    close(x.grad!.data(), want.dx, 1e-4, `case ${i} dx`);
    close(w.grad!.data(), want.dw, 1e-4, `case ${i} dw`);
    close(b.grad!.data(), want.db, 1e-4, `case ${i} db`);
    for (const t of [x, w, b, y, g]) t.dispose();
  });
});

test('conv2dRelu equals conv2d then relu bitwise, values and gradients, with and without a bias', () => {
  for (const [xs, oc, k, s, p, groups] of cases) {
    for (const withBias of [true, false]) {
      const run = (fused: boolean) => sl.tidy(() => {
        const x = sl.randn(xs, { seed: 1, requiresGrad: true });
        const w = sl.randn([oc, xs[1] / groups, k, k], { seed: 2, requiresGrad: true });
        const b = withBias ? sl.randn([oc], { seed: 3, requiresGrad: true }) : null;
        const opts = { stride: s, padding: p, groups };
        const y = fused ? conv2dRelu(x, w, b, opts) : sl.relu(sl.conv2d(x, w, b, opts));
        sl.sum(sl.mul(y, sl.randn(y.shape, { seed: 4 }))).backward();
        return [y.data(), x.grad!.data(), w.grad!.data(), b ? b.grad!.data() : new Float32Array(0)];
      });
      const [a, b] = [run(true), run(false)];
      a.forEach((v, j) => same(v, b[j], `${xs} bias ${withBias} output ${j}`));
    }
  }
});

test('conv2dRelu: a bias that needs no gradient still gets the ReLU mask; gradients accumulate', () => {
  const x = sl.randn([2, 3, 9, 9], { seed: 7, requiresGrad: true });
  const w = sl.randn([4, 3, 3, 3], { seed: 8, requiresGrad: true });
  const b = sl.randn([4], { seed: 9 });
  const g = sl.randn([2, 4, 9, 9], { seed: 10 });
  const y = conv2dRelu(x, w, b, { padding: 1 });
  y.backward(g);
  const yd = y.data();
  const want = conv2dBackwardRef(x.data(), x.shape, w.data(), w.shape, g.data().map((v, j) => (yd[j] > 0 ? v : 0)), [1, 1], [1, 1]);
  close(w.grad!.data(), want.dw, 1e-4, 'dw');
  assert.is(b.grad, null);
  conv2dRelu(x, w, b, { padding: 1 }).backward(g);
  close(w.grad!.data(), want.dw.map((v) => 2 * v), 1e-4, 'dw accumulated');
  close(x.grad!.data(), want.dx.map((v) => 2 * v), 1e-4, 'dx accumulated');
});

// A first layer (its input takes no gradient) with a narrow filter takes one pass for the
// mask, the bias and the filter gradient: one input channel at 3×3 (one image per group, and
// several on small maps), stride 2, a 4×4 filter (16 taps, the widest), 1×1 over three
// channels, a single pixel; a 5×5 filter (25 taps) keeps the separate passes.
const firstLayers: [number[], number, number, number, number][] = [
  [[2, 1, 28, 28], 5, 3, 1, 1],
  [[3, 1, 17, 13], 7, 3, 1, 1],
  [[5, 1, 9, 9], 3, 3, 2, 1],
  [[3, 1, 11, 10], 6, 4, 1, 2],
  [[3, 3, 5, 7], 4, 1, 1, 0],
  [[1, 1, 1, 1], 1, 1, 1, 0],
  [[2, 1, 13, 12], 3, 5, 1, 2],
];

test('conv2dRelu, input without a gradient: the one-pass backward equals the unfused layers bitwise and the float64 reference', () => {
  firstLayers.forEach(([xs, oc, k, s, p], i) => {
    for (const biasGrad of ['grad', 'frozen', 'none'] as const) {
      const run = (fused: boolean) => sl.tidy(() => {
        const x = sl.randn(xs, { seed: 500 + i });
        const w = sl.randn([oc, xs[1], k, k], { seed: 520 + i, requiresGrad: true });
        const b = biasGrad === 'none' ? null : sl.randn([oc], { seed: 540 + i, requiresGrad: biasGrad === 'grad' });
        const opts = { stride: s, padding: p };
        const y0 = conv2dRelu(x, w, b, opts);
        const g = sl.randn(y0.shape, { seed: 560 + i });
        // twice: the second backward accumulates into the first's gradients
        for (let r = 0; r < 2; r++) {
          const y = fused ? conv2dRelu(x, w, b, opts) : sl.relu(sl.conv2d(x, w, b, opts));
          sl.sum(sl.mul(y, g)).backward();
        }
        return [y0.data(), w.grad!.data(), b?.grad ? b.grad.data() : new Float32Array(0), x.data(), w.data(), g.data()];
      });
      const [a, u] = [run(true), run(false)];
      for (let j = 0; j < 3; j++) same(a[j], u[j], `case ${i} bias ${biasGrad} output ${j}`);
      const [yd, dw, db, xd, wd, gd] = a;
      const gm = gd.map((v, j) => (yd[j] > 0 ? v : 0));
      const want = conv2dBackwardRef(xd, xs, wd, [oc, xs[1], k, k], gm, [s, s], [p, p]);
      close(dw, want.dw.map((v) => 2 * v), 1e-4, `case ${i} dw`);
      if (biasGrad === 'grad') close(db, want.db.map((v) => 2 * v), 1e-4, `case ${i} db`);
      else assert.is(db.length, 0, `case ${i}: no bias gradient`);
    }
  });
});

test('conv2dRelu, input without a gradient: a NaN output passes no gradient; a frozen weight keeps the two passes', () => {
  const x = sl.tensor(new Float32Array(2 * 9 * 9).map((_, j) => Math.sin(j)), [2, 1, 9, 9]);
  const xd = x.data();
  xd[40] = NaN; // its 3×3 neighbourhood of outputs is NaN
  const xn = sl.tensor(xd, [2, 1, 9, 9]);
  const w = sl.randn([3, 1, 3, 3], { seed: 1, requiresGrad: true });
  const b = sl.randn([3], { seed: 2, requiresGrad: true });
  const y = conv2dRelu(xn, w, b, { padding: 1 });
  const g = sl.randn(y.shape, { seed: 3 });
  y.backward(g);
  const yd = y.data();
  assert.ok(yd.some((v) => Number.isNaN(v)), 'NaN outputs');
  const gm = g.data().map((v, j) => (yd[j] > 0 ? v : 0));
  // where the input is NaN the filter gradient is NaN, as in torch; the bias gradient is finite
  const want = conv2dBackwardRef(xd, [2, 1, 9, 9], w.data(), w.shape, gm, [1, 1], [1, 1]);
  close(b.grad!.data(), want.db, 1e-4, 'db with NaN outputs');
  const frozen = sl.randn([3, 1, 3, 3], { seed: 1 });
  const b2 = sl.randn([3], { seed: 2, requiresGrad: true });
  conv2dRelu(xn, frozen, b2, { padding: 1 }).backward(g);
  same(b2.grad!.data(), b.grad!.data(), 'bias gradient with the weight frozen');
  for (const t of [x, xn, w, b, y, g, frozen, b2]) t.dispose();
});

test('nn.Sequential runs a Conv2d followed by a ReLU fused, with the values and gradients of the two layers', () => {
  sl.manualSeed(3);
  const model = new sl.nn.Sequential(new sl.nn.Conv2d(2, 5, 3, { padding: 1 }), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2), new sl.nn.Flatten());
  const x = sl.randn([3, 2, 9, 11], { seed: 11 });
  const [conv] = model.layers as [InstanceType<typeof sl.nn.Conv2d>];
  sl.tidy(() => {
    const y = model.forward(x);
    sl.sum(sl.mul(y, sl.randn(y.shape, { seed: 12 }))).backward();
  });
  const fusedGrads = [conv.weight.grad!.data(), conv.bias!.grad!.data()];
  conv.weight.grad = conv.bias!.grad = null;
  const y2 = sl.tidy(() => {
    const y = sl.flatten(sl.maxPool2d(sl.relu(conv.forward(x)), 2), 1);
    sl.sum(sl.mul(y, sl.randn(y.shape, { seed: 12 }))).backward();
    return y;
  });
  same(sl.tidy(() => model.forward(x).data()), y2.data(), 'output');
  same(fusedGrads[0], conv.weight.grad!.data(), 'weight grad');
  same(fusedGrads[1], conv.bias!.grad!.data(), 'bias grad');
});

function groupedRef(x: Float32Array, [n, c, h, w]: number[], wt: Float32Array, ws: number[], bias: Float32Array, s: number, p: number, groups: number) {
  const cg = c / groups, ocg = ws[0] / groups;
  const parts = Array.from({ length: groups }, (_, j) =>
    conv2dRef(slice(x, n, c, h * w, j * cg, cg), [n, cg, h, w], wt.slice(j * ocg * ws.slice(1).reduce((a, b) => a * b), (j + 1) * ocg * ws.slice(1).reduce((a, b) => a * b)), [ocg, ...ws.slice(1)], bias.slice(j * ocg, (j + 1) * ocg), [s, s], [p, p]));
  const [, , oh, ow] = parts[0].shape;
  return { y: join(parts.map((q) => q.y), n, ocg, oh * ow) };
}

function groupedBackwardRef(x: Float32Array, [n, c, h, w]: number[], wt: Float32Array, ws: number[], g: Float32Array, s: number, p: number, groups: number) {
  const cg = c / groups, ocg = ws[0] / groups, per = ws.slice(1).reduce((a, b) => a * b);
  const ohw = g.length / (n * ws[0]);
  const parts = Array.from({ length: groups }, (_, j) =>
    conv2dBackwardRef(slice(x, n, c, h * w, j * cg, cg), [n, cg, h, w], wt.slice(j * ocg * per, (j + 1) * ocg * per), [ocg, ...ws.slice(1)], slice(g, n, ws[0], ohw, j * ocg, ocg), [s, s], [p, p]));
  const dw = new Float64Array(wt.length), db = new Float64Array(ws[0]);
  parts.forEach((q, j) => { dw.set(q.dw, j * ocg * per); db.set(q.db, j * ocg); });
  return { dx: join(parts.map((q) => q.dx), n, cg, h * w), dw, db };
}

/** Channels [c0, c0 + cs) of an [n, c, plane] array. */
function slice(a: ArrayLike<number>, n: number, c: number, plane: number, c0: number, cs: number): Float64Array {
  const out = new Float64Array(n * cs * plane);
  for (let i = 0; i < n; i++) for (let j = 0; j < cs * plane; j++) out[i * cs * plane + j] = a[(i * c + c0) * plane + j];
  return out;
}

/** [n, cs, plane] parts back into one [n, parts·cs, plane] array. */
function join(parts: Float64Array[], n: number, cs: number, plane: number): Float64Array {
  const c = cs * parts.length, out = new Float64Array(n * c * plane);
  parts.forEach((q, j) => {
    for (let i = 0; i < n; i++) for (let t = 0; t < cs * plane; t++) out[(i * c + j * cs) * plane + t] = q[i * cs * plane + t];
  });
  return out;
}

test.run();
