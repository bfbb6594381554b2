// The training page's worker: trains the main job's Triplet CNN (examples/lib/mnist-job.ts) on
// the bundled MNIST subset with sl.train.fit, so the page never blocks. Every EVAL_EVERY steps
// it embeds the held-out digits and posts their 2-D PCA; after every epoch P@1 and MAP@R.
// fit awaits onStep, which is where a pause waits and where messages get their turn.
import * as sl from '../../src/index';
import { JOB, cosineLr, jobSampler, tripletCnn, warmupSampler } from '../lib/mnist-job';
import { embedAll } from '../lib/embed';
import { pca } from '../lib/pca';
import { loadSubset, type MnistSubset } from './data';

export type LossName = 'triplet' | 'contrastive' | 'multi-similarity';
export interface Settings { loss: LossName; margin: number; lr: number }
export type TrainRequest =
  | { type: 'start'; settings: Settings; id: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'lr'; lr: number }
  | { type: 'query'; index: number };
export type TrainMessage =
  | { type: 'ready'; build: string; threads: number; isolated: boolean; train: number; test: number; raw: { p1: number; mapR: number } }
  | { type: 'step'; id: number; step: number; total: number; epoch: number; loss: number; active: number | null; tuples: number | null; stepsPerSecond: number; lr: number; phase: 'warm-up' | 'main' }
  | { type: 'embedding'; id: number; step: number; xy: Float64Array; variance: number }
  | { type: 'epoch'; id: number; epoch: number; step: number; p1: number; mapR: number }
  | { type: 'neighbours'; index: number; space: string; indices: number[]; distances: number[] }
  | { type: 'state'; state: 'running' | 'paused' | 'done' }
  | { type: 'error'; message: string };

/** Steps between two PCA pictures: embedding the 1,000 test digits costs about five steps. */
const EVAL_EVERY = 20;
const NEIGHBOURS = 8;

const post = (m: TrainMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let data: MnistSubset;
let rawTest: sl.Tensor;
/** What a query searches: the last test embeddings, or raw pixels before any training. */
let space: { x: sl.Tensor; name: string };
let paused = false;
let resume: (() => void) | null = null;
let run = 0;
let baseLr = JOB.lr;

function makeLoss({ loss, margin }: Settings): { loss: sl.losses.BaseMetricLoss; miner: sl.miners.BatchHardMiner | null } {
  switch (loss) {
    case 'triplet':
      return { loss: new sl.losses.TripletMarginLoss({ margin }), miner: new sl.miners.BatchHardMiner() };
    case 'contrastive':
      return { loss: new sl.losses.ContrastiveLoss({ negMargin: margin }), miner: null };
    case 'multi-similarity':
      return { loss: new sl.losses.MultiSimilarityLoss(), miner: null };
  }
}

function setSpace(x: sl.Tensor, name: string): void {
  if (space && space.x !== rawTest) space.x.dispose();
  space = { x, name };
}

async function train(settings: Settings, id: number): Promise<void> {
  const me = ++run;
  baseLr = settings.lr;
  sl.manualSeed(JOB.seed);
  const model = tripletCnn();
  const { loss, miner } = makeLoss(settings);
  const optimizer = new sl.optim.Adam(model.parameters(), { lr: baseLr });
  const main = jobSampler(data.train.labels, JOB.seed, data.train.labels.length);
  const mainSteps = JOB.epochs * main.batchesPerEpoch;
  const total = JOB.warmupSteps + mainSteps;
  let step = 0;
  let last = performance.now();
  const recent: number[] = [];

  const evaluate = (epoch: number | null) => {
    model.eval();
    const emb = embedAll(model, data.test);
    model.train();
    setSpace(emb, `the network's ${JOB.embeddingSize}-d embedding at step ${step}`);
    const { projected, variances } = pca(emb.data(), data.test.labels.length, JOB.embeddingSize, 2, { iterations: 100 });
    post({ type: 'embedding', id, step, xy: projected, variance: variances[0] + variances[1] }, [projected.buffer]);
    if (epoch !== null) {
      const r = sl.metrics.retrieval(emb, data.test.labels, { k: [1] });
      post({ type: 'epoch', id, epoch, step, p1: r.precisionAt1, mapR: r.mapAtR });
    }
  };

  // Called after each step: reports, evaluates, and holds the run while paused.
  const onStep = (phase: 'warm-up' | 'main') => async (info: sl.train.StepInfo) => {
    if (me !== run) return false;
    const now = performance.now();
    step++;
    recent.push(now - last);
    if (recent.length > 20) recent.shift();
    // The learning rate box applies at once: the warm-up runs at it, the main phase decays from it.
    optimizer.lr = phase === 'main' ? cosineLr(baseLr, info.step, mainSteps) : baseLr;
    const stepsPerSecond = (1000 * recent.length) / recent.reduce((s, v) => s + v, 0);
    post({ type: 'step', id, step, total, epoch: info.epoch, loss: info.loss, active: info.active, tuples: info.tuples, stepsPerSecond, lr: optimizer.lr, phase });
    const endOfEpoch = phase === 'main' && info.step % main.batchesPerEpoch === 0;
    if (endOfEpoch || step % EVAL_EVERY === 0) evaluate(endOfEpoch ? info.epoch + 1 : null);
    if (paused) {
      post({ type: 'state', state: 'paused' });
      await new Promise<void>((ok) => (resume = ok));
      post({ type: 'state', state: 'running' });
    }
    // Evaluation and pauses are not training: the next step's clock starts now.
    last = performance.now();
    return me === run;
  };

  post({ type: 'state', state: 'running' });
  evaluate(0);
  // Triplet loss: the main job's warm-up over every valid triplet, then batch-hard mining.
  // The pair losses use every pair of the batch throughout, warm-up included.
  try {
    await sl.train.fit({ model, loss, optimizer, progress: false, data: { dataset: data.train, sampler: warmupSampler(data.train.labels) }, onStep: onStep('warm-up') });
    if (me !== run) return;
    await sl.train.fit({
      model, loss, miner, optimizer, progress: false, epochs: JOB.epochs,
      data: { dataset: data.train, sampler: main }, onStep: onStep('main'),
    });
    if (me === run) post({ type: 'state', state: 'done' });
  } finally {
    // The weights live in wasm memory until disposed; the query space keeps its own copy.
    model.dispose();
  }
}

function query(index: number): void {
  const q = sl.tidy(() => sl.tensor(space.x.data().subarray(index * space.x.shape[1], (index + 1) * space.x.shape[1]), [1, space.x.shape[1]]));
  const { indices, distances } = sl.search.topK(q, space.x, NEIGHBOURS + 1);
  q.dispose();
  // The digit itself comes first (distance 0); the page shows the 8 after it.
  const keep = Array.from(indices).map((j, i) => [j, distances[i]]).filter(([j]) => j !== index).slice(0, NEIGHBOURS);
  post({ type: 'neighbours', index, space: space.name, indices: keep.map(([j]) => j), distances: keep.map(([, d]) => d) });
}

self.onmessage = (e: MessageEvent<TrainRequest>) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'start':
        paused = false;
        resume?.();
        train(m.settings, m.id).catch((err) => post({ type: 'error', message: String((err as Error)?.stack ?? err) }));
        break;
      case 'pause':
        paused = true;
        break;
      case 'resume':
        paused = false;
        resume?.();
        resume = null;
        break;
      case 'lr':
        baseLr = m.lr;
        break;
      case 'query':
        query(m.index);
        break;
    }
  } catch (err) {
    post({ type: 'error', message: String((err as Error)?.stack ?? err) });
  }
};

async function start(): Promise<void> {
  const isolated = (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const wanted = Number(new URLSearchParams(self.location.search).get('threads') ?? 0);
  // Threads when the page is cross-origin isolated (shared memory allowed): one per core, up to 4.
  const threads = wanted || (isolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1);
  await sl.init(threads > 1 ? { threads } : {});
  data = await loadSubset();
  rawTest = sl.tensor(data.test.x, [data.test.labels.length, data.side * data.side]);
  setSpace(rawTest, 'raw pixels (784-d), before training');
  const raw = sl.metrics.retrieval(rawTest, data.test.labels, { k: [1] });
  const info = sl.engineInfo();
  post({ type: 'ready', build: info.build, threads: info.threads, isolated, train: data.train.labels.length, test: data.test.labels.length, raw: { p1: raw.precisionAt1, mapR: raw.mapAtR } });
}

start().catch((err) => post({ type: 'error', message: String((err as Error)?.stack ?? err) }));
