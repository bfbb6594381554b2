// Bad input gets a clear error naming the function, the argument and the shapes, thrown
// before any kernel runs: after each one every other tensor, parameter and gradient is as it
// was and no memory was taken.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { getEngine } from '../../src/wasm/instance';

await sl.init();
const alloc = getEngine().alloc;

// Tensors that must survive every error below untouched: a parameter with a gradient, a
// constant, and a view.
const w = sl.randn([3, 4], { seed: 1, requiresGrad: true });
sl.tidy(() => w.mul(w).sum().backward());
const c = sl.randn([2, 3], { seed: 2 });
const view = c.reshape([6]);
const snapshot = () => [w.data(), w.grad!.data(), c.data(), view.data()].map((d) => Array.from(d));
const before = snapshot();

/** fn must throw (type) with a message matching every pattern; then state is unchanged. */
function fails(fn: () => unknown, ...patterns: RegExp[]): void {
  const live = alloc.liveBytes;
  let error: unknown = null;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  assert.instance(error, Error, `expected an error matching ${patterns.join(' ')}`);
  for (const p of patterns) assert.match((error as Error).message, p);
  assert.is(alloc.liveBytes, live, `no memory kept by the failed call: ${(error as Error).message}`);
  assert.equal(snapshot(), before, 'other tensors and gradients intact');
  assert.ok(!w.isDisposed && !c.isDisposed && !view.isDisposed);
}

test('shape mismatch in add / sub / mul / div names both shapes', () => {
  const [a, b, d, r4, t3, col, c31, r14] = [[4, 3], [5, 2], [3, 4], [4], [2, 4, 3], [4, 1], [3, 1], [1, 4]].map((s) => sl.zeros(s));
  fails(() => a.add(b), /^add: cannot broadcast a \[4, 3\] with b \[5, 2\]/);
  fails(() => a.sub(d), /^sub: .*\[4, 3\].*\[3, 4\]/);
  fails(() => a.mul(r4), /^mul: .*\[4, 3\].*\[4\]/);
  fails(() => t3.div(col), /^div: .*\[2, 4, 3\].*\[4, 1\]/);
  fails(() => c31.add(r14), /^add: .*\[3, 1\].*\[1, 4\]/);
  for (const t of [a, b, d, r4, t3, col, c31, r14]) t.dispose();
});

test('matmul / linear / transpose: inner dimensions and ranks, with the shapes', () => {
  const a = sl.zeros([4, 3]), b = sl.zeros([5, 2]), v = sl.zeros([3]), v5 = sl.zeros([5]), w23 = sl.zeros([2, 3]), t3 = sl.zeros([2, 4, 3]);
  fails(() => sl.matmul(a, b), /^matmul: a is \[4, 3\] but b is \[5, 2\]: inner dimensions must match/);
  fails(() => a.matmul(v5), /^matmul: a is \[4, 3\] but b is \[5\]: inner dimensions must match/);
  fails(() => t3.matmul(a), /^matmul: a must be 1-D or 2-D, got \[2, 4, 3\]/);
  fails(() => sl.linear(a, b), /^linear: x is \[4, 3\] but weight is \[5, 2\]/);
  fails(() => sl.linear(a, w23, v), /^linear: bias is \[3\] but weight is \[2, 3\]: bias must be \[2\]/);
  fails(() => v.transpose(), /^transpose: a must be 2-D, got \[3\]/);
  fails(() => sl.linear(t3, b), /^linear: x is \[2, 4, 3\] but weight is \[5, 2\]: x's last dimension must equal weight's second/);
  fails(() => sl.linear(w23, v), /^linear: weight must be 2-D, got \[3\]/);
  for (const t of [a, b, v, v5, w23, t3]) t.dispose();
});

test('reshape: element counts, bad dims, several -1', () => {
  const a = sl.zeros([2, 3]);
  fails(() => a.reshape([4, 2]), /^reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\] \(8 elements\)/);
  fails(() => a.reshape([4, -1]), /^reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, -1\]/);
  fails(() => a.reshape([-1, -1]), /^reshape: bad shape \[-1, -1\]/);
  fails(() => a.reshape([2.5, 2]), /^reshape: bad shape \[2.5, 2\]/);
  a.dispose();
});

test('sum / mean / l2Normalize: axes out of range, ranks', () => {
  const a = sl.zeros([2, 3]), s = sl.tensor(1);
  fails(() => a.sum(2), /^sum: axis 2 is out of range for \[2, 3\]: use no axis \(all elements\) or one in \[-2, 1\]/);
  fails(() => a.mean(-3), /^mean: axis -3 is out of range for \[2, 3\]/);
  fails(() => a.sum(0.5), /^sum: axis 0.5 is out of range/);
  fails(() => s.sum(0), /^sum: axis 0 is out of range for \[\]/);
  fails(() => sl.l2Normalize(s), /^l2Normalize: x must have at least one dimension/);
  a.dispose();
  s.dispose();
});

test('use after dispose: data(), item(), ops, reshape, backward, name the shape', () => {
  const a = sl.ones([2, 3]);
  a.dispose();
  fails(() => a.data(), /tensor \[2, 3\] was disposed/);
  fails(() => a.toArray(), /tensor \[2, 3\] was disposed/);
  fails(() => a.item(), /\[2, 3\]/);
  fails(() => a.add(c), /^add: a \[2, 3\] was disposed/);
  fails(() => c.mul(a), /^mul: b \[2, 3\] was disposed/);
  fails(() => sl.matmul(a, w), /^matmul: a \[2, 3\] was disposed/);
  fails(() => sl.linear(c, w, a), /^linear: bias \[2, 3\] was disposed/);
  fails(() => a.reshape([6]), /^reshape: a \[2, 3\] was disposed/);
  fails(() => a.relu(), /^relu: a \[2, 3\] was disposed/);
  fails(() => a.sum(), /^sum: a \[2, 3\] was disposed/);
  fails(() => a.backward(), /^backward: tensor \[2, 3\] was disposed/);
});

test('backward through a graph whose intermediates a tidy already freed fails before writing any gradient', () => {
  const x = sl.tensor([1, 2, 3], { requiresGrad: true });
  const loss = sl.tidy(() => x.mul(2).relu().sum());
  const gradBefore = x.grad;
  fails(() => loss.backward(), /^backward: input \[3\] of 'sum' was disposed before backward\(\)/);
  assert.is(x.grad, gradBefore);
  loss.dispose();
  x.dispose();
});

test('backward: non-scalar without gradient, no requiresGrad, mismatched gradient', () => {
  sl.tidy(() => {
    const y = w.mul(2);
    fails(() => y.backward(), /^backward: tensor \[3, 4\] is not a scalar; .*pass a gradient of shape \[3, 4\]/);
    const constant = c.sum(), wrong = sl.ones([4, 4]);
    fails(() => constant.backward(), /^backward: tensor \[\] does not require grad/);
    fails(() => y.backward(wrong), /^backward: gradient \[4, 4\] does not match tensor \[3, 4\]/);
    const g = sl.ones([3, 4]);
    g.dispose();
    fails(() => y.backward(g), /^backward: gradient \[3, 4\] was disposed/);
  });
});

test('tidy returning a Promise is refused (and frees what it made)', () => {
  fails(() => sl.tidy(() => Promise.resolve(sl.ones([7]))), /^tidy: fn returned a Promise; tidy is synchronous/);
  fails(() => sl.tidy(async () => 1), /^tidy: fn returned a Promise/);
});

test('tensor(): ragged input, wrong size, non-numbers, bad shapes', () => {
  fails(() => sl.tensor([[1, 2], [3]]), /^tensor: ragged nested array: \[1\] has 1 entries, expected 2/);
  fails(() => sl.tensor([[1, 2], 3] as any), /^tensor: ragged nested array: \[1\] has no entries, expected 2/);
  fails(() => sl.tensor([1, 2, 3], [2, 2]), /^tensor: data has 3 elements but shape \[2, 2\] needs 4/);
  fails(() => sl.tensor(new Float32Array(5), [2, 3]), /^tensor: data has 5 elements but shape \[2, 3\] needs 6/);
  fails(() => sl.tensor([1, 'a'] as any), /^tensor: element \[1\] is string, expected a number/);
  fails(() => sl.tensor('abc' as any), /^tensor: data must be a number, a \(nested\) array or a typed array, got string/);
  fails(() => sl.zeros([2, -1]), /^zeros: shape must be an array of non-negative integers, got \[2,-1\]/);
  fails(() => sl.randn([1.5]), /^randn: shape must be an array of non-negative integers/);
});

test('item() on a multi-element tensor names its shape and size', () => {
  fails(() => c.item(), /^item: tensor \[2, 3\] has 6 elements, item\(\) needs exactly one/);
});

test('the engine keeps working after all of the above', () => {
  sl.tidy(() => {
    const y = sl.matmul(c, w).sum();
    assert.ok(Number.isFinite(y.item()));
  });
  assert.equal(snapshot(), before);
});

test.run();
