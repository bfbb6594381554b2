import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sl from '../../src/index';
import { hiddenClusters } from '../helpers/synthetic';

await sl.init();

/**
 * A loss from plain ops (independent of sl.losses): on unit embeddings, pull every positive
 * pair's cosine similarity to 1 and push negatives below 0.1. lastStats counts active negatives.
 */
class CosinePairLoss {
  lastStats = { active: 0, total: 0 };
  forward(e: sl.Tensor, labels: ArrayLike<number>): sl.Tensor {
    const n = e.shape[0];
    const P = new Float32Array(n * n), N = new Float32Array(n * n);
    let np = 0, nn = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i === j) continue;
      if (labels[i] === labels[j]) { P[i * n + j] = 1; np++; } else { N[i * n + j] = 1; nn++; }
    }
    const S = sl.matmul(e, e.transpose());
    const pos = S.mul(-1).add(1).mul(sl.tensor(P, [n, n])).sum().mul(1 / np);
    const neg = S.sub(0.1).relu().mul(sl.tensor(N, [n, n]));
    this.lastStats = { active: neg.data().reduce((c, v) => c + (v > 0 ? 1 : 0), 0), total: nn };
    return pos.add(neg.sum().mul(1 / nn));
  }
}

const N = 200, DIM = 17;
const ds = hiddenClusters(N, 5, DIM, 1);

function setup(seed: number) {
  sl.manualSeed(seed);
  const model = new sl.nn.Sequential(new sl.nn.Linear(DIM, 33), new sl.nn.ReLU(), new sl.nn.Linear(33, 8), new sl.nn.L2Normalize());
  const optimizer = new sl.optim.Adam(model.parameters(), { lr: 0.01 });
  const sampler = new sl.data.MPerClassSampler(ds.labels, 8, 40, { seed, lengthBeforeNewIter: 40 * 20 });
  return { model, optimizer, sampler };
}

const p1 = (model: sl.nn.Module) =>
  sl.tidy(() => sl.metrics.retrieval(sl.noGrad(() => model.forward(sl.tensor(ds.x, [N, DIM]))), ds.labels).precisionAt1);

test('fit: seeded run on hidden clusters lifts precision@1 from chance to > 0.9, deterministically', async () => {
  const raw = sl.tidy(() => sl.metrics.retrieval(sl.tensor(ds.x, [N, DIM]), ds.labels).precisionAt1);
  const runs = [];
  for (let r = 0; r < 2; r++) {
    const { model, optimizer, sampler } = setup(3);
    const before = p1(model);
    const h = await sl.train.fit({ model, loss: new CosinePairLoss(), optimizer, data: { dataset: ds, sampler }, epochs: 3, progress: false });
    runs.push({ before, after: p1(model), h });
    model.dispose();
    optimizer.dispose();
  }
  const [a, b] = runs;
  assert.ok(raw < 0.6, `raw features retrieve poorly (${raw})`);
  assert.ok(a.before < 0.4, `untrained embedding near chance 0.2 (${a.before})`);
  assert.ok(a.after > 0.9, `trained precision@1 ${a.after}`);
  assert.is(a.h.steps, 60);
  assert.is(a.h.loss.length, 60);
  assert.is(a.h.active.length, 60);
  assert.ok(a.h.loss[59] < a.h.loss[0] / 3, `loss falls (${a.h.loss[0]} → ${a.h.loss[59]})`);
  assert.ok(a.h.msPerStep > 0);
  assert.equal(b.h.loss, a.h.loss, 'same seeds, same losses');
  assert.is(b.after, a.after);
});

test('fit: memory is flat across steps; onStep can stop; timers run during training', async () => {
  const { model, optimizer, sampler } = setup(4);
  const live: number[] = [];
  let timerFired = 0;
  const timer = setInterval(() => timerFired++, 1);
  const h = await sl.train.fit({
    model, loss: new CosinePairLoss(), optimizer, data: { dataset: ds, sampler }, epochs: 5, progress: false,
    onStep: async (info) => {
      live.push(sl.engineInfo().liveBytes);
      // Give the timer a chance even on a fast machine (fit yields every ~50 ms on its own).
      if (info.step % 20 === 0) await new Promise((r) => setTimeout(r, 2));
      return info.step < 45;
    },
  });
  clearInterval(timer);
  assert.is(h.steps, 45);
  assert.is(live[44], live[4], `live bytes after step 5 (${live[4]}) and 45 (${live[44]})`);
  assert.ok(timerFired > 0, 'the event loop ran during fit');
  model.dispose();
  optimizer.dispose();
});

test('fit: plain batches as an array, with Float32Array inputs; tensors it did not make survive', async () => {
  const { model, optimizer } = setup(5);
  const xs = sl.tensor(ds.x.subarray(0, 40 * DIM), [40, DIM]);
  const data = [
    { x: xs, labels: ds.labels.subarray(0, 40) },
    { x: ds.x.slice(40 * DIM, 80 * DIM), shape: [40, DIM], labels: ds.labels.subarray(40, 80) },
  ];
  const h = await sl.train.fit({ model, loss: new CosinePairLoss(), optimizer, data, epochs: 2, progress: false });
  assert.is(h.steps, 4);
  assert.not.ok(xs.isDisposed);
  // The custom step form (e.g. Siamese pairs): here the same loss, computed by hand.
  const h2 = await sl.train.fit({
    model, optimizer, data: [0, 1, 2], progress: false,
    step: (i: number) => new CosinePairLoss().forward(model.forward(sl.tensor(ds.x.subarray(i * 40 * DIM, (i + 1) * 40 * DIM), [40, DIM])), ds.labels.subarray(i * 40, (i + 1) * 40)),
  });
  assert.is(h2.steps, 3);
  assert.ok(model.parameters().every((p) => p.grad === null), 'gradients are released at the end');
  model.dispose();
  optimizer.dispose();
});

test('fit: clear errors for bad options, one-shot iterators and a diverging loss', async () => {
  const { model, optimizer, sampler } = setup(6);
  const loss = new CosinePairLoss();
  const data = { dataset: ds, sampler };
  const rejects = async (p: Promise<unknown>, re: RegExp) => {
    try { await p; } catch (e) { assert.match((e as Error).message, re); return; }
    assert.unreachable(`expected ${re}`);
  };
  await rejects(sl.train.fit({ model, loss, optimizer, data, epochs: 0 }), /fit: epochs must be an integer ≥ 1, got 0/);
  await rejects((sl.train.fit as any)(), /^fit: options must be an object \{ model, loss, optimizer, data, \.\.\. \}, got undefined/);
  await rejects((sl.train.fit as any)(null), /^fit: options must be an object \{ model, loss, optimizer, data, \.\.\. \}, got null/);
  await rejects(sl.train.fit({ model, loss, optimizer: {} as any, data }), /fit: optimizer must have zeroGrad\(\) and step\(\)/);
  await rejects(sl.train.fit({ model, optimizer, data } as any), /fit: loss must have forward/);
  await rejects(sl.train.fit({ model, loss, optimizer, data: 5 as any }), /fit: data must be an iterable of batches/);
  const once = (function* () { yield { x: sl.tensor(ds.x.slice(0, 40 * DIM), [40, DIM]), labels: ds.labels.subarray(0, 40) }; })();
  await rejects(sl.train.fit({ model, loss, optimizer, data: once, epochs: 2, progress: false }), /data yielded no batches in epoch 2; pass a re-iterable/);
  const before = sl.engineInfo().liveBytes;
  const nanLoss = { forward: (e: sl.Tensor) => e.sum().mul(NaN) };
  await rejects(sl.train.fit({ model, loss: nanLoss, optimizer, data, progress: false }), /fit: the loss is NaN at step 1 \(epoch 1\)/);
  assert.is(sl.engineInfo().liveBytes, before, 'a failed step frees its temporaries');
  model.dispose();
  optimizer.dispose();
});

test('progress: \\r-updated line on a TTY, periodic plain lines otherwise', () => {
  const info = { step: 30, total: 120, epoch: 1, epochs: 3, loss: 0.123456, active: 417, tuples: 512 };
  const text = sl.train.progressText(info, 15, 10);
  assert.is(text, 'step  30/120 [###.......]  epoch 2/3  loss 0.1235  active 417/512  15.0 steps/s  ETA 6s');
  assert.is(sl.train.progressText({ ...info, total: null, active: null, tuples: null }, 2, 10), 'step 30  epoch 2/3  loss 0.1235  2.0 steps/s');
  const tty: string[] = [];
  const p = new sl.train.Progress({ isTTY: true, write: (s) => tty.push(s) });
  for (let s = 1; s <= 120; s++) p.update({ ...info, step: s });
  p.done();
  assert.ok(tty.length >= 2 && tty.slice(0, -1).every((s) => s.startsWith('\r') && !s.includes('\n')), 'single rewritten line');
  assert.match(tty[tty.length - 2], /^\rstep 120\/120 /);
  assert.is(tty[tty.length - 1], '\n');
  const plain: string[] = [];
  const q = new sl.train.Progress({ isTTY: false, write: (s) => plain.push(s) });
  for (let s = 1; s <= 120; s++) q.update({ ...info, step: s });
  assert.is(plain.length, 20);
  assert.ok(plain.every((s) => s.endsWith('\n') && !s.includes('\r')));
});

test.run();
