// inverseSpd (src/ops/linalg.ts): values against a float64 Gauss–Jordan inverse at odd sizes,
// the gradient by finite differences through a symmetric parametrisation (the kernel reads one
// triangle), and the error on a matrix that is not positive definite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { inverseSpd } from '../../src/ops/linalg';
import { invertRef as inverse } from '../ref/distance';
import { assertClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

const spd = (d: number, seed: number) => sl.tidy(() => {
  const b = sl.randn([d, d], { seed });
  return sl.add(sl.matmul(b, sl.transpose(b)), sl.mul(sl.tensor(Float32Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)), [d, d]), d));
});

for (const d of [1, 2, 3, 5, 8, 17, 33]) {
  test(`values at d = ${d} against float64`, () => sl.tidy(() => {
    const a = spd(d, d);
    assertClose(inverseSpd(a).data(), inverse(a.data(), d), { rtol: 1e-4, atol: 1e-5 }, `d ${d}`);
  }));
}

test('gradient: finite differences of Σ w ⊙ (B·Bᵀ + 3I)⁻¹ at d = 3 and 5', () => {
  for (const d of [3, 5]) {
    const b = sl.randn([d, d], { seed: 10 + d });
    const w = sl.randn([d, d], { seed: 20 + d });
    const eye = sl.tensor(Float32Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 3 : 0)), [d, d]);
    gradcheck((x) => sl.reshape(sl.sum(sl.mul(inverseSpd(sl.add(sl.matmul(x, sl.transpose(x)), eye)), w)), [1]), [b], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
    for (const t of [b, w, eye]) t.dispose();
  }
});

test('not positive definite, not square: clear errors', () => sl.tidy(() => {
  assert.throws(() => inverseSpd(sl.tensor([[1, 2], [2, 1]])), /inverseSpd: A \[2, 2\] is not positive definite/);
  assert.throws(() => inverseSpd(sl.zeros([2, 3])), /inverseSpd: A must be square, got \[2, 3\]/);
}));

test.run();
