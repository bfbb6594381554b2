// The covariance family (src/ops/covariance.ts, assembly/kernels/covariance.ts): centring, the
// Gram matrix of the columns, the variance hinge and the off-diagonal squares, values and
// gradients against float64 on odd sizes around the 4-lane tiles and the GEMM's tiles, a
// gradient accumulated when the Gram matrix feeds both terms (in either order), and gradchecks.
import { test } from 'uvu';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { centreColumns, gramColumns, offDiagonalSquares, varianceHinge } from '../../src/ops/covariance';
import { assertClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';
import { centreColsRef, gramColsGradRef, gramColsRef, offDiagSqRef, varHingeRef } from '../ref/covariance';

await sl.init();
const rng = new Rng(5);
const SIZES = [1, 3, 5, 17, 33];
const uniform = (len: number, s = 1) => Float32Array.from({ length: len }, () => (rng.uniform() * 2 - 1) * s);

test('centreColumns: values and gradient (g − colmean(g)) vs float64, accumulated when used twice', () => {
  for (const n of SIZES) for (const d of SIZES) sl.tidy(() => {
    const xs = uniform(n * d, 3), ws = uniform(n * d);
    const x = sl.tensor(xs, [n, d], { requiresGrad: true });
    const w = sl.tensor(ws, [n, d]);
    const y = centreColumns(x);
    sl.add(sl.sum(sl.mul(y, w)), sl.sum(sl.mul(centreColumns(x), w))).backward();
    assertClose(y.data(), centreColsRef(xs, n, d), { rtol: 1e-5, atol: 1e-5 }, `n ${n} d ${d}: values`);
    assertClose(x.grad!.data(), centreColsRef(ws, n, d).map((v) => 2 * v), { rtol: 1e-5, atol: 1e-5 }, `n ${n} d ${d}: gradient`);
  });
});

test('gramColumns: xᵀx and x·(G + Gᵀ) vs float64 on odd sizes', () => {
  for (const n of SIZES) for (const d of [...SIZES, 40]) sl.tidy(() => {
    const xs = uniform(n * d), gs = uniform(d * d);
    const x = sl.tensor(xs, [n, d], { requiresGrad: true });
    const c = gramColumns(x);
    sl.sum(sl.mul(c, sl.tensor(gs, [d, d]))).backward();
    assertClose(c.data(), gramColsRef(xs, n, d), { rtol: 1e-5, atol: 1e-5 * n }, `n ${n} d ${d}: values`);
    assertClose(x.grad!.data(), gramColsGradRef(xs, gs, n, d), { rtol: 1e-4, atol: 1e-5 * d }, `n ${n} d ${d}: gradient`);
  });
});

test('varianceHinge and offDiagonalSquares: values and gradients vs float64, both into one Gram gradient in either order', () => {
  for (const d of SIZES) {
    for (const order of [0, 1]) sl.tidy(() => {
      // diagonals on both sides of the hinge's knee (C_jj·inv + eps around 1)
      const cs = uniform(d * d, 0.8);
      for (let j = 0; j < d; j++) cs[j * (d + 1)] = 4 * rng.uniform() * 2;
      const rows = 5, inv = 1 / (rows - 1), eps = 0.01, hs = 12.5, scale = 0.3;
      const ws = uniform(d), gOff = 1.7;
      const c = sl.tensor(cs, [d, d], { requiresGrad: true });
      const h = () => sl.sum(sl.mul(varianceHinge(c, rows, eps, hs), sl.tensor(ws, [d])));
      const o = () => sl.mul(offDiagonalSquares(c, scale), gOff);
      const [a, b] = order === 0 ? [h(), o()] : [o(), h()];
      sl.add(a, b).backward();
      const hr = varHingeRef(cs, d, inv, eps, hs, ws), or = offDiagSqRef(cs, d, scale, gOff);
      assertClose(varianceHinge(c, rows, eps, hs).data(), hr.out, { rtol: 1e-5, atol: 1e-6 }, `d ${d}: hinge`);
      assertClose(offDiagonalSquares(c, scale).data(), [or.out], { rtol: 1e-5, atol: 1e-6 }, `d ${d}: off-diagonal squares`);
      assertClose(c.grad!.data(), hr.grad.map((v, i) => v + or.grad[i]), { rtol: 1e-5, atol: 1e-6 }, `d ${d} order ${order}: gradient`);
    });
  }
});

test('gradcheck: the covariance terms of a centred batch of 5 × 3', () => {
  const x = sl.randn([5, 3], { seed: 7 });
  gradcheck((a) => {
    const gram = gramColumns(centreColumns(a));
    return sl.reshape(sl.add(sl.sum(varianceHinge(gram, 5, 0.5, 2)), offDiagonalSquares(gram, 0.1)), [1]);
  }, [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test.run();
