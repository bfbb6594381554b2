// A pairwise distance of a batch with itself, f(x, x), multiplies only half of the symmetric
// product (f32_gemm_nt_self, bitwise f32_gemm_nt(x, x); both kernels tested in
// test/core/kernels.test.ts) and takes x's gradient in one GEMM over the weights w + wᵀ
// (f32_add_transpose) instead of two: checked against the same distance of x and
// an equal but separate tensor (the two-GEMM path, whose gradients are summed) and against
// finite differences, on odd sizes, for every GEMM-backed distance, normalised or not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { assertClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

const distances = (): [string, () => any][] => [
  ['LpDistance', () => new sl.distances.LpDistance()],
  ['LpDistance power 2', () => new sl.distances.LpDistance({ power: 2 })],
  ['LpDistance unnormalised', () => new sl.distances.LpDistance({ normalizeEmbeddings: false })],
  ['LpDistance squared unnormalised', () => new sl.distances.LpDistance({ normalizeEmbeddings: false, power: 2 })],
  ['CosineSimilarity', () => new sl.distances.CosineSimilarity()],
  ['DotProductSimilarity', () => new sl.distances.DotProductSimilarity()],
];

test('pairwise(x, x): value bitwise pairwise(x, copy of x); gradient equals pairwise(x, copy of x) summed, and finite differences', () => {
  for (const [name, make] of distances()) {
    for (const [n, d] of [[1, 3], [3, 5], [17, 4], [33, 7]]) {
      sl.tidy(() => {
        const dist = make();
        const data = sl.randn([n, d], { seed: n + d }).data();
        const w = sl.randn([n, n], { seed: 3 });
        const x = sl.tensor(data, [n, d], { requiresGrad: true });
        sl.sum(sl.mul(dist.pairwise(x, x), w)).backward();
        const a = sl.tensor(data, [n, d], { requiresGrad: true });
        const b = sl.tensor(data, [n, d], { requiresGrad: true });
        const both = dist.pairwise(a, b);
        assert.equal(Array.from(dist.pairwise(x, x).data()), Array.from(both.data()), `${name} n ${n} d ${d}: value`);
        sl.sum(sl.mul(both, w)).backward();
        const want = Float64Array.from(a.grad!.data(), (v, i) => v + b.grad!.data()[i]);
        assertClose(x.grad!.data(), want, { rtol: 1e-4, atol: 1e-5 }, `${name} n ${n} d ${d}`);
      });
    }
    sl.tidy(() => {
      const dist = make();
      const r = gradcheck((x) => dist.pairwise(x, x), [sl.randn([5, 3], { seed: 8 })]);
      assert.ok(r.ok, name);
    });
  }
});

test.run();
