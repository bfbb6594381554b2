// conv2d and BatchNorm against values recorded from PyTorch by test/fixtures/gen_nn.py.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as sl from '../../src/index';

await sl.init();

const fx = JSON.parse(readFileSync(new URL('../fixtures/nn.json', import.meta.url), 'utf8'));

function close(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) assert.unreachable(`${what}[${i}]: ${got[i]} vs torch ${want[i]}`);
  }
}

test('conv2d forward and gradients match torch', () => {
  fx.conv.forEach((c: any, i: number) => {
    const x = sl.tensor(c.x, c.xShape, { requiresGrad: true });
    const w = sl.tensor(c.w, c.wShape, { requiresGrad: true });
    const b = sl.tensor(c.b, [c.wShape[0]], { requiresGrad: true });
    const y = sl.conv2d(x, w, b, { stride: c.stride, padding: c.padding });
    assert.equal(y.shape, c.yShape);
    close(y.data(), c.y, 1e-5, `conv ${i} y`);
    y.backward(sl.tensor(c.g, c.yShape));
    close(x.grad!.data(), c.dx, 1e-5, `conv ${i} dx`);
    close(w.grad!.data(), c.dw, 1e-5, `conv ${i} dw`);
    close(b.grad!.data(), c.db, 1e-5, `conv ${i} db`);
  });
});

test('maxPool2d values and gradients (overlapping windows included) match torch', () => {
  fx.maxpool.forEach((c: any, i: number) => {
    const x = sl.tensor(c.x, c.xShape, { requiresGrad: true });
    const y = sl.maxPool2d(x, c.k, { stride: c.stride });
    assert.equal(y.shape, c.yShape);
    close(y.data(), c.y, 0, `pool ${i} y`);
    y.backward(sl.tensor(c.g, c.yShape));
    close(x.grad!.data(), c.dx, 1e-6, `pool ${i} dx`);
  });
});

test('BatchNorm1d/2d training steps, running statistics and eval match torch', () => {
  for (const c of fx.batchnorm) {
    const m = c.layer === 'BatchNorm2d' ? new sl.nn.BatchNorm2d(c.c) : new sl.nn.BatchNorm1d(c.c);
    assert.equal(Object.keys(m.stateDict()), c.keys);
    m.loadStateDict({ ...m.stateDict(), weight: sl.tensor(c.weight), bias: sl.tensor(c.bias) });
    c.train.forEach((s: any, i: number) => {
      const what = `${c.layer} [${s.shape}] step ${i}`;
      m.zeroGrad();
      const x = sl.tensor(s.x, s.shape, { requiresGrad: true });
      const y = m.forward(x);
      close(y.data(), s.y, 1e-5, `${what} y`);
      y.backward(sl.tensor(s.g, s.shape));
      close(x.grad!.data(), s.dx, 1e-4, `${what} dx`);
      close(m.weight.grad!.data(), s.dweight, 1e-5, `${what} dweight`);
      close(m.bias.grad!.data(), s.dbias, 1e-5, `${what} dbias`);
      close(m.runningMean.data(), s.runningMean, 1e-6, `${what} running_mean`);
      close(m.runningVar.data(), s.runningVar, 1e-6, `${what} running_var`);
    });
    assert.is(m.numBatchesTracked.item(), c.numBatchesTracked);
    m.eval();
    const x = sl.tensor(c.eval.x, c.eval.shape, { requiresGrad: true });
    const y = m.forward(x);
    close(y.data(), c.eval.y, 1e-5, `${c.layer} eval y`);
    y.backward(sl.tensor(c.eval.g, c.eval.shape));
    close(x.grad!.data(), c.eval.dx, 1e-5, `${c.layer} eval dx`);
    assert.is(m.numBatchesTracked.item(), c.numBatchesTracked, 'eval does not count batches');
  }
});

test.run();
