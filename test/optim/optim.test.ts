import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';
import { adamRef, sgdRef } from '../ref/optim';

await sl.init();

// Steps recorded from torch.optim by test/fixtures/gen_optim.py.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/optim.json', import.meta.url), 'utf8')) as {
  cases: { optimizer: 'SGD' | 'Adam' | 'AdamW'; options: any; shapes: number[][]; initial: number[][]; grads: number[][][]; after: number[][][] }[];
};

function make(name: string, params: sl.Tensor[], options: any): sl.optim.Optimizer {
  switch (name) {
    case 'SGD': return new sl.optim.SGD(params, options);
    case 'Adam': return new sl.optim.Adam(params, options);
    case 'AdamW': return new sl.optim.AdamW(params, options);
  }
  throw new Error(name);
}

function setGrad(p: sl.Tensor, g: number[]): void {
  p.grad?.dispose();
  p.grad = sl.keep(sl.tensor(g, p.shape));
}

test('every optimiser matches torch.optim step for step (fixture)', () => {
  for (const c of fixture.cases) {
    const params = c.initial.map((v, i) => sl.tensor(v, c.shapes[i], { requiresGrad: true }));
    const opt = make(c.optimizer, params, c.options);
    c.grads.forEach((gs, step) => {
      params.forEach((p, i) => setGrad(p, gs[i]));
      opt.step();
      params.forEach((p, i) => {
        const got = p.data();
        c.after[step][i].forEach((want, j) => {
          const err = Math.abs(got[j] - want);
          // within a couple of float32 ulps: torch's CPU kernels fuse some multiply-adds
          if (err > 4e-7 * (1 + Math.abs(want))) {
            assert.unreachable(`${c.optimizer} ${JSON.stringify(c.options)} step ${step + 1} param ${i}[${j}]: ${got[j]} vs torch ${want}`);
          }
        });
      });
    });
    opt.dispose();
    params.forEach((p) => p.dispose());
  }
});

test('SGD and Adam agree with the float64 formulas over 5 steps on 33 elements', () => {
  const n = 33;
  const init = sl.randn([n], { seed: 1 }).data();
  const grads = Array.from({ length: 5 }, (_, s) => sl.randn([n], { seed: 10 + s }).data());
  const configs = [
    { kind: 'sgd', o: { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.05 } },
    { kind: 'sgd', o: { lr: 0.1, momentum: 0.8, weightDecay: 0.05, nesterov: true } },
    { kind: 'adam', o: { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.02, decoupled: false } },
    { kind: 'adam', o: { lr: 0.01, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.02, decoupled: true } },
  ];
  for (const { kind, o } of configs) {
    const p = sl.tensor(init, [n], { requiresGrad: true });
    const ref = Float64Array.from(init);
    const { decoupled, ...adamOptions } = o as any; // decoupled picks the class; the rest are its options
    const opt = kind === 'sgd' ? new sl.optim.SGD([p], o as any) : decoupled ? new sl.optim.AdamW([p], adamOptions) : new sl.optim.Adam([p], adamOptions);
    const sgdSt = { buf: null }, adamSt = { m: new Float64Array(n), v: new Float64Array(n), t: 0 };
    for (const g of grads) {
      setGrad(p, Array.from(g));
      opt.step();
      if (kind === 'sgd') sgdRef(ref, g, sgdSt, o as any);
      else adamRef(ref, g, adamSt, o as any);
    }
    const got = p.data();
    for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - ref[i]) < 1e-5, `${kind} ${JSON.stringify(o)} [${i}]: ${got[i]} vs ${ref[i]}`);
  }
});

test('step skips parameters without a gradient; zeroGrad sets grads to null', () => {
  const a = sl.tensor([1, 2, 3], undefined, { requiresGrad: true });
  const b = sl.tensor([4, 5], undefined, { requiresGrad: true });
  const opt = new sl.optim.SGD([a, b], { lr: 0.5, momentum: 0.9 });
  a.mul(a).sum().backward(); // grad 2a
  opt.step();
  assert.equal(Array.from(a.data()), [0, 0, 0]);
  assert.equal(Array.from(b.data()), [4, 5]);
  const g = a.grad!;
  opt.zeroGrad();
  assert.is(a.grad, null);
  assert.ok(g.isDisposed);
  assert.is(b.grad, null);
});

test('optimiser state survives tidy', () => {
  const p = sl.tensor([1, -1, 2, 0.5, 3], undefined, { requiresGrad: true });
  const opt = new sl.optim.Adam([p], { lr: 0.1 });
  const ref = Float64Array.from(p.data());
  const st = { m: new Float64Array(5), v: new Float64Array(5), t: 0 };
  for (let s = 0; s < 3; s++) {
    sl.tidy(() => {
      opt.zeroGrad();
      p.mul(p).sum().backward();
      const g = p.grad!.data();
      opt.step();
      adamRef(ref, g, st, { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupled: false });
    });
  }
  const got = p.data();
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(got[i] - ref[i]) < 1e-5, `[${i}] ${got[i]} vs ${ref[i]}`);
});

test('bad options and params are rejected with clear errors', () => {
  const p = sl.zeros([3], { requiresGrad: true });
  assert.throws(() => new sl.optim.SGD([p], { lr: -1 }), /SGD: lr must be a finite number ≥ 0, got -1/);
  assert.throws(() => new sl.optim.SGD([p], { lr: 0.1, nesterov: true }), /SGD: nesterov needs momentum > 0 and dampening 0/);
  assert.throws(() => new sl.optim.Adam([p], { betas: [0.9, 1] }), /Adam: betas must be \[beta1, beta2\]/);
  assert.throws(() => new sl.optim.AdamW([], {}), /AdamW: params is empty/);
  assert.throws(() => new sl.optim.SGD([p, p], { lr: 1 }), /SGD: params lists a tensor more than once/);
  assert.throws(() => new sl.optim.SGD([p.mul(2)], { lr: 1 }), /SGD: params\[0\] .* is the result of an op, not a leaf/);
  const q = sl.tensor([1, 2], undefined, { requiresGrad: true });
  const opt = new sl.optim.Adam([p, q]);
  p.grad = sl.keep(sl.ones([3]));
  q.grad = sl.keep(sl.ones([5]));
  assert.throws(() => opt.step(), /Adam.step: params\[1\] is \[2\] but its gradient is \[5\]/);
  assert.equal(Array.from(p.data()), [0, 0, 0], 'nothing was updated');
});

test.run();
