// Fused: NT-Xent is one kernel pair (f32_ntxent_fwd/_bwd) that computes each anchor's
// negative log-sum-exp once and reuses it for all of the anchor's positive pairs, O(pairs +
// negatives) with no [pairs, negatives] matrix (PML builds one); bench/losses.ts (NTXENT row).
import { Tensor, untracked } from '../autograd/tensor';
import { col, ntxentLosses } from '../ops/loss';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { checkOptions } from '../options';
import { MeanReducer } from '../reducers/mean-reducer';
import { lazyIndices, type LossDict } from '../reducers/loss-dict';
import { disposePairSet } from '../tuples/batch';
import { checkPositive } from '../tuples/checks';
import { getEngine } from '../wasm/instance';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface NTXentLossOptions extends BaseLossOptions {
  /** Default 0.07. */
  temperature?: number;
}

/**
 * NT-Xent / InfoNCE (SimCLR), as pytorch-metric-learning's NTXentLoss: for every positive
 * pair (a, p), −log(e^{s_ap/τ} / (e^{s_ap/τ} + Σ_n e^{s_an/τ})) over the negative pairs of the
 * same anchor a (−d/τ for a distance); reduced over positive pairs (default MeanReducer). No
 * positive pairs, or no negative pairs at all: 0.
 *
 * @example
 * // two augmented views of each image share a label
 * new sl.losses.NTXentLoss({ temperature: 0.1 }).forward(embeddings, labels);
 */
export class NTXentLoss extends BaseMetricLossFunction {
  readonly temperature: number;

  constructor(options: NTXentLossOptions = {}) {
    const fn = 'NTXentLoss';
    const o = checkOptions<NTXentLossOptions>(fn, options, { ...BASE_LOSS_OPTIONS, temperature: 'number' });
    super(fn, o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    this.temperature = checkPositive(fn, 'temperature', o.temperature ?? 0.07);
  }

  protected compute(x: LossInputs): LossDict {
    const pairs = this.pairSet(x, true);
    if (pairs === null) return this.zeroLosses();
    const { set, indices } = pairs;
    const negStart = untracked([x.embeddings.shape[0] + 1]);
    const negCols = untracked([set.neg]);
    try {
      if (set.pos === 0 || set.neg === 0) return this.zeroLosses();
      const mat = this.distanceMatrix(x);
      const [a1, p, a2, n] = set.cols;
      // the negatives grouped by anchor (CSR), so each anchor's log-sum-exp is computed once
      getEngine().k.i32_group_by_anchor(a2.ptr, n.ptr, set.neg, mat.shape[0], negStart.ptr, negCols.ptr);
      const losses = ntxentLosses(mat, col(a1), col(p), set.pos, negStart, negCols, this.temperature, this.distance.isInverted);
      return { loss: lazyIndices({ losses, indices: null, reductionType: 'pos_pair' }, () => indices().slice(0, 2) as Int32Array[]) };
    } finally {
      disposePairSet(set);
      negStart.dispose();
      negCols.dispose();
    }
  }

  /** Not supported: in Siamese pairs each anchor has a positive or a negative, never both, so NT-Xent would be 0. */
  pairs(_a: Tensor, _b: Tensor, _y: ArrayLike<number>): Tensor {
    throw new Error(`${this.name}.pairs: each pair's anchor has a positive or a negative, never both, so NT-Xent would be 0; use triplets(a, p, n) or forward(embeddings, labels)`);
  }
}
