// Softmax cross-entropy rows as one op (f32_softmax_xent_fwd/bwd): per-sample losses and
// gradients against a float64 reference on class counts around the 4-lane tile, with a logit
// scale (InstanceLoss's γ) and without, gradients accumulated when the logits are used twice,
// a −∞ logit, and a gradcheck. The batch-against-itself form (selfCrossEntropyLosses,
// f32_softmax_xent_fwd_sym) against float64 on odd batch sizes around its 16×16 tiles.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { Rng } from '../../src/random';
import { assertClose } from '../helpers/close';
import { gradcheck } from '../helpers/gradcheck';
import { selfCrossEntropyLosses } from '../../src/ops/cross-entropy';

await sl.init();
const rng = new Rng(21);

/** float64 losses and ∂(Σ w_i·loss_i)/∂z of scale·z rows against targets. */
function xentRef(z: ArrayLike<number>, n: number, c: number, t: number[], scale: number, w: number[]): { loss: number[]; grad: number[] } {
  const loss: number[] = [], grad = new Array(n * c).fill(0);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: c }, (_, j) => scale * z[i * c + j]);
    const top = Math.max(...row);
    const lse = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
    loss.push(lse - row[t[i]]);
    for (let j = 0; j < c; j++) grad[i * c + j] = w[i] * scale * (Math.exp(row[j] - lse) - (j === t[i] ? 1 : 0));
  }
  return { loss, grad };
}

test('crossEntropyLosses: values and gradients vs float64, odd class counts, scale 1 and 64, accumulation', () => {
  for (const c of [1, 3, 4, 5, 8, 17, 33]) {
    for (const scale of [1, 64]) {
      sl.tidy(() => {
        const n = 5;
        const zs = Float32Array.from({ length: n * c }, () => (rng.uniform() * 2 - 1) * (scale === 1 ? 6 : 1));
        const t = Array.from({ length: n }, () => Math.floor(rng.uniform() * c));
        const w = Array.from({ length: n }, () => rng.uniform() * 2 - 1);
        const z = sl.tensor(zs, [n, c], { requiresGrad: true });
        const loss = sl.crossEntropyLosses(z, t, 'test', scale);
        // used twice: the second backward call accumulates into the same gradient
        sl.add(sl.sum(sl.mul(loss, sl.tensor(w, [n]))), sl.mul(sl.sum(sl.crossEntropyLosses(z, t, 'test', scale)), 0)).backward();
        const ref = xentRef(zs, n, c, t, scale, w);
        assertClose(loss.data(), ref.loss, { rtol: 1e-5, atol: 1e-5 }, `c ${c} scale ${scale}: losses`);
        // the float32 logsumexp of logits near 64 carries an error of ulp(64)/2 ≈ 4e-6, times scale in the gradient
        assertClose(z.grad!.data(), ref.grad, { rtol: 1e-4, atol: 1e-5 * scale }, `c ${c} scale ${scale}: gradient`);
      });
    }
  }
});

test('crossEntropyLosses: a −∞ logit takes no mass; bad targets are errors; gradcheck with a scale', () => {
  sl.tidy(() => {
    const z = sl.tensor([0, -Infinity, 1, 2, 0, 0, 0, 0, 0], [1, 9]);
    const ref = xentRef([0, -1e300, 1, 2, 0, 0, 0, 0, 0], 1, 9, [3], 1, [1]);
    assertClose(sl.crossEntropyLosses(z, [3]).data(), ref.loss, { rtol: 1e-6 }, '-inf logit');
    assert.throws(() => sl.crossEntropyLosses(z, [9]), /labels\[0\] is 9, outside \[0, 9\)/);
  });
  gradcheck((x) => sl.crossEntropyLosses(x, [2, 0, 4], 'test', 3), [sl.randn([3, 5], { seed: 4 })], { eps: 1e-3 });
});

/** selfCrossEntropyLosses(x, t, scale) used twice (accumulation) vs float64 losses and gradient to x. */
function checkSelf(xs: Float32Array, n: number, d: number, scale: number, what: string): void {
  sl.tidy(() => {
    const t = Array.from({ length: n }, () => Math.floor(rng.uniform() * n));
    const w = Array.from({ length: n }, () => rng.uniform() * 2 - 1);
    const z = Array.from({ length: n * n }, (_, k) => {
      const i = Math.floor(k / n), j = k % n;
      let s = 0;
      for (let c = 0; c < d; c++) s += xs[i * d + c] * xs[j * d + c];
      return s;
    });
    const ref = xentRef(z, n, n, t, scale, w);
    // ∂/∂x_k = Σ_j (G[k, j] + G[j, k])·x_j, G = ∂/∂z
    const grad = Array.from({ length: n * d }, (_, q) => {
      const k = Math.floor(q / d), c = q % d;
      let s = 0;
      for (let j = 0; j < n; j++) s += (ref.grad[k * n + j] + ref.grad[j * n + k]) * xs[j * d + c];
      return 2 * s;
    });
    const x = sl.tensor(xs, [n, d], { requiresGrad: true });
    const loss = selfCrossEntropyLosses(x, Int32Array.from(t), scale);
    // used twice: the second backward call accumulates into the same gradient
    const wt = sl.tensor(w, [n]);
    sl.add(sl.sum(sl.mul(loss, wt)), sl.sum(sl.mul(selfCrossEntropyLosses(x, Int32Array.from(t), scale), wt))).backward();
    assertClose(loss.data(), ref.loss, { rtol: 1e-5, atol: 1e-5 * scale }, `${what} n ${n} scale ${scale}: losses`);
    assertClose(x.grad!.data(), grad, { rtol: 1e-4, atol: 1e-5 * scale }, `${what} n ${n} scale ${scale}: gradient`);
  });
}

test('selfCrossEntropyLosses: losses of scale·x·xᵀ rows and the gradient to x vs float64, odd sizes around the 16-row tiles, accumulation', () => {
  const d = 7;
  // rows of norm ≤ 1: with scale 64 the row maxima spread over more than 16, so that rows
  // take both f32_softmax_xent_fwd_sym's shared shift and its own-shift redo
  for (const n of [1, 3, 5, 17, 33, 257])
    for (const scale of [1, 64]) checkSelf(Float32Array.from({ length: n * d }, () => (rng.uniform() * 2 - 1) / Math.sqrt(d)), n, d, scale, 'norm ≤ 1');
  gradcheck((x) => selfCrossEntropyLosses(x, Int32Array.of(2, 0, 4, 1, 1), 3), [sl.randn([5, 3], { seed: 6 })], { eps: 1e-3 });
});

test('selfCrossEntropyLosses: unit rows (InstanceLoss) with zero rows and identical rows, scale up to 400 (terms far below each row maximum)', () => {
  const d = 5;
  for (const n of [1, 3, 5, 17, 33]) {
    for (const scale of [1, 64, 400]) {
      const xs = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const v = Array.from({ length: d }, () => rng.uniform() * 2 - 1);
        const r = Math.hypot(...v);
        v.forEach((u, c) => (xs[i * d + c] = u / r));
      }
      if (n > 1) xs.fill(0, d, 2 * d); // a zero row: its maximum 0, far below the others'
      if (n > 4) xs.copyWithin(4 * d, 0, d); // rows 0 and 4 identical
      checkSelf(xs, n, d, scale, 'unit rows');
    }
  }
});

test.run();
