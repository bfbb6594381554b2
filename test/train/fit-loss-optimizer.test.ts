// fit with lossOptimizer: a classification loss's own weights (NormalizedSoftmaxLoss's W)
// are trained by their own optimiser, stepped with the model's; on a tiny synthetic problem
// (hidden clusters) the weights move and held-out accuracy (argmax of getLogits) and
// precision@1 rise from chance; without lossOptimizer W stays where it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { hiddenClusters } from '../helpers/synthetic';

await sl.init();

const N = 200, DIM = 17, CLASSES = 5;
const train = hiddenClusters(N, CLASSES, DIM, 1);
const heldOut = hiddenClusters(N, CLASSES, DIM, 2);

function setup(seed: number) {
  sl.manualSeed(seed);
  const model = new sl.nn.Sequential(new sl.nn.Linear(DIM, 16), new sl.nn.ReLU(), new sl.nn.Linear(16, 8));
  const loss = new sl.losses.NormalizedSoftmaxLoss({ numClasses: CLASSES, embeddingSize: 8, temperature: 0.1 });
  const optimizer = new sl.optim.Adam(model.parameters(), { lr: 0.01 });
  const sampler = new sl.data.MPerClassSampler(train.labels, 8, 40, { seed, lengthBeforeNewIter: 40 * 20 });
  return { model, loss, optimizer, sampler };
}

function heldOutScores(model: sl.nn.Module, loss: sl.losses.NormalizedSoftmaxLoss): { accuracy: number; p1: number } {
  return sl.tidy(() =>
    sl.noGrad(() => {
      const emb = model.forward(sl.tensor(heldOut.x, [N, DIM]));
      const logits = loss.getLogits(emb).data();
      let right = 0;
      for (let i = 0; i < N; i++) {
        const row = logits.subarray(i * CLASSES, (i + 1) * CLASSES);
        if (row.indexOf(Math.max(...row)) === heldOut.labels[i]) right++;
      }
      return { accuracy: right / N, p1: sl.metrics.retrieval(emb, heldOut.labels).precisionAt1 };
    }),
  );
}

test('fit with lossOptimizer: W moves; held-out accuracy by getLogits and precision@1 rise from chance', async () => {
  const { model, loss, optimizer, sampler } = setup(3);
  const lossOptimizer = new sl.optim.Adam(loss.parameters(), { lr: 0.01 });
  const w0 = loss.W.data();
  const before = heldOutScores(model, loss);
  const h = await sl.train.fit({ model, loss, optimizer, lossOptimizer, data: { dataset: train, sampler }, epochs: 6, progress: false });
  const after = heldOutScores(model, loss);
  const moved = loss.W.data().reduce((m, v, i) => Math.max(m, Math.abs(v - w0[i])), 0);
  assert.ok(moved > 0.05, `W moved by ${moved}`);
  assert.ok(before.accuracy < 0.45, `untrained held-out accuracy near chance 0.2 (${before.accuracy})`);
  assert.ok(after.accuracy > 0.9, `trained held-out accuracy ${after.accuracy}`);
  assert.ok(after.p1 > 0.9 && after.p1 > before.p1, `held-out precision@1 ${before.p1} → ${after.p1}`);
  assert.ok(h.loss[h.loss.length - 1] < h.loss[0], 'the loss fell');
  assert.ok(loss.W.grad === null || loss.W.grad.data().every((v) => v === 0), 'fit leaves the loss gradients zeroed');
  model.dispose();
  optimizer.dispose();
  lossOptimizer.dispose();
});

test('fit without lossOptimizer leaves the loss weights where they were', async () => {
  const { model, loss, optimizer, sampler } = setup(3);
  const w0 = Array.from(loss.W.data());
  await sl.train.fit({ model, loss, optimizer, data: { dataset: train, sampler }, epochs: 1, progress: false });
  assert.equal(Array.from(loss.W.data()), w0);
  model.dispose();
  optimizer.dispose();
});

test('fit: a lossOptimizer without step() is a clear error', async () => {
  const { model, loss, optimizer, sampler } = setup(3);
  try {
    await sl.train.fit({ model, loss, optimizer, lossOptimizer: {} as any, data: { dataset: train, sampler }, progress: false });
    assert.unreachable('fit should throw');
  } catch (e) {
    assert.match(String(e), /fit: lossOptimizer must have zeroGrad\(\) and step\(\)/);
  }
  model.dispose();
  optimizer.dispose();
});

test.run();
