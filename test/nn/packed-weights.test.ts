// Inference over weights packed once and kept with the weight tensor: convolution
// (src/ops/conv-infer.ts, nn.Conv2d under noGrad; the shortcut and activation in the conv's
// last pass) and nn.Linear.
// Checked against the float64 conv reference, bitwise against the recorded ops (conv2d, add,
// relu / relu6), and the packed weights' invalidation (loadStateDict, optimiser steps, a new input size, disposal).
// The packed GEMM kernels themselves: test/core/kernels.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { getEngine } from '../../src/wasm/instance';
import { conv2d } from '../../src/ops/conv';
import { conv2dInfer } from '../../src/ops/conv-infer';
import { activation } from '../../src/ops/activation';
import { conv2dRef } from '../ref/conv';
import { gemmRef } from '../ref/gemm';
import { assertClose, assertSame } from '../helpers/close';

await sl.init();
const k = getEngine().k;

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) => assertClose(got, want, { atol: tol, rtol: tol }, what);
const same = assertSame;

test('nn.Linear under noGrad: bitwise the recorded forward; the packed weight follows loadStateDict and optimiser steps', () => {
  sl.manualSeed(9);
  const layer = new sl.nn.Linear(37, 21);
  const x = sl.randn([3, 37], { seed: 10 });
  const check = (what: string) => {
    const got = sl.noGrad(() => layer.forward(x)).data();
    same(got, layer.forward(x).data(), `${what}: vs the recorded forward`);
    const bias = layer.bias!.data();
    close(got, gemmRef('nt', x.data(), layer.weight.data(), 3, 37, 21).map((v, i) => v + bias[i % 21]), 1e-4 * Math.sqrt(37), what);
  };
  check('first call');
  check('cached');
  layer.loadStateDict(new sl.nn.Linear(37, 21).stateDict());
  check('after loadStateDict');
  const opt = new sl.optim.SGD(layer.parameters(), { lr: 0.3 });
  const y = layer.forward(x);
  sl.sum(sl.mul(y, y)).backward();
  opt.step();
  check('after an SGD step');
});

// [n, c, h, w], oc, k, stride, padding: the direct path whole (small c·k·k) and blocked (c·9 >
// 512, oc > 120), stride 2, the im2col path (ow < 8) with several images per GEMM, pointwise
// with n·h·w past the GEMM's column block and over small maps (several images per GEMM), a
// strided 1×1, a 1×1 map; pointwise one image per GEMM with c past the GEMM's k block and oc
// past its row block (the epilogue after the last k block), and oc = 16 (a part-filled row panel);
// pointwise reading x in place (c ≤ the k block) on maps of a column block or more (row tiles
// outer) and under one (panels outer), with c and oc of 1, 3, 5, 17, 33, odd widths and
// part-filled last panels; a map of a block or more with c past the k block (packed).
const cases: [number[], number, number, number, number][] = [
  [[3, 1, 17, 13], 7, 3, 1, 1],
  [[2, 61, 9, 11], 127, 3, 1, 1],
  [[2, 5, 23, 23], 3, 3, 2, 1],
  [[3, 17, 5, 5], 13, 3, 1, 1],
  [[2, 17, 33, 35], 11, 1, 1, 0],
  [[5, 17, 7, 7], 13, 1, 1, 0],
  [[3, 9, 7, 9], 6, 1, 2, 0],
  [[1, 1, 1, 1], 1, 1, 1, 0],
  [[1, 300, 5, 7], 127, 1, 1, 0],
  [[2, 3, 13, 11], 16, 1, 1, 0],
  [[2, 5, 23, 25], 17, 1, 1, 0],
  [[1, 33, 25, 23], 33, 1, 1, 0],
  [[2, 1, 27, 21], 3, 1, 1, 0],
  [[2, 17, 11, 13], 1, 1, 1, 0],
  [[1, 3, 13, 11], 5, 1, 1, 0],
  [[1, 257, 23, 23], 7, 1, 1, 0],
];

test('conv2dInfer: the float64 reference, bitwise conv2d then add then relu / relu6 / nothing', () => {
  cases.forEach(([xs, oc, kk, s, p], i) => {
    const x = sl.randn(xs, { seed: 500 + i });
    const w = sl.randn([oc, xs[1], kk, kk], { seed: 520 + i });
    const b = sl.randn([oc], { seed: 540 + i });
    const ref = conv2dRef(x.data(), xs, w.data(), w.shape, b.data(), [s, s], [p, p]);
    const r = sl.randn(ref.shape, { seed: 560 + i });
    const opts = { stride: s, padding: p };
    sl.noGrad(() => {
      for (const act of ['relu', 'relu6', null] as const) {
        for (const res of [null, r]) {
          const got = conv2dInfer(x, w, b, opts, act, res).data();
          let want = Array.from(ref.y, (v, j) => v + (res ? r.data()[j] : 0));
          if (act) want = want.map((v) => Math.min(Math.max(v, 0), act === 'relu6' ? 6 : Infinity));
          close(got, want, 1e-4 * Math.sqrt(xs[1] * kk * kk), `case ${i} ${act} ${res ? 'residual' : ''}`);
          const y0 = conv2d(x, w, b, opts);
          const y1 = res ? sl.add(y0, res) : y0;
          const unfused = act === 'relu' ? sl.relu(y1) : act === 'relu6' ? activation('relu6', y1) : y1;
          same(got, unfused.data(), `case ${i} ${act} ${res ? 'residual' : ''} vs the ops`);
        }
      }
    });
  });
});

// The epilogue's relu / relu6 (pmax/pmin, then + 0) against Math.max/min on exact sums: a NaN
// passes through, a −0 comes out +0, 6 and just past it clamp; depthwise (where a window of −0
// with a −0 bias sums to −0) at strides 1 and 2, and a 1×1 conv over a map of a column block or
// more (the tile epilogue). Small integers and ±0 make every f32 sum exact.
test('conv2dInfer: relu and relu6 keep NaN and turn −0 into +0, as max and min do', () => {
  const [h, w] = [7, 13];
  const plane = (c: number) => Array.from({ length: h * w }, (_, i) => (i % 11 === c ? [NaN, 7, 6, -2, 3, 5][(i + c) % 6] : -0));
  const xs = [0, 1, 2].flatMap(plane);
  const want = (sum: number, act: 'relu' | 'relu6') => Math.min(Math.max(sum, 0), act === 'relu6' ? 6 : Infinity);
  const x = sl.tensor(xs, [1, 3, h, w]);
  const wd = sl.tensor(Array(27).fill(1), [3, 1, 3, 3]);
  const bd = sl.tensor([-0, -0, -0], [3]);
  for (const stride of [1, 2]) {
    const [oh, ow] = [Math.floor((h - 3) / stride) + 1, Math.floor((w - 3) / stride) + 1];
    for (const act of ['relu', 'relu6'] as const) {
      const got = sl.noGrad(() => conv2dInfer(x, wd, bd, { stride, groups: 3 }, act, null)).data();
      const exp: number[] = [];
      for (let c = 0; c < 3; c++) {
        for (let oy = 0; oy < oh; oy++) {
          for (let ox = 0; ox < ow; ox++) {
            let sum = -0;
            for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) sum += xs[(c * h + oy * stride + ky) * w + ox * stride + kx];
            exp.push(want(sum, act));
          }
        }
      }
      assert.ok(exp.some((v) => Number.isNaN(v)) && exp.some((v) => v === 6) && exp.some((v) => Object.is(v, 0)), 'the cases are present');
      same(got, exp, `depthwise stride ${stride} ${act}`);
    }
  }
  const n = 32 * 17;
  const xp = Array.from({ length: 2 * n }, (_, i) => (i % 13 === 5 ? NaN : (i % 17) - 8));
  const wp = [1, 1, -1, 2, 0, 1];
  const bp = [0.5, -3, 6];
  for (const act of ['relu', 'relu6'] as const) {
    const got = sl.noGrad(() => conv2dInfer(sl.tensor(xp, [1, 2, 32, 17]), sl.tensor(wp, [3, 2, 1, 1]), sl.tensor(bp, [3]), {}, act, null)).data();
    const exp = Array.from({ length: 3 * n }, (_, i) => {
      const o = Math.floor(i / n), j = i % n;
      return want(wp[2 * o] * xp[j] + wp[2 * o + 1] * xp[n + j] + bp[o], act);
    });
    same(got, exp, `1×1 ${act}`);
  }
});

test('conv2dInfer: depthwise, grouped and dilated convs compose the ops (same values)', () => {
  const x = sl.randn([2, 6, 9, 11], { seed: 600 });
  for (const [groups, dilation, oc] of [[6, 1, 6], [3, 1, 9], [1, 2, 4]]) {
    const w = sl.randn([oc, 6 / groups, 3, 3], { seed: 601 + groups });
    const b = sl.randn([oc], { seed: 602 });
    const opts = { padding: 1, groups, dilation };
    sl.noGrad(() => {
      const y = conv2d(x, w, b, opts);
      const r = sl.randn(y.shape, { seed: 603 });
      same(conv2dInfer(x, w, b, opts, 'relu6', null).data(), activation('relu6', y).data(), `groups ${groups} dilation ${dilation}`);
      same(conv2dInfer(x, w, b, opts, 'relu', r).data(), sl.relu(sl.add(y, r)).data(), `groups ${groups} dilation ${dilation} residual`);
    });
  }
});

test('conv2dInfer: a residual of the wrong shape is an error naming it, before any work', () => {
  const x = sl.randn([1, 3, 8, 8], { seed: 1 });
  const w = sl.randn([4, 3, 3, 3], { seed: 2 });
  const bad = sl.zeros([1, 4, 7, 8]);
  assert.throws(() => sl.noGrad(() => conv2dInfer(x, w, null, { padding: 1 }, 'relu', bad)), /conv2d: residual is \[1, 4, 7, 8\] but the output is \[1, 4, 8, 8\]/);
  const layer = new sl.nn.Conv2d(3, 4, 3, { padding: 1 });
  layer.activation = 'relu6';
  assert.throws(() => sl.noGrad(() => layer.forwardInfer(x, 'relu', null)), /Conv2d.forwardInfer: the layer already has activation 'relu6'/);
});

/** The layer's output under noGrad (the packed path) and the reference from its current weights. */
function checkLayer(layer: sl.nn.Conv2d, x: sl.Tensor, what: string): void {
  const got = sl.noGrad(() => layer.forward(x)).data();
  const want = conv2dRef(x.data(), x.shape, layer.weight.data(), layer.weight.shape, layer.bias!.data(), layer.stride, layer.padding as number[]);
  close(got, want.y, 1e-4 * Math.sqrt(layer.weight.size / layer.outChannels), what);
}

test('nn.Conv2d under noGrad: the packed weights follow loadStateDict, optimiser steps and the input size', () => {
  sl.manualSeed(3);
  const layer = new sl.nn.Conv2d(7, 9, 3, { padding: 1 });
  const x = sl.randn([2, 7, 11, 12], { seed: 4 });
  checkLayer(layer, x, 'first call');
  checkLayer(layer, x, 'second call (cached)');
  // loadStateDict: new weights, the next call uses them
  const other = new sl.nn.Conv2d(7, 9, 3, { padding: 1 });
  const before = sl.noGrad(() => layer.forward(x)).data();
  layer.loadStateDict(other.stateDict());
  checkLayer(layer, x, 'after loadStateDict');
  assert.ok(sl.noGrad(() => layer.forward(x)).data().some((v, i) => v !== before[i]), 'loadStateDict changed the output');
  // optimiser steps (each kind writes the weights in place)
  for (const make of [(p: sl.Tensor[]) => new sl.optim.SGD(p, { lr: 0.5 }), (p: sl.Tensor[]) => new sl.optim.Adam(p, { lr: 0.1 })]) {
    const opt = make(layer.parameters());
    const y = layer.forward(x);
    const loss = sl.sum(sl.mul(y, y));
    loss.backward();
    const was = sl.noGrad(() => layer.forward(x)).data();
    opt.step();
    opt.zeroGrad();
    checkLayer(layer, x, 'after an optimiser step');
    assert.ok(sl.noGrad(() => layer.forward(x)).data().some((v, i) => v !== was[i]), 'the step changed the output');
  }
  const lbfgs = new sl.optim.LBFGS(layer.parameters(), { lr: 0.5, maxIter: 2 });
  const was = sl.noGrad(() => layer.forward(x)).data();
  lbfgs.step(() => {
    lbfgs.zeroGrad();
    const y = layer.forward(x);
    const loss = sl.sum(sl.mul(y, y));
    loss.backward();
    return loss;
  });
  lbfgs.dispose();
  checkLayer(layer, x, 'after an LBFGS step');
  assert.ok(sl.noGrad(() => layer.forward(x)).data().some((v, i) => v !== was[i]), 'the LBFGS step changed the output');
  // another input size can change the packed layout (direct path vs GEMM): both stay right
  checkLayer(layer, sl.randn([3, 7, 3, 4], { seed: 5 }), 'a 3×4 map');
  checkLayer(layer, x, 'back to 11×12');
});

test('nn.Conv2d under noGrad: the packed weights are freed with the layer', () => {
  const alloc = getEngine().alloc as any;
  const x = sl.randn([1, 16, 10, 10], { seed: 6 });
  const live = () => alloc.liveBytes as number;
  const before = live();
  const layer = new sl.nn.Conv2d(16, 32, 3, { padding: 1 });
  sl.tidy(() => sl.noGrad(() => {
    layer.forward(x);
  }));
  assert.ok(live() > before + layer.weight.size * 4, 'the packed copy is kept');
  layer.dispose();
  assert.is(live(), before);
});

test('fuseBatchNorm models under noGrad (packed convs, ReLU and shortcut in the last conv) give bitwise the recorded forward', () => {
  const models: [string, () => sl.nn.Module][] = [
    ['resnet18', () => sl.models.resnet18({ numClasses: 10 })],
    ['Bottleneck ResNet', () => new sl.models.ResNet(sl.models.Bottleneck, [1, 1, 1, 1], { numClasses: 10 })],
    ['mobilenetV2', () => sl.models.mobilenetV2({ numClasses: 10 })],
  ];
  for (const [name, make] of models) {
    sl.manualSeed(11);
    const raw = make();
    const model = sl.nn.fuseBatchNorm(raw.eval());
    raw.dispose();
    const x = sl.randn([2, 3, 37, 41], { seed: 12 });
    const fast: Float32Array = sl.tidy(() => sl.noGrad(() => model.forward(x)).data());
    const xr = sl.randn([2, 3, 37, 41], { seed: 12, requiresGrad: true }); // recorded: the ops one by one
    const slow = sl.tidy(() => model.forward(xr).data());
    same(fast, slow, name);
    assert.ok(fast.some((v) => v !== 0), `${name}: a non-zero output`);
    model.dispose();
  }
});

test.run();
