import { Tensor, untracked } from '../autograd/tensor';
import { countPositive, indexPtr, ntxentLosses } from '../ops/loss';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { MeanReducer } from '../reducers/mean-reducer';
import type { BaseReducer as Reducer } from '../reducers/base-reducer';
import { getEngine } from '../wasm/instance';
import { BaseMetricLoss, checkDistance, checkPositive, checkReducer, pairSetOf, type Distance, type TupleSource } from './base-metric-loss';
import { disposePairs, negIndex, posIndex } from '../tuples/batch';

export interface NTXentLossOptions {
  /** Default 0.07. */
  temperature?: number;
  /** Default CosineSimilarity(). */
  distance?: Distance;
  /** Default MeanReducer (over positive pairs). */
  reducer?: Reducer;
}

/**
 * NT-Xent / InfoNCE (SimCLR), as pytorch-metric-learning's NTXentLoss: for every positive
 * pair (a, p), −log(e^{s_ap/τ} / (e^{s_ap/τ} + Σ_n e^{s_an/τ})) over the negative pairs of the
 * same anchor a (−d/τ for a distance); reduced over positive pairs. No positive pairs, or no
 * negative pairs at all: 0.
 *
 * @example
 * // two augmented views of each image share a label
 * new sl.losses.NTXentLoss({ temperature: 0.1 }).forward(embeddings, labels);
 */
export class NTXentLoss extends BaseMetricLoss {
  readonly name = 'NTXentLoss';
  protected readonly zeroOnSingleTuples = true;
  readonly temperature: number;

  constructor(options: NTXentLossOptions = {}) {
    const fn = 'NTXentLoss';
    const { temperature = 0.07 } = options;
    super(
      checkDistance(fn, options.distance, () => new CosineSimilarity()),
      checkReducer(fn, options.reducer, () => new MeanReducer()),
    );
    this.temperature = checkPositive(fn, 'temperature', temperature);
  }

  protected fromMatrix(mat: Tensor, source: TupleSource): Tensor {
    const n = mat.shape[0];
    const set = pairSetOf(source);
    const negStart = untracked([n + 1]);
    const negCols = untracked([set.neg]);
    try {
      const [a2, nc] = negIndex(set);
      getEngine().k.i32_group_by_anchor(indexPtr(a2), indexPtr(nc), set.neg, n, negStart.ptr, negCols.ptr);
      const [a1, p] = posIndex(set);
      // pytorch-metric-learning: no negative pair in the whole batch gives 0; per pair, the
      // kernel's log(1) = 0 already says the same
      const count = set.neg === 0 ? 0 : set.pos;
      const losses = ntxentLosses(mat, a1, p, count, negStart, negCols, this.temperature, this.distance.isInverted);
      this.lastStats = { active: countPositive(losses), total: count };
      return this.reducer.reduce(losses);
    } finally {
      disposePairs(set);
      negStart.dispose();
      negCols.dispose();
    }
  }

  /** Not supported: in Siamese pairs each anchor has a positive or a negative, never both, so NT-Xent would be 0. */
  pairs(_a: Tensor, _b: Tensor, _y: ArrayLike<number>): Tensor {
    throw new Error(`${this.name}.pairs: each pair's anchor has a positive or a negative, never both, so NT-Xent would be 0; use triplets(a, p, n) or forward(embeddings, labels)`);
  }
}
