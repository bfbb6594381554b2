import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { hiddenClusters } from '../helpers/synthetic';

await sl.init();

/** An embedder that passes x through: Linear with the identity weight and no bias. */
function identity(d: number) {
  const lin = new sl.nn.Linear(d, d, { bias: false });
  const eye = new Float32Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  lin.loadStateDict({ weight: sl.tensor(eye, [d, d]) });
  return lin;
}

test('Siamese.isMatch: distance ≤ threshold, hand-worked; similarity ≥ threshold when inverted', () => {
  const model = new sl.models.Siamese(identity(2), new sl.distances.LpDistance({ normalizeEmbeddings: false }));
  const a = sl.tensor([[0, 0], [0, 0], [1, 1], [3, 0]]);
  const b = sl.tensor([[3, 4], [0, 1], [1, 1], [0, 0]]); // distances 5, 1, 0, 3
  assert.throws(() => model.isMatch(a, b), /Siamese.isMatch: no threshold set/);
  model.threshold = 3;
  assert.equal(model.isMatch(a, b), [false, true, true, true]);
  const cos = new sl.models.Siamese(identity(2), new sl.distances.CosineSimilarity());
  cos.threshold = 0.5; // similarities: (1,0)·(1,1) → 0.707, (1,0)·(0,1) → 0
  assert.equal(cos.isMatch(sl.tensor([[1, 0], [1, 0]]), sl.tensor([[1, 1], [0, 1]])), [true, false]);
});

test('Siamese trained on (x1, x2, same) pairs with ContrastiveLoss.pairs: calibrated threshold reproduces verification accuracy', async () => {
  const N = 200, D = 17;
  const ds = hiddenClusters(N, 5, D, 2);
  sl.manualSeed(7);
  const embedder = new sl.nn.Sequential(new sl.nn.Linear(D, 33), new sl.nn.ReLU(), new sl.nn.Linear(33, 8), new sl.nn.L2Normalize());
  const model = new sl.models.Siamese(embedder, new sl.distances.LpDistance());
  const loss = new sl.losses.ContrastiveLoss({ posMargin: 0, negMargin: 1 });
  const optimizer = new sl.optim.Adam(model.parameters(), { lr: 0.01 });
  const rows = (idx: Int32Array) => sl.data.gather(ds, idx).x;
  const batches = Array.from({ length: 40 }, (_, i) => sl.data.makePairs(ds.labels, 64, { seed: 100 + i }));
  const h = await sl.train.fit({
    model: embedder, optimizer, data: batches, epochs: 3, progress: false,
    step: (p: sl.data.Pairs) => loss.pairs(embedder.forward(rows(p.a)), embedder.forward(rows(p.b)), p.same),
  });
  assert.is(h.steps, 120);
  assert.ok(h.loss[119] < h.loss[0], `loss falls ${h.loss[0]} → ${h.loss[119]}`);
  const heldOut = sl.data.makePairs(ds.labels, 301, { seed: 9 });
  const xa = rows(heldOut.a), xb = rows(heldOut.b);
  const v = sl.metrics.verification(sl.noGrad(() => model.forward(xa, xb)), heldOut.same);
  assert.ok(v.rocAuc > 0.95, `ROC-AUC ${v.rocAuc}`);
  model.threshold = v.threshold;
  const calls = model.isMatch(xa, xb);
  const acc = calls.reduce((s, c, i) => s + (+c === heldOut.same[i] ? 1 : 0), 0) / calls.length;
  assert.is(acc, v.accuracy);
});

test('fit with BatchHardMiner + TripletMarginLoss on hidden clusters: precision@1 from chance to > 0.9', async () => {
  const N = 200, D = 17;
  const ds = hiddenClusters(N, 5, D, 1);
  sl.manualSeed(3);
  const model = new sl.nn.Sequential(new sl.nn.Linear(D, 33), new sl.nn.ReLU(), new sl.nn.Linear(33, 8), new sl.nn.L2Normalize());
  const p1 = () => sl.tidy(() => sl.metrics.retrieval(sl.noGrad(() => model.forward(sl.tensor(ds.x, [N, D]))), ds.labels).precisionAt1);
  const before = p1();
  const loss = new sl.losses.TripletMarginLoss({ margin: 0.2 });
  const sampler = new sl.data.MPerClassSampler(ds.labels, 8, 40, { seed: 3, lengthBeforeNewIter: 40 * 25 });
  const h = await sl.train.fit({
    model, loss, miner: new sl.miners.BatchHardMiner(), optimizer: new sl.optim.Adam(model.parameters(), { lr: 0.01 }),
    data: { dataset: ds, sampler }, epochs: 2, progress: false,
  });
  const after = p1();
  assert.ok(before < 0.4, `untrained ${before}`);
  assert.ok(after > 0.9, `trained ${after}`);
  assert.is(h.active.length, 50);
  assert.ok(h.active.every((a) => a >= 0 && a <= 40), 'active triplets counted per anchor of the batch');
});

test.run();
