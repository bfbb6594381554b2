import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { conv2dRef, maxPool2dRef } from '../ref/conv';
import { matmulRef } from '../ref/gemm';

await sl.init();

const mnistEmbedder = () =>
  new sl.nn.Sequential(
    new sl.nn.Conv2d(1, 32, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
    new sl.nn.Conv2d(32, 64, 3), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
    new sl.nn.Flatten(), new sl.nn.Linear(1600, 64), new sl.nn.L2Normalize(),
  );

function uniformStats(t: sl.Tensor, bound: number, what: string): void {
  const d = t.data();
  let min = Infinity, max = -Infinity, s = 0, q = 0;
  for (const v of d) (min = Math.min(min, v)), (max = Math.max(max, v)), (s += v), (q += v * v);
  const mean = s / d.length, variance = q / d.length - mean * mean;
  assert.ok(min >= -bound && max <= bound, `${what}: values in [${min}, ${max}] exceed ±${bound}`);
  assert.ok(max > 0.95 * bound && min < -0.95 * bound, `${what}: range [${min}, ${max}] does not fill ±${bound}`);
  // U(−b, b): mean 0, variance b²/3; tolerances ~5 standard errors for these sizes.
  assert.ok(Math.abs(mean) < (5 * bound) / Math.sqrt(3 * d.length), `${what}: mean ${mean}`);
  assert.ok(Math.abs(variance / ((bound * bound) / 3) - 1) < 5 * Math.sqrt(0.8 / d.length), `${what}: variance ${variance} vs ${(bound * bound) / 3}`);
}

test('Linear and Conv2d initialise as torch: U(±1/√fanIn) for weight and bias', () => {
  sl.manualSeed(1);
  const lin = new sl.nn.Linear(300, 200);
  uniformStats(lin.weight, 1 / Math.sqrt(300), 'Linear weight');
  assert.equal(lin.weight.shape, [200, 300]);
  const bigBias = new sl.nn.Linear(4, 5000);
  uniformStats(bigBias.bias!, 1 / 2, 'Linear bias');
  const conv = new sl.nn.Conv2d(32, 64, 3);
  assert.equal(conv.weight.shape, [64, 32, 3, 3]);
  uniformStats(conv.weight, 1 / Math.sqrt(32 * 9), 'Conv2d weight');
  const convB = new sl.nn.Conv2d(1, 4000, 5);
  uniformStats(convB.bias!, 1 / 5, 'Conv2d bias');
  assert.ok(lin.weight.requiresGrad && lin.bias!.requiresGrad);
  assert.is(new sl.nn.Linear(3, 2, { bias: false }).bias, null);
});

test('manualSeed makes initialisation reproducible', () => {
  sl.manualSeed(42);
  const a = new sl.nn.Linear(5, 3).weight.data();
  sl.manualSeed(42);
  const b = new sl.nn.Linear(5, 3).weight.data();
  assert.equal(Array.from(a), Array.from(b));
  const c = new sl.nn.Linear(5, 3).weight.data();
  assert.not.equal(Array.from(a), Array.from(c));
});

test('Linear forward is x·Wᵀ + b, gradients check', () => {
  sl.manualSeed(3);
  const lin = new sl.nn.Linear(7, 5);
  const x = sl.randn([3, 7], { seed: 4 });
  const y = lin.forward(x).data();
  const wt = sl.transpose(lin.weight).data();
  const ref = matmulRef(x.data(), wt, 3, 7, 5);
  const b = lin.bias!.data();
  for (let i = 0; i < 15; i++) assert.ok(Math.abs(y[i] - (ref[i] + b[i % 5])) < 1e-5);
  gradcheck((xx, w, bb) => sl.linear(xx, w, bb), [x, lin.weight, lin.bias!]);
});

test('Sequential: torch keys and order; parameters() are the stateDict tensors', () => {
  const m = mnistEmbedder();
  const sd = m.stateDict();
  assert.equal(Object.keys(sd), ['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias']);
  assert.equal(sd['3.weight'].shape, [64, 32, 3, 3]);
  assert.equal(sd['7.weight'].shape, [64, 1600]);
  const params = m.parameters();
  assert.equal(params.length, 6);
  params.forEach((p, i) => assert.ok(p === Object.values(sd)[i], `parameter ${i} is the stateDict tensor`));
  assert.equal(m.namedParameters().map(([n]) => n), Object.keys(sd));
  assert.is(m.length, 9);
});

test('Sequential forward composes the layers (conv → relu → pool → flatten → linear → normalise)', () => {
  sl.manualSeed(5);
  const m = new sl.nn.Sequential(
    new sl.nn.Conv2d(2, 3, 3, { padding: 1 }), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
    new sl.nn.Flatten(), new sl.nn.Linear(3 * 2 * 3, 4), new sl.nn.L2Normalize(),
  );
  const x = sl.randn([2, 2, 5, 7], { seed: 6 });
  const y = m.forward(x);
  assert.equal(y.shape, [2, 4]);
  const [c0, , , , l4] = m.layers as any[];
  let h = conv2dRef(x.data(), x.shape, c0.weight.data(), c0.weight.shape, c0.bias.data(), [1, 1], [1, 1]);
  const relu = h.y.map((v) => Math.max(v, 0));
  const pooled = maxPool2dRef(relu, h.shape, [2, 2], [2, 2]);
  const lin = matmulRef(pooled.y, sl.transpose(l4.weight).data(), 2, 18, 4);
  const bias = l4.bias.data();
  const got = y.data();
  for (let i = 0; i < 2; i++) {
    const row = [0, 1, 2, 3].map((j) => lin[i * 4 + j] + bias[j]);
    const norm = Math.hypot(...row);
    row.forEach((v, j) => assert.ok(Math.abs(got[i * 4 + j] - v / norm) < 1e-5, `[${i}, ${j}]`));
  }
  // every parameter gets a gradient, which checks against finite differences
  const params = m.parameters();
  gradcheck((xx, ...ps) => m.forward(xx), [sl.randn([1, 2, 5, 7], { seed: 7 }), ...params], { eps: 1e-2, atol: 2e-3, rtol: 2e-2 });
});

test('loadStateDict copies values; rejects bad names and shapes without changing anything', () => {
  sl.manualSeed(8);
  const a = new sl.nn.Sequential(new sl.nn.Linear(3, 4), new sl.nn.ReLU(), new sl.nn.Linear(4, 2));
  const b = new sl.nn.Sequential(new sl.nn.Linear(3, 4), new sl.nn.ReLU(), new sl.nn.Linear(4, 2));
  const before = b.parameters().map((p) => Array.from(p.data()));
  const bad = { ...a.stateDict(), '2.bias': sl.zeros([3]) };
  assert.throws(() => b.loadStateDict(bad), /loadStateDict: Sequential: '2.bias' is \[3\] but the module's is \[2\]; nothing was loaded/);
  const { ['0.bias']: _, ...missing } = a.stateDict();
  assert.throws(() => b.loadStateDict(missing), /missing keys '0.bias'/);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), '1.weight': sl.zeros([1]) }), /unexpected keys '1.weight'/);
  b.parameters().forEach((p, i) => assert.equal(Array.from(p.data()), before[i], 'unchanged after a failed load'));
  b.loadStateDict(a.stateDict());
  b.parameters().forEach((p, i) => assert.equal(Array.from(p.data()), Array.from(a.parameters()[i].data())));
  assert.ok(b.parameters()[0] !== a.parameters()[0], 'values are copied, not shared');
  b.loadStateDict(missing, { strict: false });
});

test('parameters survive tidy; train()/eval() reach every child', () => {
  const m = sl.tidy(() => new sl.nn.Sequential(new sl.nn.Linear(2, 2), new sl.nn.Sequential(new sl.nn.Dropout(0.5))));
  assert.ok(!m.parameters()[0].isDisposed);
  m.eval();
  assert.ok(!m.training && !(m.layers[1] as sl.nn.Sequential).layers[0].training);
  m.train();
  assert.ok((m.layers[1] as sl.nn.Sequential).layers[0].training);
  assert.equal(Object.keys(m.stateDict()), ['0.weight', '0.bias']);
});

test('Flatten merges the given dimensions; layers reject bad arguments', () => {
  const x = sl.zeros([2, 3, 4, 5]);
  assert.equal(new sl.nn.Flatten().forward(x).shape, [2, 60]);
  assert.equal(new sl.nn.Flatten(0, 1).forward(x).shape, [6, 4, 5]);
  assert.equal(new sl.nn.Flatten(2).forward(x).shape, [2, 3, 20]);
  assert.throws(() => new sl.nn.Flatten(3, 1).forward(x), /Flatten: dimensions 3..1 do not fit x \[2, 3, 4, 5\]/);
  assert.throws(() => new sl.nn.Linear(0, 3), /Linear: inFeatures must be a positive integer, got 0/);
  assert.throws(() => new sl.nn.Conv2d(1, 2, 3, { stride: 0 }), /Conv2d: stride must be an integer ≥ 1/);
  assert.throws(() => new sl.nn.Linear(4, 2).forward(sl.zeros([3, 5])), /linear: x is \[3, 5\] but weight is \[2, 4\]/);
  assert.throws(() => new sl.nn.Sequential(new sl.nn.ReLU(), {} as any), /Sequential: child '1' is not an sl.nn.Module/);
});

test('a training step of every layer type leaves memory flat (saved buffers and scratch freed)', () => {
  sl.manualSeed(12);
  const m = new sl.nn.Sequential(
    new sl.nn.Conv2d(1, 4, 3, { padding: 1 }), new sl.nn.BatchNorm2d(4), new sl.nn.ReLU(), new sl.nn.MaxPool2d(2),
    new sl.nn.Flatten(), new sl.nn.Dropout(0.2), new sl.nn.Linear(4 * 3 * 3, 5), new sl.nn.BatchNorm1d(5), new sl.nn.L2Normalize(),
  );
  const opt = new sl.optim.AdamW(m.parameters());
  const x = sl.randn([6, 1, 7, 7], { seed: 13 });
  const live: number[] = [];
  for (let i = 0; i < 4; i++) {
    sl.tidy(() => {
      opt.zeroGrad();
      m.forward(x).sum(-1).mean().backward();
      opt.step();
    });
    live.push(sl.engineInfo().liveBytes);
  }
  assert.is(live[2], live[1], `live bytes per step: ${live}`);
  assert.is(live[3], live[1], `live bytes per step: ${live}`);
});

test.run();
