// ProxyAnchorLoss, ProxyNCALoss and SoftTripleLoss against PML 2.8.1
// (test/fixtures/pml/losses_weighted.jsonl: value, gradients to the embeddings and to the
// proxies / fc, loss dictionary, getLogits), finite-difference gradchecks, PML's
// initialisations (seeded), the module API and option checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { gradcheck } from '../helpers/gradcheck';
import { pmlWeightedLossTests } from '../helpers/pml-weighted-loss';

await sl.init();

pmlWeightedLossTests(test, 'ProxyAnchorLoss', (o) => new sl.losses.ProxyAnchorLoss(o as any), 11);
pmlWeightedLossTests(test, 'ProxyNCALoss', (o) => new sl.losses.ProxyNCALoss(o as any), 9);
pmlWeightedLossTests(test, 'SoftTripleLoss', (o) => new sl.losses.SoftTripleLoss(o as any), 12);

const labels = [0, 1, 0, 2, 1, 0, 3];
const moments = (w: Float32Array): [number, number] => {
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  return [mean, w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length];
};

test('ProxyAnchorLoss: gradcheck to the embeddings and the proxies (alpha 4)', () => {
  sl.manualSeed(2);
  const loss = new sl.losses.ProxyAnchorLoss({ numClasses: 5, embeddingSize: 3, alpha: 4, reducer: new sl.reducers.SumReducer() });
  const x = sl.randn([7, 3], { seed: 4 });
  gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x, loss.proxies], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('ProxyNCALoss: gradcheck to the embeddings and the proxies', () => {
  sl.manualSeed(3);
  const loss = new sl.losses.ProxyNCALoss({ numClasses: 5, embeddingSize: 3, softmaxScale: 0.5 });
  const x = sl.randn([7, 3], { seed: 5 });
  gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x, loss.proxies], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test('SoftTripleLoss: gradcheck to the embeddings and fc (la 2, 3 centres)', () => {
  sl.manualSeed(4);
  const loss = new sl.losses.SoftTripleLoss({ numClasses: 5, embeddingSize: 3, centersPerClass: 3, la: 2 });
  const x = sl.randn([7, 3], { seed: 6 });
  gradcheck((e) => sl.reshape(loss.forward(e, labels), [1]), [x, loss.fc], { eps: 1e-3, atol: 2e-3, rtol: 2e-2 });
  x.dispose();
});

test("PML's initialisations: proxies N(0,1) (ProxyNCA), kaiming normal fan_out (ProxyAnchor), kaiming uniform a=√5 (SoftTriple); seeded", () => {
  sl.manualSeed(8);
  const nca = new sl.losses.ProxyNCALoss({ numClasses: 40, embeddingSize: 50 });
  const [m1, v1] = moments(nca.proxies.data());
  assert.ok(Math.abs(m1) < 0.05 && Math.abs(v1 - 1) < 0.08, `ProxyNCA ${m1} ${v1}`);
  const anchor = new sl.losses.ProxyAnchorLoss({ numClasses: 40, embeddingSize: 50 });
  const [m2, v2] = moments(anchor.proxies.data());
  assert.ok(Math.abs(m2) < 0.02 && Math.abs(v2 / (2 / 40) - 1) < 0.08, `ProxyAnchor ${m2} ${v2}`);
  const st = new sl.losses.SoftTripleLoss({ numClasses: 20, embeddingSize: 50, centersPerClass: 4 });
  const w = st.fc.data();
  const bound = 1 / Math.sqrt(80);
  assert.ok(w.every((v) => Math.abs(v) <= bound), 'inside the bound');
  assert.ok(Math.abs(moments(w)[1] / (bound * bound / 3) - 1) < 0.08, 'variance of U(-b, b)');
  sl.manualSeed(8);
  assert.equal(Array.from(new sl.losses.ProxyNCALoss({ numClasses: 40, embeddingSize: 50 }).proxies.data()), Array.from(nca.proxies.data()));
});

test('bad input: options, labels, sizes, distance', () => {
  assert.throws(() => new sl.losses.ProxyAnchorLoss({ numClasses: 3, embeddingSize: 2, alhpa: 3 } as any), /unknown option 'alhpa'; did you mean 'alpha'/);
  assert.throws(() => new sl.losses.SoftTripleLoss({ numClasses: 3, embeddingSize: 2, distance: new sl.distances.LpDistance() }), /SoftTripleLoss: distance must be a similarity/);
  assert.throws(() => new sl.losses.ProxyNCALoss({ embeddingSize: 2 } as any), /ProxyNCALoss: missing required option 'numClasses'/);
  const loss = new sl.losses.ProxyNCALoss({ numClasses: 3, embeddingSize: 2 });
  assert.throws(() => loss.forward(sl.randn([3, 2], { seed: 1 }), [0, 5, 1]), /ProxyNCALoss: labels must lie in \[0, 3\)/);
  assert.throws(() => loss.loadStateDict({ proxies: sl.randn([2, 3], { seed: 1 }) }), /proxies is \[2, 3\] but this loss has proxies \[3, 2\]/);
});

test.run();
