import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { matmulRef } from '../ref/gemm';

await sl.init();

test('matmul matches the float64 reference', () => {
  const a = sl.randn([5, 7], { seed: 1 });
  const b = sl.randn([7, 3], { seed: 2 });
  const c = sl.matmul(a, b).data();
  const ref = matmulRef(a.data(), b.data(), 5, 7, 3);
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(c[i] - ref[i]) < 1e-5, `element ${i}: ${c[i]} vs ${ref[i]}`);
});

test('gradcheck passes for matmul → relu → add row → mean', () => {
  const a = sl.randn([4, 5], { seed: 3 });
  const b = sl.randn([5, 3], { seed: 4 });
  const r = sl.randn([3], { seed: 5 });
  gradcheck((x, y, z) => sl.matmul(x, y).add(z).mul(x.sum().add(1)), [a, b, r]);
});

test('l2Normalize: unit rows, zero row stays zero, gradient checks', () => {
  const x = sl.tensor([[3, 4, 0], [0, 0, 0], [1, -2, 2]]);
  const y = sl.l2Normalize(x).toArray();
  assert.ok(Math.abs(y[0][0] - 0.6) < 1e-7 && Math.abs(y[0][1] - 0.8) < 1e-7);
  assert.equal(y[1], [0, 0, 0]);
  gradcheck((a) => sl.l2Normalize(a), [sl.randn([5, 7], { seed: 9 })]);
});

test.run();
