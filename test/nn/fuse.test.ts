import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { groupedConv2dRef } from '../ref/conv';

await sl.init();

// conv (no bias) -> BatchNorm2d (eval, random statistics) -> activation, in float64.
function reference(x: sl.Tensor, conv: sl.nn.Conv2d, bn: sl.nn.BatchNorm2d, act: 'relu' | 'relu6'): Float64Array {
  const s = conv.stride, p = conv.padding as [number, number];
  const ref = groupedConv2dRef(x.data(), x.shape, conv.weight.data(), conv.weight.shape, null, s, p);
  const [, oc, oh, ow] = ref.shape;
  const g = bn.weight.data(), b = bn.bias.data(), m = bn.runningMean.data(), v = bn.runningVar.data();
  return ref.y.map((y, i) => {
    const o = Math.floor(i / (oh * ow)) % oc;
    const z = (g[o] * (y - m[o])) / Math.sqrt(v[o] + bn.eps) + b[o];
    return act === 'relu' ? Math.max(z, 0) : Math.min(Math.max(z, 0), 6);
  });
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) assert.unreachable(`${what}: element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

function randomStats(bn: sl.nn.BatchNorm2d, seed: number): void {
  const c = bn.numFeatures;
  const r = (k: number) => sl.rand([c], { seed: seed + k }).data();
  bn.loadStateDict({
    weight: sl.tensor(Array.from(r(0), (u) => 0.5 + u), [c]),
    bias: sl.tensor(Array.from(r(1), (u) => 3 * (u - 0.5)), [c]),
    running_mean: sl.tensor(Array.from(r(2), (u) => u - 0.5), [c]),
    running_var: sl.tensor(Array.from(r(3), (u) => 0.5 + u), [c]),
  }, { strict: false });
}

// [n, c, h, w], out channels, kernel, stride, padding, groups: the direct path (outputs ≥ 8
// wide), im2col (narrower), pointwise (1×1: a plain GEMM), a grouped conv, depthwise 3×3
// and 5×5, odd sizes throughout.
const cases: [number[], number, number, number, number, number][] = [
  [[2, 3, 9, 17], 7, 3, 1, 1, 1],
  [[1, 5, 7, 5], 3, 3, 2, 1, 1],
  [[2, 17, 5, 3], 33, 1, 1, 0, 1],
  [[1, 4, 9, 9], 6, 3, 1, 1, 2],
  [[2, 6, 11, 17], 6, 3, 2, 1, 6],
  [[1, 3, 9, 13], 6, 5, 1, 2, 3],
];

for (const act of ['relu', 'relu6'] as const) {
  test(`fuseBatchNorm fuses conv → BatchNorm2d → ${act} in a Sequential: float64 reference, recorded and unrecorded paths`, () => {
    cases.forEach(([xs, oc, k, s, p, groups], i) => {
      sl.manualSeed(500 + i);
      const conv = new sl.nn.Conv2d(xs[1], oc, k, { stride: s, padding: p, groups, bias: false });
      const bn = new sl.nn.BatchNorm2d(oc);
      randomStats(bn, 600 + 10 * i);
      const model = new sl.nn.Sequential(conv, bn, act === 'relu' ? new sl.nn.ReLU() : new sl.nn.ReLU6()).eval();
      const fused = sl.nn.fuseBatchNorm(model);
      const [, c0, c1, c2] = [null, ...fused.namedChildren().map(([, m]) => m)];
      assert.ok(c0 instanceof sl.nn.Conv2d && (c0 as sl.nn.Conv2d).activation === act, `case ${i}: activation fused`);
      assert.ok(c1 instanceof sl.nn.Identity && c2 instanceof sl.nn.Identity, `case ${i}: BatchNorm and ${act} replaced`);
      // the scale spreads values across 0 and 6 so both clamps act
      const x = sl.tensor(Array.from(sl.randn(xs, { seed: 700 + i }).data(), (v) => 3 * v), xs);
      const want = reference(x, conv, bn, act);
      const y = sl.noGrad(() => fused.forward(x));
      close(y.data(), want, 1e-4, `case ${i} fused, no grad`);
      const yRecorded = fused.forward(x); // parameters require grad: conv, then the activation op
      assert.ok(yRecorded.requiresGrad, `case ${i}: recorded`);
      close(yRecorded.data(), want, 1e-4, `case ${i} fused, recorded`);
      close(sl.noGrad(() => model.forward(x)).data(), want, 1e-4, `case ${i} unfused`);
      for (const t of [x, y, yRecorded]) t.dispose();
      fused.dispose();
      model.dispose();
    });
  });
}

test('a fused activation keeps its gradient when a backward follows (gradcheck)', () => {
  sl.manualSeed(3);
  const model = new sl.nn.Sequential(new sl.nn.Conv2d(2, 3, 3, { padding: 1, bias: false }), new sl.nn.BatchNorm2d(3), new sl.nn.ReLU6()).eval();
  const fused = sl.nn.fuseBatchNorm(model);
  const conv = fused.namedChildren()[0][1] as sl.nn.Conv2d;
  const x = sl.tensor(Array.from(sl.randn([1, 2, 5, 9], { seed: 4 }).data(), (v) => 4 * v + 0.37), [1, 2, 5, 9]);
  gradcheck((a, w, b) => sl.relu6(sl.conv2d(a, w, b, { padding: 1 })), [x, conv.weight, conv.bias!], { eps: 1e-3, atol: 2e-3 });
  gradcheck((a) => fused.forward(a), [x], { eps: 1e-3, atol: 2e-3 });
  x.dispose();
  fused.dispose();
  model.dispose();
});

test('the fused epilogue propagates NaN as relu and relu6 do', () => {
  for (const groups of [1, 2]) {
    const model = new sl.nn.Sequential(new sl.nn.Conv2d(2, 2, 1, { groups, bias: false }), new sl.nn.BatchNorm2d(2), new sl.nn.ReLU6()).eval();
    const fused = sl.nn.fuseBatchNorm(model);
    const vals = Array.from({ length: 2 * 9 }, (_, i) => i - 4);
    vals[4] = NaN;
    const y = sl.noGrad(() => fused.forward(sl.tensor(vals, [1, 2, 1, 9]))).data();
    // channel 0's NaN reaches both outputs when the 1×1 conv mixes channels (groups 1)
    const nan = groups === 1 ? [4, 13] : [4];
    assert.ok(nan.every((i) => Number.isNaN(y[i])), `groups ${groups}: NaN kept`);
    assert.ok(y.every((v, i) => nan.includes(i) || (v >= 0 && v <= 6)), `groups ${groups}: clamped`);
    fused.dispose();
    model.dispose();
  }
});

test('outside a Sequential the activation is left alone (a block may reuse its ReLU)', () => {
  sl.manualSeed(1);
  const net = sl.models.resnet18({ numClasses: 3 });
  const fused = sl.nn.fuseBatchNorm(net);
  const block = (fused as any).layer1[0];
  assert.is(block.conv1.activation, null);
  assert.ok(block.relu instanceof sl.nn.ReLU);
  assert.is((fused as any).conv1.activation, null);
  fused.dispose();
  net.dispose();
});

test.run();
