// Label masks are built on i32x4 lanes: against the reference on sizes around the tile. The masked logsumexp rows run on f32x4 lanes with a polynomial e^x (expf4 in
// assembly/kernels/vec.ts): values and gradients against the float64 reference on row lengths
// around the 4-lane tile, over inputs spread from −100 to 60 (so e^(x − max) spans underflow to
// 1), and the edge rows: nothing kept, only −∞ kept, a kept NaN, addOne.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { labelMask, maskedLogsumexp } from '../../src/ops/masked';
import { Rng } from '../../src/random';
import { assertClose } from '../helpers/close';
import { labelMaskRef, maskedRowsRef } from '../ref/masked';

await sl.init();
const rng = new Rng(5);

test('masked logsumexp on the SIMD rows: values and softmax gradients vs float64, odd row lengths, wide ranges', () => {
  for (const m of [1, 3, 4, 5, 7, 8, 17, 33, 100]) {
    for (const spread of [1, 20, 160]) {
      for (const addOne of [false, true]) {
        sl.tidy(() => {
          const n = 5;
          const xs = Float32Array.from({ length: n * m }, () => (rng.uniform() - 0.625) * spread);
          const mk = Float32Array.from({ length: n * m }, (_, i) => (i < m ? 0 : rng.uniform() < 0.7 ? 1 : 0));
          for (const mask of [sl.tensor(mk, [n, m]), null]) {
            const x = sl.tensor(xs, [n, m], { requiresGrad: true });
            const g = Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
            const out = maskedLogsumexp(x, mask, { addOne });
            sl.sum(sl.mul(out, sl.tensor(g, [n]))).backward();
            const ref = maskedRowsRef('logsumexp', xs, mask ? mk : null, n, m, addOne);
            const what = `m ${m}, spread ${spread}, addOne ${addOne}, ${mask ? 'masked' : 'unmasked'}`;
            assertClose(out.data(), ref.out, { rtol: 1e-6, atol: 1e-6 }, `${what}: value`);
            const want = Float64Array.from(ref.grad, (v, i) => v * g[Math.floor(i / m)]);
            assertClose(x.grad!.data(), want, { rtol: 1e-5, atol: 1e-7 }, `${what}: gradient`);
          }
        });
      }
    }
  }
});

test('masked logsumexp edge rows: nothing kept 0, only −∞ kept −∞, a kept NaN NaN, a dropped NaN ignored', () => {
  sl.tidy(() => {
    const m = 9;
    const rows = [
      [Array(m).fill(1), Array(m).fill(0)],
      [Array(m).fill(-Infinity), Array(m).fill(1)],
      [[1, 2, 3, 4, 5, NaN, 7, 8, 9], Array(m).fill(1)],
      [[1, 2, 3, 4, 5, NaN, 7, 8, NaN], [1, 1, 1, 1, 1, 0, 1, 1, 0]],
      [[0, 0, 0, 0, 0, 0, 0, 0, 0], Array(m).fill(1)],
    ];
    const x = sl.tensor(rows.flatMap((r) => r[0]), [rows.length, m], { requiresGrad: true });
    const mask = sl.tensor(rows.flatMap((r) => r[1]), [rows.length, m]);
    const out = maskedLogsumexp(x, mask);
    const v = out.data();
    assert.equal(v[0], 0);
    assert.equal(v[1], -Infinity);
    assert.ok(Number.isNaN(v[2]));
    assertClose([v[3]], maskedRowsRef('logsumexp', [1, 2, 3, 4, 5, 7, 8], null, 1, 7).out, { rtol: 1e-6 }, 'dropped NaN');
    assertClose([v[4]], [Math.log(9)], { rtol: 1e-6 }, 'ties');
    sl.sum(sl.mul(out, sl.tensor([1, 0, 0, 1, 1], [5]))).backward();
    const g = x.grad!.data();
    assert.equal(Array.from(g.subarray(0, m)), Array(m).fill(0));
    assert.equal(g[3 * m + 5], 0);
    assert.equal(g[3 * m + 8], 0);
    assertClose(g.subarray(4 * m, 5 * m), Array(m).fill(1 / 9), { rtol: 1e-6 }, 'ties gradient');
  });
});

test('label masks on i32x4 lanes: batch against itself (diagonal 0) and against a reference set, odd sizes', () => {
  for (const n of [1, 3, 4, 5, 8, 17, 33]) {
    for (const m of [1, 3, 4, 7, 17, 33]) {
      const labels = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * 3) - 1);
      const ref = Int32Array.from({ length: m }, () => Math.floor(rng.uniform() * 3) - 1);
      for (const same of [true, false]) {
        sl.tidy(() => {
          assert.equal(Array.from(labelMask(labels, ref, same).data()), Array.from(labelMaskRef(labels, ref, same)), `n ${n} m ${m} same ${same}`);
          assert.equal(Array.from(labelMask(labels, null, same).data()), Array.from(labelMaskRef(labels, null, same)), `n ${n} self same ${same}`);
        });
      }
    }
  }
});

test.run();
