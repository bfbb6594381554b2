// TupletMarginLoss against PML 2.8.1 (test/fixtures/pml/losses.jsonl): value, gradients and
// loss dictionary for every fixture case, a gradcheck, duplicated miner pairs counted twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { pmlLossTests } from '../helpers/pml-loss';
import { gradcheck } from '../helpers/gradcheck';

await sl.init();

pmlLossTests(test, 'TupletMarginLoss', (o) => new sl.losses.TupletMarginLoss(o), 9);

test('gradcheck on 7 samples (odd size), scale 4, a singleton class', () => {
  const x = sl.randn([7, 5], { seed: 3 });
  const loss = new sl.losses.TupletMarginLoss({ scale: 4, margin: 20 });
  gradcheck((e) => sl.reshape(loss.forward(e, [0, 1, 0, 2, 1, 0, 3]), [1]), [x], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('a negative pair given twice counts twice, as in PML\'s pairs × pairs matrix', () => {
  sl.tidy(() => {
    const x = sl.randn([4, 3], { seed: 5 });
    const e = x.data();
    const cos = (i: number, j: number) => {
      let d = 0, ni = 0, nj = 0;
      for (let k = 0; k < 3; k++) (d += e[i * 3 + k] * e[j * 3 + k], ni += e[i * 3 + k] ** 2, nj += e[j * 3 + k] ** 2);
      return d / Math.sqrt(ni * nj);
    };
    const m = (5.73 * Math.PI) / 180, s = 64;
    const pos = Math.cos(Math.acos(cos(0, 1)) - m);
    const want = Math.log(1 + 2 * Math.exp(s * (cos(0, 2) - pos)) + Math.exp(s * (cos(0, 3) - pos)));
    const tuples = [Int32Array.of(0), Int32Array.of(1), Int32Array.of(0, 0, 0), Int32Array.of(2, 2, 3)] as const;
    const got = new sl.losses.TupletMarginLoss().forward(x, null, tuples).item();
    assert.ok(Math.abs(got - want) <= 1e-4 * Math.abs(want), `${got} vs ${want}`);
  });
});

test('options: only CosineSimilarity; unknown keys are errors', () => {
  assert.throws(() => new sl.losses.TupletMarginLoss({ distance: new sl.distances.LpDistance() }), /TupletMarginLoss: distance must be a CosineSimilarity/);
  assert.throws(() => new sl.losses.TupletMarginLoss({ scal: 1 } as any), /unknown option 'scal'; did you mean 'scale'/);
});

test.run();
