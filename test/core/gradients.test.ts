// Every differentiable core op against central finite differences (test/helpers/gradcheck.ts:
// eps 1e-3, |analytic − numeric| ≤ 1e-3 + 1e-2·|numeric|), in every broadcast layout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { gradcheck } from '../helpers/gradcheck';
import { assertClose, randomF32 } from '../helpers/close';
import { mapRef } from '../ref/eltwise';
import { LAYOUTS, derivedShape } from './cases';

await sl.init();
const rng = new Rng(99);
/** Seeded values, moved at least `away` off 0 (divisors, ReLU kinks). */
const rand = (shape: number[], away = 0): sl.Tensor => {
  const n = shape.reduce((p, q) => p * q, 1);
  return sl.tensor(mapRef(randomF32(rng, n), (v) => v + Math.sign(v || 1) * away), shape);
};
/** Runs a gradcheck and frees its inputs. */
function check(fn: (...xs: sl.Tensor[]) => sl.Tensor, inputs: sl.Tensor[]): void {
  try {
    gradcheck(fn, inputs);
  } finally {
    for (const t of inputs) t.dispose();
  }
}

for (const op of ['add', 'sub', 'mul', 'div'] as const) {
  test(`${op}: gradcheck in every broadcast layout`, () => {
    for (const [name, as, bs] of LAYOUTS) {
      try {
        check((a, b) => a[op](b), [rand(as), rand(bs, 0.5)]);
      } catch (err) {
        throw new Error(`${op} ${name} [${as}] with [${bs}]: ${(err as Error).message}`);
      }
    }
  });
}

test('property: gradcheck of every op on random shapes and layouts, either side broadcast', () => {
  const shape = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });
  fc.assert(
    fc.property(shape, fc.integer({ min: 0, max: 5 }), fc.boolean(), fc.constantFrom('add', 'sub', 'mul', 'div'), (as, kind, swap, op) => {
      const bs = derivedShape(as, kind);
      const [x, y] = swap ? [rand(bs, 0.5), rand(as, 0.5)] : [rand(as), rand(bs, 0.5)];
      check((a, b) => a[op](b), [x, y]);
    }),
    { seed: 4321, numRuns: 60 },
  );
});

test('add / sub / mul / div with a number operand: gradcheck', () => {
  for (const op of ['add', 'sub', 'mul', 'div'] as const) check((a) => a[op](-1.75), [rand([3, 5])]);
});

test('the same tensor on both sides: x op x', () => {
  for (const op of ['add', 'sub', 'mul', 'div'] as const) check((x) => x[op](x), [rand([4, 5], 0.5)]);
});

test("every op's accumulate path: an input feeding the op twice, with different upstream gradients", () => {
  const twice = (f: (x: sl.Tensor) => sl.Tensor) => (x: sl.Tensor) => f(x).sum().add(f(x).mul(f(x)).sum());
  check(twice((x) => x.relu()), [rand([3, 5], 0.05)]);
  check(twice((x) => x.sum(-1)), [rand([2, 3, 5])]);
  check(twice((x) => x.mean(-1)), [rand([4, 5])]);
  check(twice((x) => x.mean(0)), [rand([4, 5])]);
  check(twice((x) => x.sum(1)), [rand([2, 3, 4])]);
  check(twice((x) => x.mean()), [rand([4, 5])]);
  check(twice((x) => x.transpose()), [rand([3, 5])]);
  check(twice((x) => x.reshape([-1])), [rand([3, 5])]);
  check(twice((x) => sl.l2Normalize(x)), [rand([3, 5])]);
  check(twice((x) => sl.matmul(x, x)), [rand([4, 4])]);
  check(twice((x) => sl.linear(x, x, x.sum(-1))), [rand([3, 3])]);
  check(twice((x) => x.mul(0.5).div(2).sub(1).add(3)), [rand([3, 5])]);
});

test('relu: gradcheck with inputs away from the kink', () => {
  for (const shape of [[1], [7], [4, 17]]) check((x) => x.relu(), [rand(shape, 0.05)]);
});

test('sum / mean: all elements and every axis, 1-D to 3-D', () => {
  for (const shape of [[1], [5], [3, 7], [2, 3, 5]]) {
    check((x) => x.sum(), [rand(shape)]);
    check((x) => x.mean(), [rand(shape)]);
    for (let axis = -shape.length; axis < shape.length; axis++) {
      check((x) => x.sum(axis), [rand(shape)]);
      check((x) => x.mean(axis), [rand(shape)]);
    }
  }
});

test('matmul: gradcheck at several shapes, including 1×k×1 and tails', () => {
  for (const [n, k, m] of [[1, 1, 1], [1, 7, 1], [3, 5, 2], [5, 17, 4], [9, 2, 33]]) check((a, b) => sl.matmul(a, b), [rand([n, k]), rand([k, m])]);
});

test('matmul with 1-D operands: gradcheck', () => {
  check((a, b) => sl.matmul(a, b), [rand([5]), rand([5, 3])]);
  check((a, b) => sl.matmul(a, b), [rand([4, 5]), rand([5])]);
  check((a, b) => sl.matmul(a, b), [rand([6]), rand([6])]);
});

test('linear: gradcheck with and without bias', () => {
  for (const [n, i, o] of [[1, 1, 1], [4, 5, 3], [7, 17, 5]]) {
    check((x, w, b) => sl.linear(x, w, b), [rand([n, i]), rand([o, i]), rand([o])]);
    check((x, w) => sl.linear(x, w), [rand([n, i]), rand([o, i])]);
  }
  check((x, w, b) => sl.linear(x, w, b), [rand([2, 3, 5]), rand([4, 5]), rand([4])]);
  check((x, w) => sl.linear(x, w), [rand([5]), rand([3, 5])]);
});

test('transpose and reshape (including -1): gradcheck', () => {
  check((a) => a.transpose(), [rand([3, 7])]);
  check((a) => a.transpose().mul(a.transpose()), [rand([5, 2])]);
  check((a) => a.reshape([-1, 2]).mul(a.reshape([6, 2])), [rand([3, 4])]);
  check((a) => a.reshape([2, -1, 3]).sum(-1), [rand([4, 3])]);
});

test('l2Normalize: gradcheck on random rows and in 3-D', () => {
  check((x) => sl.l2Normalize(x), [rand([5, 7])]);
  check((x) => sl.l2Normalize(x), [rand([2, 3, 4])]);
  check((x) => sl.l2Normalize(x), [rand([3, 1], 0.2)]);
});

test('l2Normalize of a zero row: gradient g / eps (PyTorch), other rows untouched', () => {
  sl.tidy(() => {
    const x = sl.tensor([[0, 0, 0], [1, 2, 2]], { requiresGrad: true });
    const g = sl.tensor([[1, -2, 0.5], [0, 0, 0]]);
    sl.l2Normalize(x).backward(g);
    const gx = x.grad!.toArray();
    assertClose(gx[0], [1e12, -2e12, 0.5e12], { rtol: 1e-6 }, 'zero row');
    assert.equal(gx[1], [0, 0, 0]);
    x.dispose();
  });
});

test('a composed model: linear → relu → add row → l2Normalize → mean', () => {
  check(
    (x, w, b, r) => sl.l2Normalize(sl.linear(x, w, b).relu().add(r)).mean(),
    [rand([6, 5]), rand([4, 5]), rand([4], 0.3), rand([4])],
  );
});

test.run();
