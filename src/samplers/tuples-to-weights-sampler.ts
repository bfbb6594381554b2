// pytorch-metric-learning's TuplesToWeightsSampler: every epoch embeds the dataset (or a random
// subset) with the model, mines it, and draws indices with replacement in proportion to how often
// each item appears in the mined tuples, so that later batches favour the hard items.
import { Tensor, noGrad, shapeSize, tidy } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { datasetSize, type Dataset } from '../data/batch';
import { checkCount, ownRng } from '../data/labels';
import { l2Normalize } from '../ops/reduce';
import { checkOptions } from '../options';
import { convertToWeights } from '../tuples/pairs';
import { Rng } from '../random';
import { IndexSampler, safeRandomChoice } from './index-sampler';

/** What the sampler needs of a model: embeddings [b, e] of a batch [b, ...itemShape]. */
export interface EmbeddingModel {
  forward(x: Tensor): Tensor;
  training?: boolean;
  train?(mode?: boolean): unknown;
}

/** What it needs of a miner: index tuples (PML layout) of a batch. */
export interface TupleMiner {
  mine(embeddings: Tensor, labels: Int32Array): readonly ArrayLike<number>[];
}

export interface TuplesToWeightsSamplerOptions {
  model: EmbeddingModel;
  miner: TupleMiner;
  dataset: Dataset;
  /** Embed and mine this many items drawn at random each epoch, or all (null, default). */
  subsetSize?: number | null;
  /** L2-normalise the embeddings before mining. Default true (PML's tester). */
  normalizeEmbeddings?: boolean;
  /** Items per forward pass while embedding. Default 32 (PML's tester). */
  batchSize?: number;
  /** Seeds the sampler's generator; without it one is drawn from manualSeed()'s. */
  seed?: number;
}

/**
 * `length` indices per epoch (subsetSize, or the dataset size) drawn with replacement with
 * probability ∝ `weights`: for each mined item, its number of appearances in the tuples over
 * the largest such number (all 1 when nothing is mined); 0 for items outside the subset or in
 * no tuple. The model runs without gradients, in eval mode, and gets its mode back after.
 * @example
 * const sampler = new sl.samplers.TuplesToWeightsSampler({ model, miner: new sl.miners.MultiSimilarityMiner(), dataset, subsetSize: 1000, seed: 0 });
 */
export class TuplesToWeightsSampler extends IndexSampler {
  readonly name = 'TuplesToWeightsSampler';
  readonly model: EmbeddingModel;
  readonly miner: TupleMiner;
  readonly dataset: Dataset;
  readonly subsetSize: number | null;
  readonly normalizeEmbeddings: boolean;
  readonly batchSize: number;
  /** The weights of the last epoch (one per dataset item), null before the first. */
  weights: Float32Array | null = null;
  private readonly n: number;
  private readonly rng: Rng;

  constructor(options: TuplesToWeightsSamplerOptions) {
    const fn = 'TuplesToWeightsSampler';
    const o = checkOptions<TuplesToWeightsSamplerOptions>(fn, options, {
      model: 'object', miner: 'object', dataset: 'object', subsetSize: ['integer', 'null'], normalizeEmbeddings: 'boolean',
      batchSize: 'integer', seed: 'number',
    });
    if (!o.model || typeof o.model.forward !== 'function') throw new TypeError(`${fn}: option model must have forward(x) (an sl.nn module), got ${typeof o.model}`);
    if (!o.miner || typeof o.miner.mine !== 'function') throw new TypeError(`${fn}: option miner must have mine(embeddings, labels) (an sl.miners miner), got ${typeof o.miner}`);
    if (!o.dataset) throw new TypeError(`${fn}: option dataset is required ({ x: Float32Array, labels: Int32Array, itemShape })`);
    const n = datasetSize(fn, o.dataset);
    if (o.subsetSize !== undefined && o.subsetSize !== null) checkCount(fn, 'subsetSize', o.subsetSize);
    super();
    this.model = o.model;
    this.miner = o.miner;
    this.dataset = o.dataset;
    this.subsetSize = o.subsetSize || null;
    this.normalizeEmbeddings = o.normalizeEmbeddings ?? true;
    this.batchSize = checkCount(fn, 'batchSize', o.batchSize ?? 32);
    this.n = n;
    this.rng = ownRng('TuplesToWeightsSampler', o.seed);
  }

  get length(): number {
    return this.subsetSize ?? this.n;
  }

  indices(): Int32Array {
    const items = this.subsetSize ? safeRandomChoice(this.rng, Int32Array.from({ length: this.n }, (_, i) => i), this.subsetSize) : null;
    const { embeddings, labels } = this.embed(items);
    let subWeights: Float32Array;
    try {
      subWeights = convertToWeights(this.miner.mine(embeddings, labels).map((c) => Int32Array.from(c)), labels.length);
    } finally {
      embeddings.dispose();
    }
    const weights = new Float32Array(this.n);
    if (items) items.forEach((item, i) => (weights[item] = subWeights[i]));
    else weights.set(subWeights);
    this.weights = weights;
    return weightedDraw(this.rng, weights, this.length);
  }

  /** Embeddings [items, e] (normalised if asked) and labels of the chosen items (all when null). */
  private embed(items: Int32Array | null): { embeddings: Tensor; labels: Int32Array } {
    const { dataset, model } = this;
    const count = items ? items.length : this.n;
    const row = shapeSize(dataset.itemShape);
    const labels = new Int32Array(count);
    const wasTraining = model.training;
    model.train?.(false);
    try {
      const parts: Float32Array[] = [];
      let e = 0;
      for (let s = 0; s < count; s += this.batchSize) {
        const b = Math.min(this.batchSize, count - s);
        const x = new Float32Array(b * row);
        for (let i = 0; i < b; i++) {
          const item = items ? items[s + i] : s + i;
          x.set(dataset.x.subarray(item * row, (item + 1) * row), i * row);
          labels[s + i] = dataset.labels[item];
        }
        const out = tidy(() => noGrad(() => model.forward(tensor(x, [b, ...dataset.itemShape]))));
        if (out.shape.length !== 2) throw new Error(`TuplesToWeightsSampler: model output must be [batch, embeddingSize], got [${out.shape}]`);
        e = out.shape[1];
        parts.push(out.data());
        out.dispose();
      }
      const all = new Float32Array(count * e);
      let off = 0;
      for (const p of parts) {
        all.set(p, off);
        off += p.length;
      }
      const raw = tensor(all, [count, e]);
      if (!this.normalizeEmbeddings) return { embeddings: raw, labels };
      const normed = noGrad(() => l2Normalize(raw));
      raw.dispose();
      return { embeddings: normed, labels };
    } finally {
      if (wasTraining !== undefined) model.train?.(wasTraining);
    }
  }
}

/** `count` indices drawn with replacement, index i with probability weights[i] / Σ weights. */
function weightedDraw(rng: Rng, weights: Float32Array, count: number): Int32Array {
  const cum = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => (cum[i] = acc += w));
  const out = new Int32Array(count);
  for (let t = 0; t < count; t++) {
    const u = rng.uniform() * acc;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out[t] = lo;
  }
  return out;
}
