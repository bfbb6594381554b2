// Public API contract, layers / models / optimisers: PyTorch layouts and parameter names,
// state-dict keys and order, forward and gradients of a small CNN and MLP loaded with
// torch's weights, train()/eval(), Siamese/Triplet, and one or two optimiser steps, all
// against torch (test/fixtures/gen_contract.py).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as SL from '../../src/index';
import { sl, TOL, f32, fixture, gradOf, near, thrown } from './helpers';

await sl.init();

const fx = fixture.nn;
const NN_TOL = { atol: 1e-5, rtol: 1e-4 };

function loadCase(model: SL.nn.Module, state: Record<string, number[]>, shapes: Record<string, number[]>): void {
  model.loadStateDict(Object.fromEntries(Object.keys(state).map((k) => [k, f32(state[k], shapes[k])])));
}

/** Loads torch's initial state, runs forward + backward(g), compares with torch. */
function replay(name: string, model: SL.nn.Module): void {
  const c = fx[name];
  const sd = model.stateDict();
  assert.equal(Object.keys(sd), c.keys, `${name}: state-dict keys and order`);
  for (const k of c.keys) assert.equal(sd[k].shape, c.shapes[k], `${name}: ${k} shape`);
  // parameters(): the same tensor objects as stateDict(), in torch's named_parameters() order
  const params = model.parameters();
  assert.is(params.length, c.params.length);
  c.params.forEach((k: string, i: number) => assert.is(params[i], sd[k], `${name}: parameters()[${i}] is stateDict()['${k}']`));
  loadCase(model, c.initial ?? c.state, c.shapes);
  const x = f32(c.x, c.xShape, true);
  const y = model.forward(x);
  assert.equal(y.shape, c.yShape);
  near(y, c.y, NN_TOL, `${name} forward`);
  y.backward(f32(c.g, c.yShape));
  near(gradOf(x), c.dx, NN_TOL, `${name} dx`);
  for (const k of c.params) near(gradOf(sd[k]), c.grads[k], NN_TOL, `${name} d${k}`);
  // buffers after a training step (running statistics, num_batches_tracked)
  for (const k of c.keys) near(sd[k], c.state[k], NN_TOL, `${name} ${k} after`);
}

test("Linear(in, out): weight [out, in], bias [out], y = x·Wᵀ + b, names 'weight' / 'bias'", () => {
  const lin = new sl.nn.Linear(5, 3);
  assert.equal(lin.weight.shape, [3, 5]);
  assert.equal(lin.bias!.shape, [3]);
  // torch's default init bound 1/√in
  assert.ok(lin.weight.data().every((v) => Math.abs(v) <= 1 / Math.sqrt(5)));
  replay('linear', lin);
});

test("Sequential(m0, m1, ...): keys '<index>.<name>', forward in order (Linear, ReLU, Linear)", () => {
  replay('sequential', new sl.nn.Sequential(new sl.nn.Linear(5, 4), new sl.nn.ReLU(), new sl.nn.Linear(4, 3)));
});

function cnn(): SL.nn.Sequential {
  return new sl.nn.Sequential(
    new sl.nn.Conv2d(2, 3, 3, { stride: 2, padding: 1 }),
    new sl.nn.BatchNorm2d(3),
    new sl.nn.ReLU(),
    new sl.nn.MaxPool2d(2),
    new sl.nn.Flatten(),
    new sl.nn.Linear(12, 4),
    new sl.nn.BatchNorm1d(4),
  );
}

test('Conv2d weight [out, in, kh, kw] { stride, padding }, BatchNorm2d/1d (running stats), MaxPool2d, Flatten: a CNN vs torch', () => {
  const model = cnn();
  assert.equal((model.layers[0] as SL.nn.Conv2d).weight.shape, [3, 2, 3, 3]);
  replay('cnn', model);
  // eval(): running statistics instead of batch statistics, in every child
  model.eval();
  assert.ok(model.layers.every((l) => !l.training));
  const c = fx.cnnEval;
  near(model.forward(f32(c.x, c.xShape)), c.y, NN_TOL, 'cnn eval forward');
  model.train();
  assert.ok(model.layers.every((l) => l.training));
});

test('MaxPool2d(k, { stride }) in floor mode (partial windows dropped)', () => {
  replay('maxpool', new sl.nn.MaxPool2d(2));
  assert.equal(fx.maxpool.yShape, [2, 1, 2, 3]);
  replay('maxpoolStride', new sl.nn.MaxPool2d(3, { stride: 2 }));
});

test('L2Normalize(): last dimension, eps 1e-12 (a zero row stays zero)', () => {
  const c = fx.l2normalize;
  const x = f32(c.x, c.xShape, true);
  const y = new sl.nn.L2Normalize().forward(x);
  near(y, c.y, TOL, 'L2Normalize');
  y.backward(f32(c.g, c.xShape));
  near(gradOf(x), c.dx, NN_TOL, 'L2Normalize dx');
  near(new sl.nn.L2Normalize().forward(f32([0, 0, 0, 3, 4, 0], [2, 3])), [0, 0, 0, 0.6, 0.8, 0], TOL, 'zero row');
  near(new sl.nn.L2Normalize().forward(f32([1e-13, 0], [1, 2])), [0.1, 0], { atol: 1e-7, rtol: 1e-6 }, 'below eps: x / 1e-12');
});

test('Dropout(p): in training zeroes ~p and scales the rest by 1/(1 − p); identity in eval(); p defaults to 0.5', () => {
  assert.is(new sl.nn.Dropout().p, 0.5);
  sl.manualSeed(3);
  const drop = new sl.nn.Dropout(0.25);
  const out = drop.forward(sl.ones([4001])).data();
  const zeros = out.filter((v) => v === 0).length;
  assert.ok(out.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  assert.ok(Math.abs(zeros / 4001 - 0.25) < 0.03, `dropped ${zeros} of 4001`);
  drop.eval();
  assert.ok(drop.forward(sl.ones([33])).data().every((v) => v === 1));
});

test('loadStateDict: a wrong shape or key changes nothing and names the problem', () => {
  const lin = new sl.nn.Linear(5, 3);
  const before = lin.weight.data();
  const msg = thrown(() => lin.loadStateDict({ weight: sl.zeros([5, 3]), bias: sl.zeros([3]) }));
  assert.match(msg, /'weight' is \[5, 3\] but the module's is \[3, 5\]/);
  assert.equal(lin.weight.data(), before);
  assert.match(thrown(() => lin.loadStateDict({ weight: sl.zeros([3, 5]) })), /missing keys 'bias'/);
  // a user's subclass is named as itself, not as the built-in it extends
  class Embedder extends sl.nn.Sequential {}
  assert.match(thrown(() => new Embedder(new sl.nn.Linear(2, 2)).loadStateDict({})), /^loadStateDict: Embedder: missing keys '0\.weight', '0\.bias'/);
});

test('models.Siamese(embedder, distance).forward(a, b) [n]; Triplet(...).forward(a, p, n) { dAP, dAN }; one shared embedder', () => {
  const W = [0.5, -1, 0.25, 2, 0, 1.5], b = [0.1, -0.2];
  const embedder = new sl.nn.Sequential(new sl.nn.Linear(3, 2));
  embedder.loadStateDict({ '0.weight': f32(W, [2, 3]), '0.bias': f32(b, [2]) });
  const dist = new sl.distances.LpDistance({ normalizeEmbeddings: false });
  const siamese = new sl.models.Siamese(embedder, dist);
  assert.equal(siamese.parameters(), embedder.parameters());
  assert.equal(Object.keys(siamese.stateDict()), ['0.weight', '0.bias']);
  const av = [1, 2, 3, -1, 0, 2, 0.5, 0.5, -2], bv = [0, 1, -1, 2, 2, 2, 1, -3, 0.5], cv = [3, 0, 0, 1, 1, 1, -1, -1, 2];
  const emb = (v: number[], i: number) => [0, 1].map((r) => W[r * 3] * v[i * 3] + W[r * 3 + 1] * v[i * 3 + 1] + W[r * 3 + 2] * v[i * 3 + 2] + b[r]);
  const dref = (u: number[], v: number[]) => [0, 1, 2].map((i) => Math.hypot(emb(u, i)[0] - emb(v, i)[0], emb(u, i)[1] - emb(v, i)[1]));
  const d = siamese.forward(f32(av, [3, 3]), f32(bv, [3, 3]));
  assert.equal(d.shape, [3]);
  near(d, dref(av, bv), TOL, 'Siamese.forward');
  // gradients from both branches accumulate into the one weight: d Σ d_i / dW, float64
  d.sum().backward();
  const gW = new Array(6).fill(0), gb = [0, 0];
  for (let i = 0; i < 3; i++) {
    const ea = emb(av, i), eb = emb(bv, i), di = dref(av, bv)[i];
    for (let r = 0; r < 2; r++) {
      const u = (ea[r] - eb[r]) / di;
      for (let k = 0; k < 3; k++) gW[r * 3 + k] += u * (av[i * 3 + k] - bv[i * 3 + k]);
    }
  }
  near(gradOf(embedder.parameters()[0]), gW, TOL, 'Siamese dW');
  near(gradOf(embedder.parameters()[1]), gb, TOL, 'Siamese db');

  const triplet = new sl.models.Triplet(embedder, dist);
  const out = triplet.forward(f32(av, [3, 3]), f32(bv, [3, 3]), f32(cv, [3, 3]));
  assert.equal(Object.keys(out).sort(), ['dAN', 'dAP']);
  near(out.dAP, dref(av, bv), TOL, 'Triplet dAP');
  near(out.dAN, dref(av, cv), TOL, 'Triplet dAN');
  siamese.eval();
  assert.is(embedder.training, false);
});

// ---- optimisers

const of = fixture.optim;

function replaySteps(name: string, make: (params: SL.Tensor[]) => SL.optim.Optimizer): void {
  const c = of[name];
  const p = f32(c.initial, c.shape, true);
  const opt = make([p]);
  c.grads.forEach((g: number[], i: number) => {
    opt.zeroGrad();
    assert.is(p.grad, null, 'zeroGrad sets the gradient to null');
    // d Σ p·g / dp = g: the gradient as backward() leaves it
    p.mul(f32(g, c.shape)).sum().backward();
    opt.step();
    near(p, c.after[i], { atol: 1e-6, rtol: 1e-6 }, `${name} step ${i + 1}`);
  });
}

test('optim.SGD(params, { lr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }) vs torch', () => {
  const sgd = new sl.optim.SGD([sl.zeros([1], { requiresGrad: true })], { lr: 0.1 });
  assert.equal([sgd.lr, sgd.momentum, sgd.dampening, sgd.weightDecay, sgd.nesterov], [0.1, 0, 0, 0, false]);
  replaySteps('sgd', (p) => new sl.optim.SGD(p, { lr: 0.1 }));
  replaySteps('sgdMomentum', (p) => new sl.optim.SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.05 }));
  replaySteps('sgdNesterov', (p) => new sl.optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }));
});

test('optim.Adam (L2 added to the gradient) and AdamW (decoupled, weightDecay 0.01 by default) vs torch', () => {
  const adam = new sl.optim.Adam([sl.zeros([1], { requiresGrad: true })]);
  assert.equal([adam.lr, adam.betas, adam.eps, adam.weightDecay], [1e-3, [0.9, 0.999], 1e-8, 0]);
  const adamw = new sl.optim.AdamW([sl.zeros([1], { requiresGrad: true })]);
  assert.equal([adamw.lr, adamw.betas, adamw.eps, adamw.weightDecay], [1e-3, [0.9, 0.999], 1e-8, 0.01]);
  replaySteps('adamDefault', (p) => new sl.optim.Adam(p));
  replaySteps('adamL2', (p) => new sl.optim.Adam(p, { lr: 0.01, weightDecay: 0.1 }));
  replaySteps('adamwDefault', (p) => new sl.optim.AdamW(p));
  replaySteps('adamwLr', (p) => new sl.optim.AdamW(p, { lr: 0.05 }));
});

test('opt.step() leaves parameters without a gradient alone', () => {
  const a = f32([1, 2, 3], [3], true), b = f32([4, 5], [2], true);
  const opt = new sl.optim.SGD([a, b], { lr: 0.5 });
  a.sum().backward();
  opt.step();
  near(a, [0.5, 1.5, 2.5], { atol: 0 }, 'a updated');
  near(b, [4, 5], { atol: 0 }, 'b untouched');
});

test('opt.step() checks every gradient first: a bad one leaves all parameters as they were', () => {
  const a = f32([1, 2, 3], [3], true), b = f32([4, 5], [2], true);
  const opt = new sl.optim.Adam([a, b], { lr: 0.5 });
  a.sum().backward();
  b.sum().backward();
  b.grad!.dispose();
  assert.match(thrown(() => opt.step()), /Adam\.step: .*params\[1\].*disposed/);
  near(a, [1, 2, 3], { atol: 0 }, 'a untouched');
  near(b, [4, 5], { atol: 0 }, 'b untouched');
});

test.run();
