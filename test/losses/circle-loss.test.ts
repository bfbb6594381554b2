// CircleLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every fixture case, plus a gradcheck and the option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';

await sl.init();

pmlLossTests(test, 'CircleLoss', (o) => new sl.losses.CircleLoss(o), 10);

// PML takes the weights [1 + m − s_p]₊ and [s_n + m]₊ without gradient, so the check is against
// finite differences (float64, JS) of the loss with the weights frozen at the point.
test('gradient = finite differences with the weights frozen (7 samples, gamma 4, a singleton class)', () => {
  sl.tidy(() => {
    const [n, d, m, gamma] = [7, 5, 0.4, 4];
    const labels = [0, 1, 0, 2, 1, 0, 3];
    const x = sl.randn([n, d], { seed: 3, requiresGrad: true });
    new sl.losses.CircleLoss({ gamma }).forward(x, labels).backward();
    const analytic = x.grad!.data();
    const base = Array.from(x.data());
    const cos = (e: number[]) => {
      const norm = (i: number) => Math.hypot(...e.slice(i * d, i * d + d));
      return (i: number, j: number) => e.slice(i * d, i * d + d).reduce((t, v, k) => t + v * e[j * d + k], 0) / (norm(i) * norm(j));
    };
    const s0 = cos(base);
    const lse = (v: number[]) => (v.length ? Math.max(...v) + Math.log(v.reduce((t, y) => t + Math.exp(y - Math.max(...v)), 0)) : 0);
    const loss = (e: number[]) => {
      const s = cos(e);
      const terms: number[] = [];
      for (let i = 0; i < n; i++) {
        const pos: number[] = [], neg: number[] = [];
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          if (labels[j] === labels[i]) pos.push(-gamma * Math.max(0, 1 + m - s0(i, j)) * (s(i, j) - (1 - m)));
          else neg.push(gamma * Math.max(0, s0(i, j) + m) * (s(i, j) - m));
        }
        if (pos.length && neg.length) terms.push(Math.log1p(Math.exp(lse(pos) + lse(neg))));
      }
      return terms.reduce((t, v) => t + v, 0) / terms.length;
    };
    const h = 1e-6;
    for (let k = 0; k < base.length; k++) {
      const up = base.slice(), down = base.slice();
      up[k] += h;
      down[k] -= h;
      const numeric = (loss(up) - loss(down)) / (2 * h);
      assert.ok(Math.abs(analytic[k] - numeric) <= 1e-3 + 1e-3 * Math.abs(numeric), `element ${k}: ${analytic[k]} vs ${numeric}`);
    }
  });
});

test('options: CosineSimilarity only; unknown keys are errors', () => {
  assert.throws(() => new sl.losses.CircleLoss({ distance: new sl.distances.LpDistance() }), /CircleLoss: distance must be a CosineSimilarity/);
  assert.throws(() => new sl.losses.CircleLoss({ margin: 0.4 } as any), /unknown option 'margin'/);
});

test.run();
