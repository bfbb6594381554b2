// What a failed or refused optimiser step must leave behind: nothing changed. A step that runs
// out of memory while allocating state, a learning rate a scheduler set to NaN, a parameter
// disposed under the optimiser — each throws before any parameter or state is written, and the
// step after (once the cause is gone) equals a clean step. References: the float64 formulas in
// test/ref/optim.ts, and an untouched twin of the model stepped by a fresh optimiser.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { getEngine } from '../../src/wasm/instance';
import { adamRef, sgdRef } from '../ref/optim';
import { fillMemoryExcept } from '../helpers/fill-memory';

await sl.init();
const e = getEngine();

type Make = (params: sl.Tensor[]) => sl.optim.Optimizer;
const optimisers: [string, Make][] = [
  ['Adam', (p) => new sl.optim.Adam(p, { lr: 0.01 })],
  ['AdamW', (p) => new sl.optim.AdamW(p, { lr: 0.01 })],
  ['SGD with momentum', (p) => new sl.optim.SGD(p, { lr: 0.05, momentum: 0.9 })],
];

function mlp(seed: number): sl.nn.Sequential {
  sl.manualSeed(seed);
  return new sl.nn.Sequential(new sl.nn.Linear(16, 64), new sl.nn.ReLU(), new sl.nn.Linear(64, 64), new sl.nn.ReLU(), new sl.nn.Linear(64, 8));
}

function backwardOn(model: sl.nn.Sequential): void {
  sl.tidy(() => {
    const x = sl.randn([5, 16], { seed: 3 });
    model.forward(x).mul(model.forward(x)).sum().backward();
  });
}

const snapshot = (ts: readonly sl.Tensor[]) => ts.map((t) => Array.from(t.data()));

test('a step that runs out of memory while allocating state changes nothing; the retry equals a clean step', () => {
  for (const [name, make] of optimisers) {
    const model = mlp(1), twin = mlp(1);
    const opt = make(model.parameters()), clean = make(twin.parameters());
    backwardOn(model);
    backwardOn(twin);
    const before = snapshot(model.parameters());
    const grads = snapshot(model.parameters().map((p) => p.grad!));
    const live = e.alloc.liveBytes;
    // ~10 KiB free: the state of parameter 0 (64×16) and 1 (64) fits, that of parameter 2 (64×64) does not.
    const mem = fillMemoryExcept(10 << 10);
    let error: unknown = null;
    try {
      opt.step();
    } catch (err) {
      error = err;
    } finally {
      mem.release();
    }
    assert.instance(error, RangeError, `${name}: out of memory`);
    assert.equal(snapshot(model.parameters()), before, `${name}: every parameter as it was`);
    assert.equal(snapshot(model.parameters().map((p) => p.grad!)), grads, `${name}: gradients as they were`);
    assert.is(e.alloc.liveBytes, live, `${name}: no state was kept from the failed step`);
    for (let s = 0; s < 2; s++) {
      if (s > 0) {
        backwardOn(model);
        backwardOn(twin);
      }
      opt.step();
      clean.step();
      assert.equal(snapshot(model.parameters()), snapshot(twin.parameters()), `${name}: step ${s + 1} after the retry equals the clean run`);
    }
    for (const o of [opt, clean]) o.dispose();
    for (const m of [model, twin]) for (const p of m.parameters()) p.dispose();
  }
});

test('a non-finite or invalid hyper-parameter set between steps is refused before any weight changes', () => {
  const bad: unknown[] = [NaN, Infinity, -Infinity, undefined, 'abc', -5, null];
  for (const [name, make] of optimisers) {
    const model = mlp(2);
    const opt = make(model.parameters()) as unknown as Record<string, unknown> & sl.optim.Optimizer;
    backwardOn(model);
    const before = snapshot(model.parameters());
    const lr = opt.lr;
    for (const v of bad) {
      opt.lr = v;
      assert.throws(() => opt.step(), (err: Error) => err.message.includes(`lr must be a finite number ≥ 0, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`), `${name}: lr = ${String(v)}`);
      assert.equal(snapshot(model.parameters()), before, `${name}: lr = ${String(v)} left the weights alone`);
    }
    const key = name === 'SGD with momentum' ? 'momentum' : 'eps';
    const good = opt[key];
    opt.lr = lr;
    opt[key] = NaN;
    assert.throws(() => opt.step(), new RegExp(`${key} must be a finite number ≥ 0, got NaN`), `${name}: ${key} = NaN`);
    assert.equal(snapshot(model.parameters()), before);
    opt[key] = good;
    opt.step();
    assert.ok(snapshot(model.parameters()).flat().every(Number.isFinite), `${name}: a valid step after the refusals`);
    opt.dispose();
    for (const p of model.parameters()) p.dispose();
  }
});

test('constructors refuse infinite hyper-parameters', () => {
  const p = sl.zeros([3], { requiresGrad: true });
  assert.throws(() => new sl.optim.SGD([p], { lr: Infinity }), /SGD: lr must be a finite number ≥ 0, got Infinity/);
  assert.throws(() => new sl.optim.SGD([p], { lr: 0.1, momentum: Infinity }), /SGD: momentum must be a finite number ≥ 0, got Infinity/);
  assert.throws(() => new sl.optim.SGD([p], { lr: 0.1, weightDecay: Infinity }), /SGD: weightDecay must be a finite number ≥ 0, got Infinity/);
  assert.throws(() => new sl.optim.Adam([p], { lr: Infinity }), /Adam: lr must be a finite number ≥ 0, got Infinity/);
  assert.throws(() => new sl.optim.Adam([p], { eps: Infinity }), /Adam: eps must be a finite number ≥ 0, got Infinity/);
  assert.throws(() => new sl.optim.AdamW([p], { weightDecay: Infinity }), /AdamW: weightDecay must be a finite number ≥ 0, got Infinity/);
  p.dispose();
});

test('disposed parameters are an error, at construction and at step, naming the parameter', () => {
  const gone = sl.zeros([3], { requiresGrad: true });
  gone.dispose();
  assert.throws(() => new sl.optim.SGD([gone], { lr: 0.1 }), /SGD: params\[0\] \[3\] was disposed/);
  assert.throws(() => new sl.optim.Adam([sl.zeros([2]), gone]), /Adam: params\[1\] \[3\] was disposed/);
  for (const [name, make] of optimisers) {
    const model = mlp(3);
    const opt = make(model.parameters());
    backwardOn(model);
    const lin = model.layers[0] as sl.nn.Linear;
    lin.bias!.dispose();
    const weightBefore = Array.from(lin.weight.data());
    assert.throws(() => opt.step(), (err: Error) => /\.step: params\[1\] \[64\] was disposed/.test(err.message), name);
    assert.equal(Array.from(lin.weight.data()), weightBefore, `${name}: nothing was updated`);
    opt.dispose();
    for (const p of model.parameters()) p.dispose();
  }
});

test('dispose() resets the optimiser: the next step is a first step (Adam bias correction, SGD momentum buffer)', () => {
  const init = [0.5, -1, 2, 0.25, -3];
  const g = [0.1, -0.2, 0.3, 1, -0.5];
  const adamOpts = { lr: 0.1, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, decoupled: false };
  const sgdOpts = { lr: 0.1, momentum: 0.9, dampening: 0.5 };
  for (const kind of ['adam', 'sgd'] as const) {
    const p = sl.tensor(init, [5], { requiresGrad: true });
    const opt = kind === 'adam' ? new sl.optim.Adam([p], { lr: 0.1 }) : new sl.optim.SGD([p], sgdOpts);
    p.grad = sl.keep(sl.tensor(g, [5]));
    opt.step();
    opt.dispose();
    const ref = Float64Array.from(p.data());
    opt.step();
    if (kind === 'adam') adamRef(ref, g, { m: new Float64Array(5), v: new Float64Array(5), t: 0 }, adamOpts);
    else sgdRef(ref, g, { buf: null }, sgdOpts);
    const got = p.data();
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(got[i] - ref[i]) < 1e-6, `${kind} [${i}]: ${got[i]} vs a first step ${ref[i]}`);
    opt.dispose();
    p.dispose();
  }
});

test.run();
