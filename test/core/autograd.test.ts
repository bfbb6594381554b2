// Tape semantics, as in PyTorch: accumulation through reuse and across backward() calls,
// noGrad, explicit output gradients, leaves that receive no gradient, diamonds, views.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertClose, U32 } from '../helpers/close';
import { mapRef } from '../ref/eltwise';

await sl.init();
const param = (data: number[][] | number[]) => sl.tensor(data, { requiresGrad: true });
const ONE_ROUNDING = { rtol: 2 * U32 };

test('x · x: the gradient of a tensor used twice is the sum of both uses (2x)', () => {
  sl.tidy(() => {
    const x = param([1.5, -2, 3, 0.25, 7]);
    x.mul(x).sum().backward();
    assertClose(x.grad!.data(), [3, -4, 6, 0.5, 14], ONE_ROUNDING, 'd(x²)/dx');
  });
});

test('a weight shared by two branches gets the sum of the branch gradients (Siamese tower)', () => {
  sl.tidy(() => {
    const w = param([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
    const x1 = sl.randn([4, 3], { seed: 1 }), x2 = sl.randn([5, 3], { seed: 2 });
    const branch = (x: sl.Tensor, s: number) => sl.linear(x, w).relu().sum().mul(s);
    branch(x1, 1).backward();
    const g1 = w.grad!.data();
    w.grad!.dispose();
    w.grad = null;
    branch(x2, 3).backward();
    const g2 = w.grad!.data();
    w.grad!.dispose();
    w.grad = null;
    branch(x1, 1).add(branch(x2, 3)).backward();
    assertClose(w.grad!.data(), mapRef(g1, (v, i) => v + g2[i]), { atol: 1e-5 }, 'shared weight');
  });
});

test('leaf gradients accumulate across backward() calls until reset', () => {
  sl.tidy(() => {
    const x = param([1, 2, 3]);
    const loss = x.mul(x).sum();
    loss.backward();
    loss.backward(); // the graph is kept; a second pass adds again
    assertClose(x.grad!.data(), [4, 8, 12], ONE_ROUNDING, 'two passes over one graph');
    x.mul(3).sum().backward();
    assertClose(x.grad!.data(), [7, 11, 15], ONE_ROUNDING, 'a third pass over another graph');
    x.grad!.dispose();
    x.grad = null;
    x.mul(3).sum().backward();
    assertClose(x.grad!.data(), [3, 3, 3], {}, 'after reset');
    // A disposed gradient counts as no gradient (a training step may just dispose it).
    x.grad!.dispose();
    x.mul(2).sum().backward();
    assertClose(x.grad!.data(), [2, 2, 2], {}, 'after dispose');
  });
});

test('noGrad records nothing: no gradFn, no requiresGrad, and backward is refused', () => {
  sl.tidy(() => {
    const x = param([1, 2]);
    const y = sl.noGrad(() => x.mul(2).sum());
    assert.is(y.requiresGrad, false);
    assert.is(y.gradFn, null);
    assert.throws(() => y.backward(), /does not require grad/);
    assert.is(x.grad, null);
    // Recording resumes after noGrad, also when fn threw.
    assert.throws(() => sl.noGrad(() => { throw new Error('boom'); }), /boom/);
    assert.ok(x.mul(2).requiresGrad);
  });
});

test('backward(gradient) on a non-scalar output is the vector-Jacobian product', () => {
  sl.tidy(() => {
    const x = param([[1, 2, 3], [4, 5, 6]]);
    const y = x.mul(3).add(1);
    y.backward(sl.tensor([[1, 0, -1], [0.5, 2, 0]]));
    assertClose(x.grad!.data(), [3, 0, -3, 1.5, 6, 0], ONE_ROUNDING, 'x.grad');
  });
});

test('grad stays null for a leaf no gradient reached, for constants and for non-leaves', () => {
  sl.tidy(() => {
    const a = param([1, 2]), b = param([3, 4]), c = sl.tensor([5, 6]);
    const hidden = a.mul(c);
    const unused = b.mul(2);
    hidden.sum().backward();
    assert.ok(a.grad);
    assert.is(b.grad, null, 'b is not in the graph of the loss');
    assert.is(c.grad, null, 'c does not require grad');
    assert.is(hidden.grad, null, 'non-leaf gradients are not retained');
    assert.ok(unused.requiresGrad);
  });
});

test('a diamond: x → (2x, relu x) → product → sum gives 4x where x > 0, 0 elsewhere', () => {
  sl.tidy(() => {
    const x = param([1.5, -2, 3, -0.5, 0.25]);
    const top = x.mul(2), bottom = x.relu();
    top.mul(bottom).sum().backward();
    assertClose(x.grad!.data(), [6, 0, 12, 0, 1], ONE_ROUNDING, 'diamond');
  });
});

test('a deeper diamond with reshape views and matmul sharing one parameter', () => {
  sl.tidy(() => {
    const w = param([[1, 2], [3, 4]]);
    const flat = w.reshape([4]);
    const back = flat.reshape([2, 2]);
    // L = Σ (W·W) + Σ W², with W reached directly and through two views:
    // dL/dW[a][b] = Σ_j W[b][j] + Σ_i W[i][a] + 2 W[a][b].
    sl.matmul(w, back).sum().add(flat.mul(flat).sum()).backward();
    const W = [[1, 2], [3, 4]];
    const ref: number[] = [];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let g = 0;
        for (let c = 0; c < 2; c++) g += W[j][c];
        for (let r = 0; r < 2; r++) g += W[r][i];
        ref.push(g + 2 * W[i][j]);
      }
    assertClose(w.grad!.data(), ref, ONE_ROUNDING, 'w.grad');
  });
});

test('detach(): shares storage, carries no history, so x.detach() · x has gradient x', () => {
  sl.tidy(() => {
    const x = param([1, -2, 3]);
    const d = x.detach();
    assert.is(d.requiresGrad, false);
    assert.is(d.ptr, x.ptr);
    d.mul(x).sum().backward();
    assertClose(x.grad!.data(), [1, -2, 3], {}, 'x.grad');
  });
});

test('backward from a leaf seeds its own gradient with 1', () => {
  sl.tidy(() => {
    const s = sl.tensor(2, { requiresGrad: true });
    s.backward();
    assert.is(s.grad!.item(), 1);
  });
});

test('gradients outlive tidy; results requiring grad only when an input does', () => {
  const x = param([1, 2, 3]);
  sl.tidy(() => {
    const c = sl.tensor([1, 1, 1]);
    assert.is(c.add(c).requiresGrad, false);
    assert.is(c.add(x).requiresGrad, true);
    x.mul(c).sum().backward();
  });
  assert.equal(Array.from(x.grad!.data()), [1, 1, 1]);
  x.dispose();
  assert.ok(x.grad === null && x.isDisposed, 'dispose frees the gradient too');
});

test.run();
