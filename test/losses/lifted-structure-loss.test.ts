// LiftedStructureLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and loss
// dictionary for every fixture case, plus a gradcheck and the option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'LiftedStructureLoss', (o) => new sl.losses.LiftedStructureLoss(o), 10);

test('gradcheck on 7 samples (odd size), a singleton class, unnormalised Lp', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.LiftedStructureLoss({ negMargin: 3, distance: new sl.distances.LpDistance({ normalizeEmbeddings: false }) });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('against the pairs × pairs formula (float64, JS), with a repeated negative pair and p < a', () => {
  sl.tidy(() => {
    const x = sl.randn([5, 3], { seed: 8 });
    const e = x.data();
    const dist = (i: number, j: number) => Math.hypot(...[0, 1, 2].map((k) => e[i * 3 + k] - e[j * 3 + k]));
    const a1 = [0, 3, 1], p = [1, 0, 4], a2 = [0, 0, 1, 3, 3, 4], n = [2, 2, 3, 1, 2, 0];
    let want = 0;
    a1.forEach((a, i) => {
      let s = 0, any = false;
      a2.forEach((b, j) => {
        if (b === a || b === p[i]) (s += Math.exp(1 - dist(b, n[j])), any = true);
      });
      want += Math.max(0, (any ? Math.log(s) : 0) + dist(a, p[i])) ** 2 / 2;
    });
    want /= a1.length;
    const loss = new sl.losses.LiftedStructureLoss({ distance: new sl.distances.LpDistance({ normalizeEmbeddings: false }) });
    const got = loss.forward(x, null, [a1, p, a2, n].map((c) => Int32Array.from(c)) as any).item();
    assert.ok(Math.abs(got - want) <= 1e-5 * Math.abs(want), `${got} vs ${want}`);
  });
});

test('unknown option: an error naming the nearest', () => {
  assert.throws(() => new sl.losses.LiftedStructureLoss({ negMargn: 1 } as any), /unknown option 'negMargn'; did you mean 'negMargin'/);
});

test.run();
