// Every layer of sl.nn built as torch builds it (test/fixtures/gen_layers.py): torch's state
// dict loads strictly (its keys and shapes are ours), and the output, the input gradient
// and every parameter gradient match torch's. Then a finite-difference gradcheck of the
// kernels the fixtures reach only at one size, on odd sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

const lines = readFileSync(new URL('../fixtures/layers.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

// the fixtures hold six significant digits
function close(got: ArrayLike<number>, want: number[], what: string, tol = 1e-4): void {
  assert.is(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (Math.abs(want[i]) + 1e-2 * scale + 1e-6))) assert.unreachable(`${what}[${i}]: ${got[i]} vs torch ${want[i]}`);
  }
}

const layerCases = lines.filter((c) => c.layer !== 'cat' && c.layer !== 'crossEntropy');

test('every layer loads torch state dict strictly and matches its outputs and gradients', () => {
  const seen = new Set<string>();
  for (const c of layerCases) {
    const what = `${c.layer}(${JSON.stringify(c.args)}, ${JSON.stringify(c.options)})`;
    const Layer = (sl.nn as any)[c.layer];
    const m: sl.nn.Module = new Layer(...c.args, c.options);
    const dict = Object.fromEntries(Object.entries(c.state).map(([k, v]: [string, any]) => [k, sl.tensor(v.data, v.shape)]));
    assert.equal(Object.keys(m.stateDict()).sort(), Object.keys(dict).sort(), `${what}: state-dict keys`);
    m.loadStateDict(dict, { strict: true });
    let x: sl.Tensor | null = null;
    let y: sl.Tensor;
    if (c.indices) {
      y = (m as any).forward(sl.tensor(c.indices), ...c.forwardArgs.map((a: number[]) => sl.tensor(a)));
    } else {
      x = sl.tensor(c.x, c.xShape, { requiresGrad: true });
      y = m.forward(x);
    }
    assert.equal(y.shape, c.yShape, `${what}: shape`);
    close(y.data(), c.y, `${what} y`);
    y.backward(sl.tensor(c.g, c.yShape));
    if (x) close(x.grad!.data(), c.dx, `${what} dx`);
    for (const [name, p] of m.namedParameters()) close(p.grad!.data(), c.grads[name], `${what} d${name}`);
    seen.add(c.layer);
    m.dispose();
  }
  for (const name of ['Conv2d', 'Conv1d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'AdaptiveMaxPool2d', 'ReLU6', 'Hardswish', 'Hardsigmoid', 'GELU', 'SiLU',
    'Sigmoid', 'Tanh', 'LeakyReLU', 'PReLU', 'LayerNorm', 'GroupNorm', 'Embedding', 'EmbeddingBag']) assert.ok(seen.has(name), `${name} has a torch case`);
});

test('cat matches torch, gradients split back', () => {
  const c = lines.find((l) => l.layer === 'cat');
  const xs = c.xs.map((t: any) => sl.tensor(t.data, t.shape, { requiresGrad: true }));
  const y = sl.cat(xs, c.dim);
  assert.equal(y.shape, c.yShape);
  close(y.data(), c.y, 'cat y');
  y.backward(sl.tensor(c.g, c.yShape));
  xs.forEach((t: sl.Tensor, i: number) => close(t.grad!.data(), c.dxs[i], `cat dx${i}`));
  assert.equal(sl.cat([sl.tensor([[1, 2]]), sl.tensor([[3, 4]])], -1).toArray(), [[1, 2, 3, 4]]);
  assert.equal(sl.cat([sl.tensor([[1, 2]]), sl.tensor([[3, 4]])]).toArray(), [[1, 2], [3, 4]]);
  assert.throws(() => sl.cat([sl.zeros([2, 3]), sl.zeros([3, 3])], 1), /cat: shapes \[2, 3\], \[3, 3\] differ outside dim 1/);
  assert.throws(() => sl.cat([]), /cat: tensors must be a non-empty array/);
});

test('crossEntropy matches torch.nn.functional.cross_entropy, value and gradient', () => {
  const c = lines.find((l) => l.layer === 'crossEntropy');
  const x = sl.tensor(c.logits, [c.labels.length, c.logits.length / c.labels.length], { requiresGrad: true });
  const loss = sl.crossEntropy(x, c.labels);
  close([loss.item()], c.loss, 'loss');
  loss.backward(sl.tensor(c.g));
  close(x.grad!.data(), c.dlogits, 'dlogits');
  gradcheck((t) => sl.crossEntropy(t, [2, 0, 1]), [sl.randn([3, 5], { seed: 2 })], { eps: 1e-2 });
  assert.throws(() => sl.crossEntropy(sl.zeros([2, 3]), [0, 3]), /crossEntropy: labels\[1\] is 3, outside \[0, 3\)/);
});

test('flatten merges dimensions as torch.flatten, a view', () => {
  const x = sl.randn([2, 3, 4, 5], { seed: 1 });
  assert.equal(sl.flatten(x).shape, [120]);
  assert.equal(sl.flatten(x, 1).shape, [2, 60]);
  assert.equal(sl.flatten(x, 1, 2).shape, [2, 12, 5]);
  assert.equal(sl.flatten(x, -2).shape, [2, 3, 20]);
  assert.equal(Array.from(sl.flatten(x, 1).data()), Array.from(x.data()));
  assert.throws(() => sl.flatten(x, 3, 1), /flatten: dimensions 3..1 do not fit x \[2, 3, 4, 5\]/);
});

// Odd sizes (1, 3, 5, 17) through the SIMD bodies and scalar tails.
test('depthwise, grouped and dilated conv2d pass gradcheck on odd sizes', () => {
  const shapes: [number[], number[], sl.Conv2dOptions][] = [
    [[1, 3, 5, 17], [3, 1, 3, 3], { padding: 1, groups: 3 }],
    [[2, 3, 7, 17], [6, 1, 3, 3], { stride: 2, padding: 1, groups: 3 }],
    [[1, 1, 1, 5], [1, 1, 1, 3], { groups: 1, padding: [0, 1] }],
    [[1, 4, 5, 5], [2, 2, 3, 3], { groups: 2, dilation: 2, padding: 1 }],
    [[1, 2, 5, 6], [2, 2, 2, 2], { padding: 'same' }],
  ];
  shapes.forEach(([xs, ws, o], i) => {
    gradcheck((x, w, b) => sl.conv2d(x, w, b, o), [sl.randn(xs, { seed: i }), sl.randn(ws, { seed: 10 + i }), sl.randn([ws[0]], { seed: 20 + i })], { eps: 1e-2 });
  });
});

test('activations, norms and pools pass gradcheck on odd sizes', () => {
  for (const n of [1, 3, 5, 17]) {
    const x = () => sl.tensor(Float32Array.from({ length: 2 * n }, (_, i) => ((i * 7919) % (2 * n + 1)) / (2 * n + 1) * 10 - 5 + 0.013), [2, n]);
    for (const f of [sl.relu6, sl.hardswish, sl.hardsigmoid, sl.silu, sl.sigmoid, sl.tanh, (t: sl.Tensor) => sl.gelu(t), (t: sl.Tensor) => sl.gelu(t, 'tanh'), (t: sl.Tensor) => sl.leakyRelu(t, 0.1)]) {
      gradcheck(f, [x()], { eps: 1e-3 });
    }
    gradcheck((t, w, b) => sl.layerNorm(t, [n], w, b), [sl.randn([3, n], { seed: n }), sl.randn([n], { seed: n + 1 }), sl.randn([n], { seed: n + 2 })], { eps: 1e-2 });
    gradcheck((t) => sl.avgPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [sl.randn([1, 2, n, n + 2], { seed: n })], { eps: 1e-2 });
    gradcheck((t) => sl.adaptiveAvgPool2d(t, [2, 3]), [sl.randn([1, 2, n + 1, n + 2], { seed: n })], { eps: 1e-2 });
  }
  gradcheck((t, w, b) => sl.groupNorm(t, 2, w, b), [sl.randn([2, 4, 3, 5], { seed: 4 }), sl.randn([4], { seed: 5 }), sl.randn([4], { seed: 6 })], { eps: 1e-2 });
  gradcheck((t, a) => sl.prelu(t, a), [sl.tensor([-2, -1.5, 0.5, 3, -0.3, 1.1], [2, 3]), sl.tensor([0.2, 0.3, 0.4])], { eps: 1e-3 });
});

test('layers reject bad input before running', () => {
  assert.throws(() => new sl.nn.Conv2d(4, 6, 3, { groups: 4 }), /Conv2d: groups 4 must divide inChannels 4 and outChannels 6/);
  assert.throws(() => sl.maxPool2d(sl.zeros([1, 1, 5, 5]), 2, { padding: 2 }), /maxPool2d: padding \[2,2\] must be at most half the kernel size/);
  assert.throws(() => sl.avgPool2d(sl.zeros([1, 1, 5, 5]), 2, { divisorOverride: 0 }), /avgPool2d: divisorOverride must be a positive integer/);
  assert.throws(() => new sl.nn.AvgPool2d(2, { countIncludePads: false } as any), /AvgPool2d: unknown option 'countIncludePads'; did you mean 'countIncludePad'/);
  assert.throws(() => new sl.nn.GELU({ approximate: 'erf' } as any), /GELU: option approximate must be/);
  assert.throws(() => sl.layerNorm(sl.zeros([2, 3]), [4]), /layerNorm: x is \[2, 3\] but must end in normalizedShape \[4\]/);
  assert.throws(() => sl.groupNorm(sl.zeros([2, 6, 3]), 4), /groupNorm: x is \[2, 6, 3\]: it must be \[n, c, ...\] with c divisible by groups 4/);
  assert.throws(() => new sl.nn.Embedding(5, 3).forward([1, 5]), /embedding: indices\[1\] is 5, outside \[0, 5\)/);
  assert.throws(() => new sl.nn.EmbeddingBag(5, 3).forward([1, 2, 3], [1]), /embeddingBag: offsets must start at 0/);
  assert.throws(() => new sl.nn.EmbeddingBag(5, 3).forward([1, 2, 3]), /embeddingBag: indices must be 2-D \[bags, len\], or 1-D with offsets/);
  assert.throws(() => sl.prelu(sl.zeros([2, 3]), sl.zeros([2])), /prelu: weight is \[2\] but x is \[2, 3\]/);
});

test.run();
