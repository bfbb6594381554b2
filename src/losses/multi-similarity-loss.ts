import { Tensor, untracked } from '../autograd/tensor';
import { countPositive, indexPtr, multiSimilarityLosses } from '../ops/loss';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { MeanReducer } from '../reducers/mean-reducer';
import type { BaseReducer as Reducer } from '../reducers/base-reducer';
import { getEngine } from '../wasm/instance';
import { BaseMetricLoss, checkDistance, checkPositive, checkReducer, pairSetOf, type Distance, type TupleSource } from './base-metric-loss';
import { disposePairs, negIndex, posIndex, readPairs, type PairSet } from '../tuples/batch';

export interface MultiSimilarityLossOptions {
  /** Weight of positive pairs. Default 2. */
  alpha?: number;
  /** Weight of negative pairs. Default 50. */
  beta?: number;
  /** Similarity offset. Default 0.5. */
  base?: number;
  /** Default CosineSimilarity(). */
  distance?: Distance;
  /** Default MeanReducer (over anchors). */
  reducer?: Reducer;
}

/**
 * Multi-similarity loss (Wang et al. 2019), as pytorch-metric-learning's: per anchor i,
 * (1/α)·log(1 + Σ_p e^{−α(s_ip − base)}) + (1/β)·log(1 + Σ_n e^{β(s_in − base)}) over its
 * positive and negative pairs (signs flipped for a distance), reduced over anchors.
 * lastStats counts anchors (those with at least one pair).
 *
 * @example
 * new sl.losses.MultiSimilarityLoss({ alpha: 2, beta: 50, base: 0.5 }).forward(embeddings, labels);
 */
export class MultiSimilarityLoss extends BaseMetricLoss {
  readonly name = 'MultiSimilarityLoss';
  protected readonly zeroOnSingleTuples = true;
  readonly alpha: number;
  readonly beta: number;
  readonly base: number;

  constructor(options: MultiSimilarityLossOptions = {}) {
    const fn = 'MultiSimilarityLoss';
    const { alpha = 2, beta = 50, base = 0.5 } = options;
    super(
      checkDistance(fn, options.distance, () => new CosineSimilarity()),
      checkReducer(fn, options.reducer, () => new MeanReducer()),
    );
    this.alpha = checkPositive(fn, 'alpha', alpha);
    this.beta = checkPositive(fn, 'beta', beta);
    if (typeof base !== 'number' || !Number.isFinite(base)) throw new Error(`${fn}: base must be a finite number, got ${String(base)}`);
    this.base = base;
  }

  protected fromMatrix(mat: Tensor, source: TupleSource): Tensor {
    const n = mat.shape[0];
    const k = getEngine().k;
    const set = pairSetOf(source);
    // u8 masks [n, n] in float32-sized storage
    const posMask = untracked([Math.ceil((n * n) / 4)]);
    const negMask = untracked([Math.ceil((n * n) / 4)]);
    try {
      const [a1, p] = posIndex(set);
      const [a2, q] = negIndex(set);
      k.u8_pair_mask(indexPtr(a1), indexPtr(p), set.pos, n, posMask.ptr);
      k.u8_pair_mask(indexPtr(a2), indexPtr(q), set.neg, n, negMask.ptr);
      const losses = multiSimilarityLosses(mat, posMask, negMask, this.alpha, this.beta, this.base, this.distance.isInverted);
      this.lastStats = { active: countPositive(losses), total: anchorsWithPairs(set, n) };
      return this.reducer.reduce(losses);
    } finally {
      disposePairs(set);
      posMask.dispose();
      negMask.dispose();
    }
  }
}

/** Anchors that have at least one positive or negative pair. */
function anchorsWithPairs(set: PairSet, n: number): number {
  const [a1, , a2] = readPairs(set);
  const seen = new Uint8Array(n);
  for (const a of a1) seen[a] = 1;
  for (const a of a2) seen[a] = 1;
  return seen.reduce((s, v) => s + v, 0);
}
