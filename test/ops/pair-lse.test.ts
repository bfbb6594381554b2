// The two-sided masked log-sum-exp rows of GeneralizedLiftedStructureLoss and CircleLoss
// (pairLseLosses, f32_pair_lse_fwd/_bwd on f32x4 lanes): values and gradients against the
// float64 reference on odd sizes around the 4-lane tile, with the columns from u8 masks and
// from labels (against themselves and against a reference set), rows with an empty side,
// wide logits (γ 80, 256; margins), the gradient accumulated into a second use, and a
// finite-difference gradcheck of the lifted kind.
import { test } from 'uvu';
import * as sl from '../../src/index';
import { untracked } from '../../src/autograd/tensor';
import { pairLseLosses, type PairColumns, type PairLseSide } from '../../src/ops/loss';
import { Rng } from '../../src/random';
import { getEngine } from '../../src/wasm/instance';
import { assertClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';
import { pairLseRef } from '../ref/loss';

await sl.init();
const rng = new Rng(11);

/** A u8 mask tensor [n·m bytes] from 0/1 numbers. */
function byteMask(bits: number[]): sl.Tensor {
  const t = untracked([Math.ceil(bits.length / 4) || 1]);
  new Uint8Array(getEngine().k.memory.buffer, t.ptr, bits.length).set(bits);
  return t;
}

/** The columns of each form: random masks (row 0 without positives, row 1 without negatives), labels against themselves (n = m), labels against others. */
function columns(form: 'masks' | 'self' | 'ref', n: number, m: number): { pos: number[]; neg: number[]; cols: PairColumns; free: () => void } {
  if (form === 'masks') {
    const [pos, neg] = masks(n, m);
    const [pm, nm] = [byteMask(pos), byteMask(neg)];
    return { pos, neg, cols: { pos: pm, neg: nm }, free: () => (pm.dispose(), nm.dispose()) };
  }
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * 3));
  const ref = form === 'self' ? labels : Int32Array.from({ length: m }, () => Math.floor(rng.uniform() * 3));
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) (pos.push(labels[i] === ref[j] && !(form === 'self' && i === j) ? 1 : 0), neg.push(labels[i] !== ref[j] ? 1 : 0));
  return { pos, neg, cols: { labels, refLabels: form === 'self' ? null : ref }, free: () => {} };
}

/** Disjoint random positive / negative masks; row 0 has no positive, row 1 (if any) no negative. */
function masks(n: number, m: number): [number[], number[]] {
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const r = rng.uniform();
      pos.push(i !== 0 && r < 0.3 ? 1 : 0);
      neg.push(i !== 1 && r >= 0.3 && r < 0.85 ? 1 : 0);
    }
  }
  return [pos, neg];
}

const KINDS: [('lifted' | 'circle'), PairLseSide, PairLseSide, number][] = [
  ['lifted', { a: 1, b: 0 }, { a: -1, b: 1 }, 2],
  ['lifted', { a: -1, b: 0.3 }, { a: 1, b: 0.8 }, 1],
  ['lifted', { a: 1, b: 0 }, { a: -1, b: 1 }, 60],
  ['circle', { a: -80, b: 0.6, o: 1.4 }, { a: 80, b: 0.4, o: -0.4 }, 1],
  ['circle', { a: -256, b: 0.75, o: 1.25 }, { a: 256, b: 0.25, o: -0.25 }, 1],
];

test('pairLseLosses: values and gradients vs float64 on odd sizes, empty sides, accumulated gradient', () => {
  for (const [kind, ps, ns, spread] of KINDS) {
    for (const n of [1, 3, 5, 17, 33]) {
      for (const [m, form] of [1, 3, 5, 17, 33].flatMap((m) => (['masks', 'ref', 'self'] as const).filter((f) => f !== 'self' || m === n).map((f) => [m, f] as const))) {
        sl.tidy(() => {
          const s = Float32Array.from({ length: n * m }, () => (rng.uniform() * 2 - 1) * spread);
          const { pos, neg, cols, free } = columns(form, n, m);
          const g = Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
          const mat = sl.tensor(s, [n, m], { requiresGrad: true });
          const out = pairLseLosses(kind, mat, cols, ps, ns);
          free();
          // a second use of mat, so the kernel's gradient is accumulated onto another
          sl.add(sl.sum(sl.mul(out, sl.tensor(g, [n]))), sl.sum(sl.mul(mat, 0.5))).backward();
          const ref = pairLseRef(kind, s, pos, neg, n, m, ps, ns);
          const what = `${kind} a ${ps.a}, spread ${spread}, [${n}, ${m}], ${form}`;
          assertClose(out.data(), ref.out, { rtol: 2e-6, atol: 2e-6 * Math.max(1, Math.abs(ps.a) * spread) }, `${what}: value`);
          const want = ref.grad.map((v, i) => v * g[Math.floor(i / m)] + 0.5);
          // float32 logits of size |a|·spread carry an absolute error of a few of their ulps into
          // e^(x − lse) (as in PML's float32 ops)
          const scale = Math.max(10, Math.abs(ps.a) * spread);
          assertClose(mat.grad!.data(), want, { rtol: 1.5e-6 * scale, atol: 2e-7 * scale }, `${what}: gradient`);
        });
      }
    }
  }
});

// (circle's weights are constants of the gradient, as PML detaches them, so finite differences
// would see their derivative: circle is checked against the float64 reference above only)
test('pairLseLosses: finite-difference gradcheck (lifted, odd sizes)', () => {
  for (const [kind, ps, ns] of [KINDS[0], KINDS[1]]) {
    for (const [n, m, form] of [[3, 5, 'masks'], [5, 3, 'ref'], [1, 7, 'masks'], [5, 5, 'self']] as const) {
      const { cols, free } = columns(form, n, m);
      const x = sl.tensor(Float32Array.from({ length: n * m }, () => rng.uniform() * 1.6 - 0.8), [n, m]);
      gradcheck((t) => pairLseLosses(kind, t, cols, ps, ns), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
      free();
      x.dispose();
    }
  }
});

test.run();
