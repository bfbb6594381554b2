// Fused: one kernel pair (f32_multi_similarity_fwd/_bwd) computes both masked log-sum-exps of
// each anchor row in one pass over u8 masks (built from the labels, no pair columns), where
// the op form (margin, scale, two maskedLogsumexp, add) makes five [n, m] float temporaries;
// bench/losses-miners.ts (LOSSES MultiSimilarityLoss).
import { multiSimilarityLosses } from '../ops/loss';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { checkOptions } from '../options';
import { MeanReducer } from '../reducers/mean-reducer';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { checkPositive } from '../tuples/checks';
import { BASE_LOSS_OPTIONS, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import { MemoryPairsLoss } from './memory-pairs';

export interface MultiSimilarityLossOptions extends BaseLossOptions {
  /** Weight of positive pairs. Default 2. */
  alpha?: number;
  /** Weight of negative pairs. Default 50. */
  beta?: number;
  /** Similarity offset. Default 0.5. */
  base?: number;
}

/**
 * Multi-similarity loss (Wang et al. 2019), as pytorch-metric-learning's: per anchor i,
 * (1/α)·log(1 + Σ_p e^{−α(s_ip − base)}) + (1/β)·log(1 + Σ_n e^{β(s_in − base)}) over its
 * positive and negative pairs (signs flipped for a distance), reduced over anchors (default
 * MeanReducer).
 *
 * @example
 * new sl.losses.MultiSimilarityLoss({ alpha: 2, beta: 50, base: 0.5 }).forward(embeddings, labels);
 */
export class MultiSimilarityLoss extends MemoryPairsLoss {
  readonly alpha: number;
  readonly beta: number;
  readonly base: number;

  constructor(options: MultiSimilarityLossOptions = {}) {
    const fn = 'MultiSimilarityLoss';
    const o = checkOptions<MultiSimilarityLossOptions>(fn, options, { ...BASE_LOSS_OPTIONS, alpha: 'number', beta: 'number', base: 'number' });
    super(fn, o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    this.alpha = checkPositive(fn, 'alpha', o.alpha ?? 2);
    this.beta = checkPositive(fn, 'beta', o.beta ?? 50);
    this.base = o.base ?? 0.5;
  }

  protected compute(x: LossInputs): LossDict {
    const masks = this.pairByteMasks(x, true);
    if (masks === null) return this.zeroLosses();
    try {
      const mat = this.distanceMatrix(x);
      return { loss: elementEntry(multiSimilarityLosses(mat, masks.pos, masks.neg, this.alpha, this.beta, this.base, this.distance.isInverted)) };
    } finally {
      masks.pos.dispose();
      masks.neg.dispose();
    }
  }
}
