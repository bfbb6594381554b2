// The training loop. One step, inside tidy so every temporary is freed before the next:
//   embeddings = model.forward(x); tuples = miner?.mine(embeddings, labels);
//   l = loss.forward(embeddings, labels, tuples); zeroGrad; l.backward(); optimizer.step()
//   (and lossOptimizer.step() for a loss with learnable weights)
// Parameters, their gradients and optimiser state live outside tidy, so memory stays flat.
import { Tensor, noGrad, tidy } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { gather, type Dataset } from '../data/batch';
import { Progress, type StepInfo } from './progress';
import { checkOptions } from '../options';

export interface Batch {
  /** Inputs [n, ...]: a Tensor (left to its owner) or a Float32Array with `shape`. */
  x: Tensor | Float32Array;
  shape?: number[];
  labels: ArrayLike<number>;
}

/** Index batches (e.g. an MPerClassSampler) over a data set. */
export interface SampledData {
  dataset: Dataset;
  sampler: Iterable<ArrayLike<number>>;
}

export interface FitOptions<B = Batch> {
  model: { forward(x: Tensor): Tensor; train?(mode?: boolean): unknown };
  /** A metric loss: forward(embeddings, labels, tuples?) → scalar; lastStats read if present. */
  loss?: { forward(embeddings: Tensor, labels: ArrayLike<number>, tuples?: any): Tensor; lastStats?: { active: number; total: number } };
  miner?: { mine(embeddings: Tensor, labels: ArrayLike<number>): any } | null;
  optimizer: { zeroGrad(): void; step(): void };
  /** Trains the loss's own weights (loss.parameters(): W, proxies, ...), stepped with the model's optimizer. Default none. */
  lossOptimizer?: { zeroGrad(): void; step(): void } | null;
  /** Re-iterated every epoch: batches, or { dataset, sampler }, or anything `step` takes. */
  data: Iterable<B> | SampledData;
  /** Passes over data (default 1). */
  epochs?: number;
  /** Called after every step; returning false stops training. */
  onStep?: (info: StepInfo) => void | boolean | Promise<void | boolean>;
  /** Progress bar on a TTY, plain lines otherwise (default true). */
  progress?: boolean;
  /** Replaces the default step's forward: returns the scalar loss of a batch (Siamese pairs). */
  step?: (batch: B) => Tensor;
}

export interface History {
  loss: number[];
  /** Active pairs/triplets per step (loss.lastStats.active), when the loss reports them. */
  active: number[];
  /** Mean wall time of a step, milliseconds. */
  msPerStep: number;
  steps: number;
  seconds: number;
}

/** Yields a macrotask so timers and I/O run between steps. */
const tick = (): Promise<void> =>
  new Promise((resolve) => (typeof (globalThis as any).setImmediate === 'function' ? (globalThis as any).setImmediate(resolve) : setTimeout(resolve, 0)));

function isSampled(d: unknown): d is SampledData {
  return !!d && typeof d === 'object' && 'dataset' in d && 'sampler' in d;
}

function stepsPerEpoch(data: unknown): number | null {
  const src: any = isSampled(data) ? data.sampler : data;
  if (Array.isArray(src)) return src.length;
  if (src && Number.isInteger(src.batchesPerEpoch)) return src.batchesPerEpoch;
  return null;
}

function batchInputs(batch: Batch): { x: Tensor; labels: ArrayLike<number> } {
  if (!batch || typeof batch !== 'object' || !('x' in batch) || !('labels' in batch)) {
    throw new Error('fit: a batch must be { x, labels } (or pass step: (batch) => loss for other batch shapes)');
  }
  if (batch.x instanceof Tensor) return { x: batch.x, labels: batch.labels };
  if (batch.x instanceof Float32Array) {
    if (!batch.shape) throw new Error('fit: a batch whose x is a Float32Array needs its shape');
    return { x: tensor(batch.x, batch.shape), labels: batch.labels };
  }
  throw new Error(`fit: batch.x must be a Tensor or Float32Array, got ${typeof batch.x}`);
}

/**
 * Trains `model` for `epochs` passes over `data` and returns the loss history.
 * @example
 * const sampler = new sl.data.MPerClassSampler(train.labels, 4, 64, { seed: 1, lengthBeforeNewIter: 8000 });
 * const h = await sl.train.fit({ model, loss, miner, optimizer, data: { dataset: train, sampler }, epochs: 2 });
 */
export async function fit<B = Batch>(options: FitOptions<B>): Promise<History> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`fit: options must be an object { model, loss, optimizer, data, ... }, got ${options === null ? 'null' : typeof options}`);
  }
  const { model, loss, miner, optimizer, data, onStep, step } = checkOptions<FitOptions<B>>('fit', options, {
    model: 'object', loss: 'object', miner: ['object', 'null'], optimizer: 'object', lossOptimizer: ['object', 'null'], data: 'any', epochs: 'any', onStep: 'function', progress: 'boolean', step: 'function',
  }) as FitOptions<B>;
  const lossOptimizer = options.lossOptimizer ?? null;
  const epochs = options.epochs ?? 1;
  if (!model || typeof model.forward !== 'function') throw new Error('fit: model must have forward(x)');
  if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.zeroGrad !== 'function') {
    throw new Error('fit: optimizer must have zeroGrad() and step()');
  }
  if (lossOptimizer !== null && (typeof lossOptimizer.step !== 'function' || typeof lossOptimizer.zeroGrad !== 'function')) {
    throw new Error('fit: lossOptimizer must have zeroGrad() and step() (e.g. new sl.optim.SGD(loss.parameters(), { lr }))');
  }
  if (!step && (!loss || typeof loss.forward !== 'function')) throw new Error('fit: loss must have forward(embeddings, labels, tuples?) (or pass step)');
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`fit: epochs must be an integer ≥ 1, got ${epochs}`);
  const sampled = isSampled(data);
  if (!sampled && (data === null || typeof (data as any)?.[Symbol.iterator] !== 'function')) {
    throw new Error('fit: data must be an iterable of batches or { dataset, sampler }');
  }
  const per = stepsPerEpoch(data);
  const total = per === null ? null : per * epochs;
  const progress = options.progress === false ? null : new Progress();

  const lossStep = (batch: B): Tensor => {
    if (step) return step(batch);
    const { x, labels } = batchInputs(batch as unknown as Batch);
    const emb = model.forward(x);
    const tuples = miner ? noGrad(() => miner.mine(emb, labels)) : undefined;
    return loss!.forward(emb, labels, tuples);
  };
  const batches = function* (): Iterable<B> {
    if (!sampled) return yield* data as Iterable<B>;
    for (const idx of data.sampler) yield idx as unknown as B;
  };

  model.train?.(true);
  const history: History = { loss: [], active: [], msPerStep: 0, steps: 0, seconds: 0 };
  const started = performance.now();
  let lastYield = started;
  let n = 0;
  try {
    outer: for (let epoch = 0; epoch < epochs; epoch++) {
      let inEpoch = 0;
      for (const batch of batches()) {
        const value = tidy(() => {
          const b = sampled ? (gather((data as SampledData).dataset, batch as unknown as ArrayLike<number>) as unknown as B) : batch;
          const l = lossStep(b);
          if (!(l instanceof Tensor) || l.size !== 1) throw new Error('fit: the loss must be a one-element tensor');
          optimizer.zeroGrad();
          lossOptimizer?.zeroGrad();
          const v = l.item();
          if (!Number.isFinite(v)) throw new Error(`fit: the loss is ${v} at step ${n + 1} (epoch ${epoch + 1}); lower the learning rate or check the data`);
          l.backward();
          optimizer.step();
          lossOptimizer?.step();
          return v;
        });
        n++;
        inEpoch++;
        const stats = loss?.lastStats ?? null;
        history.loss.push(value);
        if (stats) history.active.push(stats.active);
        const info: StepInfo = { step: n, total, epoch, epochs, loss: value, active: stats?.active ?? null, tuples: stats?.total ?? null };
        progress?.update(info);
        if (onStep && (await onStep(info)) === false) break outer;
        // Keep the host responsive: a macrotask every ~50 ms of training.
        if (performance.now() - lastYield > 50) {
          await tick();
          lastYield = performance.now();
        }
      }
      if (inEpoch === 0) {
        throw new Error(`fit: data yielded no batches in epoch ${epoch + 1}; pass a re-iterable (an array or a sampler), not a one-shot iterator`);
      }
    }
  } finally {
    progress?.done();
    optimizer.zeroGrad();
    lossOptimizer?.zeroGrad();
  }
  history.steps = n;
  history.seconds = (performance.now() - started) / 1000;
  history.msPerStep = n ? (history.seconds * 1000) / n : 0;
  return history;
}
