import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { batchNormRef } from '../ref/conv';

await sl.init();

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) assert.unreachable(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

const shapes2d = [[2, 3, 5, 7], [1, 1, 3, 3], [5, 2, 1, 1], [3, 4, 17, 3], [2, 5, 33, 1]];

test('BatchNorm2d training: batch statistics, running stats with unbiased variance (float64 reference)', () => {
  shapes2d.forEach((s, i) => {
    const [n, c, h, w] = s;
    const m = new sl.nn.BatchNorm2d(c, { momentum: 0.2 });
    const gamma = sl.randn([c], { seed: 100 + i }), beta = sl.randn([c], { seed: 200 + i });
    m.loadStateDict({ ...m.stateDict(), weight: gamma, bias: beta });
    const x = sl.randn(s, { seed: i }).mul(3).add(5); // offset mean: the two-pass variance matters
    const y = m.forward(x);
    const ref = batchNormRef(x.data(), n, c, h * w, gamma.data(), beta.data(), 1e-5, null);
    close(y.data(), ref.y, 2e-5, `shape [${s}] y`);
    close(m.runningMean.data(), Array.from(ref.mean, (v) => 0.2 * v), 1e-5, `shape [${s}] running_mean`);
    close(m.runningVar.data(), Array.from(ref.unbiasedVar, (v) => 0.8 + 0.2 * v), 1e-5, `shape [${s}] running_var`);
    assert.is(m.numBatchesTracked.item(), 1);
  });
});

test('BatchNorm eval uses the running statistics', () => {
  const m = new sl.nn.BatchNorm1d(3);
  m.loadStateDict({
    ...m.stateDict(),
    weight: sl.tensor([1, 2, -1]), bias: sl.tensor([0, 1, 0.5]),
    running_mean: sl.tensor([0.5, -1, 2]), running_var: sl.tensor([4, 0.25, 1]),
  });
  m.eval();
  const x = sl.randn([5, 3], { seed: 3 });
  const ref = batchNormRef(x.data(), 5, 3, 1, [1, 2, -1], [0, 1, 0.5], 1e-5, { mean: [0.5, -1, 2], var: [4, 0.25, 1] });
  close(m.forward(x).data(), ref.y, 1e-6, 'eval y');
  assert.equal(Array.from(m.runningMean.data()), [0.5, -1, 2], 'running stats unchanged in eval');
  assert.is(m.numBatchesTracked.item(), 0);
});

test('batchNorm gradients pass gradcheck in training and eval, 1-D and 2-D', () => {
  const cases: [number[], boolean][] = [[[2, 3, 5, 7], true], [[4, 2, 3, 1], true], [[5, 3], true], [[3, 2, 5], true], [[2, 3, 5, 3], false], [[5, 3], false]];
  cases.forEach(([s, training], i) => {
    const c = s[1];
    const rm = sl.randn([c], { seed: 10 + i }), rv = sl.rand([c], { seed: 20 + i }).add(0.5);
    gradcheck(
      (x, w, b) => sl.batchNorm(x, sl.tensor(rm.data()), sl.tensor(rv.data()), w, b, { training }),
      [sl.randn(s, { seed: i }), sl.randn([c], { seed: 30 + i }), sl.randn([c], { seed: 40 + i })],
      { eps: 1e-2, atol: 2e-3, rtol: 2e-2 },
    );
  });
});

test('BatchNorm layers reject bad input before changing state', () => {
  const m = new sl.nn.BatchNorm2d(3);
  assert.throws(() => m.forward(sl.zeros([2, 4, 3, 3])), /BatchNorm2d: x is \[2, 4, 3, 3\] but must be \[n, c, h, w\] with c = 3/);
  assert.throws(() => new sl.nn.BatchNorm1d(3).forward(sl.zeros([2, 3, 4, 4])), /BatchNorm1d: x is \[2, 3, 4, 4\] but must be \[n, c\] or \[n, c, l\]/);
  assert.throws(() => m.forward(sl.zeros([1, 3, 1, 1])), /batchNorm: expected more than 1 value per channel when training/);
  assert.is(m.numBatchesTracked.item(), 0);
  assert.equal(Array.from(m.runningVar.data()), [1, 1, 1]);
  assert.throws(() => new sl.nn.BatchNorm2d(0), /BatchNorm2d: numFeatures must be a positive integer/);
});

test('Dropout: seeded inverted mask, gradient through the mask, identity in eval', () => {
  const x = sl.ones([1000, 33]);
  sl.manualSeed(5);
  const y1 = new sl.nn.Dropout(0.3).forward(x).data();
  sl.manualSeed(5);
  const y2 = new sl.nn.Dropout(0.3).forward(x).data();
  assert.equal(Array.from(y1.slice(0, 200)), Array.from(y2.slice(0, 200)), 'same seed, same mask');
  let kept = 0;
  for (const v of y1) {
    assert.ok(v === 0 || Math.abs(v - 1 / 0.7) < 1e-6, `value ${v}`);
    if (v) kept++;
  }
  const rate = kept / y1.length; // binomial, sd ≈ 0.0025
  assert.ok(Math.abs(rate - 0.7) < 0.015, `keep rate ${rate}`);
  const other = sl.dropout(x, 0.3, { seed: 6 }).data();
  assert.not.equal(Array.from(other.slice(0, 100)), Array.from(y1.slice(0, 100)));

  const a = sl.randn([7, 5], { seed: 1 });
  gradcheck((t) => sl.dropout(t, 0.5, { seed: 9 }), [a]);
  const d = new sl.nn.Dropout(0.5).eval();
  assert.ok(d.forward(a) === a);
  assert.equal(Array.from(sl.dropout(a, 1, { seed: 1 }).data()), new Array(35).fill(0));
  assert.throws(() => new sl.nn.Dropout(1.5), /Dropout: p must be in \[0, 1\], got 1.5/);
});

test.run();
