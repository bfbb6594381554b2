// Forward values and shapes of the core ops (eltwise with broadcasting, reductions, matmul,
// linear, transpose, reshape, l2Normalize, constructors) against the float64 references.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { assertClose, randomF32, U32 } from '../helpers/close';
import { broadcastRef, mapRef, reluRef, transposeRef, type BinaryName } from '../ref/eltwise';
import { l2normalizeRef, sumAxisRef, sumRef, sumRowsRef } from '../ref/reduce';
import { linearRef, matmulRef } from '../ref/gemm';
import { LAYOUTS, derivedShape } from './cases';

await sl.init();
const rng = new Rng(77);
const rand = (shape: number[], away = 0): sl.Tensor => {
  const n = shape.reduce((p, q) => p * q, 1);
  // `away` keeps values off 0 (divisors), by moving each one out by that much.
  return sl.tensor(mapRef(randomF32(rng, n), (v) => v + Math.sign(v || 1) * away), shape);
};
const OPS: BinaryName[] = ['add', 'sub', 'mul', 'div'];

test('add / sub / mul / div: every layout, PyTorch broadcast shape, the float64 result rounded once', () => {
  for (const op of OPS)
    for (const [name, as, bs] of LAYOUTS)
      sl.tidy(() => {
        const a = rand(as), b = rand(bs, 0.5);
        const y = a[op](b);
        const ref = broadcastRef(op, a.data(), as, b.data(), bs);
        assert.equal(y.shape, ref.shape, `${op} ${name}: shape`);
        assertClose(y.data(), ref.data, { rtol: U32 }, `${op} ${name}`);
      });
});

test('property: random shapes (rank 0-3, dims 1-9) in every layout, either side, match NumPy broadcasting', () => {
  const shape = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 0, maxLength: 3 });
  fc.assert(
    fc.property(shape, fc.integer({ min: 0, max: 5 }), fc.boolean(), fc.constantFrom(...OPS), (as, kind, swap, op) => {
      const bs = derivedShape(as, kind);
      sl.tidy(() => {
        const [x, y] = swap ? [rand(bs, 0.5), rand(as, 0.5)] : [rand(as), rand(bs, 0.5)];
        const out = x[op](y);
        const ref = broadcastRef(op, x.data(), x.shape, y.data(), y.shape);
        assert.equal(out.shape, ref.shape, `${op} [${x.shape}] [${y.shape}]`);
        assertClose(out.data(), ref.data, { rtol: U32 }, `${op} [${x.shape}] [${y.shape}]`);
      });
    }),
    { seed: 1234, numRuns: 300 },
  );
});

test('a number operand: add / sub / mul / div', () => {
  sl.tidy(() => {
    const a = rand([3, 7]);
    for (const op of OPS) {
      const ref = mapRef(a.data(), (x) => (op === 'add' ? x + 2.5 : op === 'sub' ? x - 2.5 : op === 'mul' ? x * 2.5 : x / 2.5));
      const y = sl[op](a, 2.5);
      assert.equal(y.shape, [3, 7]);
      assertClose(y.data(), ref, { rtol: U32 }, `${op} 2.5`);
    }
  });
});

test('relu: exact, 0 at 0', () => {
  sl.tidy(() => {
    for (const n of [1, 5, 17, 100]) {
      const a = rand([n]);
      assertClose(a.relu().data(), reluRef(a.data()), {}, `relu n=${n}`);
    }
    assert.equal(sl.tensor([-1, 0, 2]).relu().toArray(), [0, 0, 2]);
  });
});

test('sum / mean: all elements and last axis (-1 or ndim-1), 1-D, 2-D, 3-D', () => {
  sl.tidy(() => {
    for (const shape of [[1], [7], [3, 5], [4, 17], [2, 3, 33], [1, 1, 1]]) {
      const a = rand(shape);
      const x = a.data();
      const d = shape[shape.length - 1], n = a.size / d;
      const tol = { atol: a.size * U32 * sumRef(mapRef(x, Math.abs)) };
      assert.equal(a.sum().shape, []);
      assertClose([a.sum().item()], [sumRef(x)], tol, `sum ${shape}`);
      assertClose([a.mean().item()], [sumRef(x) / a.size], tol, `mean ${shape}`);
      for (const axis of [-1, shape.length - 1]) {
        const s = a.sum(axis), m = a.mean(axis);
        assert.equal(s.shape, shape.slice(0, -1), `sum(${axis}) shape`);
        assertClose(s.data(), sumRowsRef(x, n, d), tol, `sum(${axis}) ${shape}`);
        assertClose(m.data(), mapRef(sumRowsRef(x, n, d), (v) => v / d), tol, `mean(${axis}) ${shape}`);
      }
    }
  });
});

test('sum / mean along every axis (negative too) of 1-D to 4-D tensors, tails included', () => {
  sl.tidy(() => {
    for (const shape of [[5], [3, 17], [17, 3], [2, 3, 5], [4, 1, 33], [2, 3, 1, 5]]) {
      const a = rand(shape);
      const x = a.data();
      for (let axis = -shape.length; axis < shape.length; axis++) {
        const ax = axis < 0 ? axis + shape.length : axis;
        const n = shape[ax];
        const ref = sumAxisRef(x, shape, axis);
        const bound = mapRef(sumAxisRef(mapRef(x, Math.abs), shape, axis), (v) => (n + 1) * U32 * v);
        const s = a.sum(axis), m = a.mean(axis);
        assert.equal(s.shape, shape.filter((_, i) => i !== ax), `sum(${axis}) of [${shape}]: shape`);
        assertClose(s.data(), ref, { bound }, `sum(${axis}) of [${shape}]`);
        assertClose(m.data(), mapRef(ref, (v) => v / n), { bound: mapRef(bound, (v) => v / n) }, `mean(${axis}) of [${shape}]`);
      }
    }
  });
});

test('sum / mean of empty tensors: 0 and NaN, as PyTorch', () => {
  sl.tidy(() => {
    assert.is(sl.zeros([0]).sum().item(), 0);
    assert.ok(Number.isNaN(sl.zeros([0]).mean().item()));
    assert.equal(sl.zeros([3, 0]).sum(-1).toArray(), [0, 0, 0]);
    assert.equal(sl.zeros([0, 3]).sum(0).toArray(), [0, 0, 0]);
    assert.ok(sl.zeros([0, 3]).mean(0).data().every(Number.isNaN));
  });
});

test('matmul and linear: vs float64 at tails and blocks, within (k + 2)·u·|A||B|', () => {
  sl.tidy(() => {
    for (const [n, k, m] of [[1, 1, 1], [1, 17, 1], [3, 5, 7], [17, 33, 5], [64, 16, 64], [100, 100, 100], [33, 1, 100]]) {
      const a = rand([n, k]), b = rand([k, m]), w = rand([m, k]), bias = rand([m]);
      const bound = mapRef(matmulRef(mapRef(a.data(), Math.abs), mapRef(b.data(), Math.abs), n, k, m), (v) => (k + 2) * U32 * v);
      const c = sl.matmul(a, b);
      assert.equal(c.shape, [n, m]);
      assertClose(c.data(), matmulRef(a.data(), b.data(), n, k, m), { bound }, `matmul ${n}x${k}x${m}`);
      const abs = (t: sl.Tensor) => mapRef(t.data(), Math.abs);
      const tol = { bound: mapRef(linearRef(abs(a), abs(w), abs(bias), n, k, m), (v) => (k + 3) * U32 * v) };
      assertClose(sl.linear(a, w, bias).data(), linearRef(a.data(), w.data(), bias.data(), n, k, m), tol, `linear ${n}x${k}->${m}`);
      assertClose(sl.linear(a, w).data(), linearRef(a.data(), w.data(), null, n, k, m), tol, `linear no bias ${n}x${k}->${m}`);
    }
  });
});

test('matmul with 1-D operands as torch.matmul: [k]·[k, m] -> [m], [n, k]·[k] -> [n], [k]·[k] -> []', () => {
  sl.tidy(() => {
    const a = rand([5, 7]), b = rand([7, 3]), u = rand([7]), v = rand([5]);
    const ad = a.data(), bd = b.data(), ud = u.data(), vd = v.data();
    const tol = { atol: 1e-5 };
    const vb = sl.matmul(v, a);
    assert.equal(vb.shape, [7]);
    assertClose(vb.data(), matmulRef(vd, ad, 1, 5, 7), tol, '[5]·[5, 7]');
    const au = sl.matmul(a, u);
    assert.equal(au.shape, [5]);
    assertClose(au.data(), matmulRef(ad, ud, 5, 7, 1), tol, '[5, 7]·[7]');
    const uu = sl.matmul(u, u);
    assert.equal(uu.shape, []);
    assertClose([uu.item()], matmulRef(ud, ud, 1, 7, 1), tol, '[7]·[7]');
    assert.equal(sl.matmul(u, b).shape, [3]);
  });
});

test('linear over any leading dimensions as F.linear: [in] -> [out], [b, n, in] -> [b, n, out]', () => {
  sl.tidy(() => {
    const w = rand([4, 6]), bias = rand([4]);
    for (const shape of [[6], [2, 3, 6], [1, 1, 6]]) {
      const x = rand(shape);
      const y = sl.linear(x, w, bias);
      assert.equal(y.shape, [...shape.slice(0, -1), 4]);
      assertClose(y.data(), linearRef(x.data(), w.data(), bias.data(), x.size / 6, 6, 4), { atol: 1e-5 }, `linear [${shape}]`);
    }
  });
});

test('empty dimensions: matmul / linear / transpose give the right shapes, zeros and zero gradients', () => {
  sl.tidy(() => {
    assert.equal(sl.matmul(sl.ones([3, 0]), sl.ones([0, 4])).toArray(), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    assert.equal(sl.matmul(sl.ones([0, 3]), sl.ones([3, 4])).shape, [0, 4]);
    assert.equal(sl.matmul(sl.ones([2, 3]), sl.ones([3, 0])).shape, [2, 0]);
    assert.equal(sl.ones([0, 3]).transpose().shape, [3, 0]);
    const x = sl.ones([0, 5]), w = sl.ones([2, 5], { requiresGrad: true }), b = sl.ones([2], { requiresGrad: true });
    const y = sl.linear(x, w, b);
    assert.equal(y.shape, [0, 2]);
    y.sum().backward();
    assert.equal(w.grad!.toArray(), [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
    assert.equal(b.grad!.toArray(), [0, 0]);
    w.dispose();
    b.dispose();
  });
});

test('transpose: exact, shape [d, n]', () => {
  sl.tidy(() => {
    for (const [n, d] of [[1, 1], [1, 5], [3, 17], [33, 64]]) {
      const a = rand([n, d]);
      const t = a.transpose();
      assert.equal(t.shape, [d, n]);
      assertClose(t.data(), transposeRef(a.data(), n, d), {}, `transpose ${n}x${d}`);
    }
  });
});

test('reshape: same data, -1 inferred, shares storage with its source', () => {
  sl.tidy(() => {
    const a = rand([2, 3, 4]);
    const r = a.reshape([4, -1]);
    assert.equal(r.shape, [4, 6]);
    assert.equal(r.data(), a.data());
    assert.equal(a.reshape([-1]).shape, [24]);
    assert.equal(a.reshape([2, 1, -1, 3]).shape, [2, 1, 4, 3]);
    assert.equal(sl.tensor([5]).reshape([]).shape, []);
    assert.is(r.ptr, a.ptr, 'a reshape is a view, not a copy');
  });
});

test('l2Normalize: unit rows, a zero row stays zero, 3-D over the last axis', () => {
  sl.tidy(() => {
    for (const shape of [[1, 1], [3, 5], [4, 17], [2, 3, 33]]) {
      const x = rand(shape);
      const d = shape[shape.length - 1];
      assertClose(sl.l2Normalize(x).data(), l2normalizeRef(x.data(), x.size / d, d), { atol: (d + 4) * U32 }, `l2Normalize ${shape}`);
    }
    const y = sl.l2Normalize(sl.tensor([[3, 4, 0], [0, 0, 0]])).toArray();
    assertClose(y[0], [0.6, 0.8, 0], { atol: 2 * U32 }, 'l2Normalize [3, 4, 0]');
    assert.equal(y[1], [0, 0, 0]);
  });
});

test('constructors: tensor (nested, flat + shape, options), zeros, ones, full; toArray / item', () => {
  sl.tidy(() => {
    const t = sl.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.equal(t.shape, [2, 3]);
    assert.is(t.size, 6);
    assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.equal(sl.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]).toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.equal(sl.tensor([1, 2, 3, 4], [2, 2]).toArray(), [[1, 2], [3, 4]]);
    assert.ok(sl.tensor([1, 2], { requiresGrad: true }).requiresGrad);
    assert.ok(sl.tensor(new Float32Array(2), [2], { requiresGrad: true }).requiresGrad);
    const s = sl.tensor(3.5);
    assert.equal(s.shape, []);
    assert.is(s.item(), 3.5);
    assert.is(s.toArray(), 3.5);
    assert.equal(sl.zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
    assert.equal(sl.ones([3]).toArray(), [1, 1, 1]);
    assert.equal(sl.full([1, 2], -7).toArray(), [[-7, -7]]);
    assert.equal(sl.tensor([]).shape, [0]);
    assert.equal(sl.zeros([2, 0]).data(), new Float32Array(0));
    const d = t.data();
    d[0] = 99;
    assert.is(t.data()[0], 1, 'data() is a copy');
  });
});

test('randn / rand: same seed gives identical data; manualSeed resets the global stream', () => {
  sl.tidy(() => {
    assert.equal(sl.randn([5, 7], { seed: 3 }).data(), sl.randn([5, 7], { seed: 3 }).data());
    assert.equal(sl.rand([33], { seed: 3 }).data(), sl.rand([33], { seed: 3 }).data());
    assert.not.equal(sl.randn([8], { seed: 3 }).data(), sl.randn([8], { seed: 4 }).data());
    sl.manualSeed(11);
    const first = [sl.randn([9]).data(), sl.rand([4]).data()];
    const next = sl.randn([9]).data();
    assert.not.equal(next, first[0], 'the global stream advances');
    sl.manualSeed(11);
    assert.equal([sl.randn([9]).data(), sl.rand([4]).data()], first);
    const u = sl.rand([1000], { seed: 5 }).data();
    assert.ok(u.every((v) => v >= 0 && v < 1), 'rand in [0, 1)');
    const z = sl.randn([4000], { seed: 6 }).data();
    const mean = sumRef(z) / z.length, variance = sumRef(mapRef(z, (v) => (v - mean) ** 2)) / z.length;
    assert.ok(Math.abs(mean) < 0.06 && Math.abs(variance - 1) < 0.08, `randn moments ${mean} ${variance}`);
  });
});

test.run();
