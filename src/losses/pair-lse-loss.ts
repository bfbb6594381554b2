// Losses whose anchor rows reduce to two masked log-sum-exps, one over the positive and one
// over the negative pairs (GeneralizedLiftedStructureLoss, CircleLoss), fused into one kernel
// pair (pairLseLosses): with every pair of the labels the kernel reads the labels themselves,
// otherwise (tuples, CrossBatchMemory's own copies) u8 masks of the pairs. The op form (float
// label or index masks, margins, two maskedLogsumexp, relu or softplus) made up to eleven
// [n, m] temporaries per call; bench/losses-miners.ts (LOSSES GeneralizedLiftedStructureLoss,
// CircleLoss).
import { pairLseLosses, type PairLseSide } from '../ops/loss';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import type { LossInputs } from './base-metric-loss-function';
import { MemoryPairsLoss } from './memory-pairs';

export abstract class PairLseLoss extends MemoryPairsLoss {
  /** PML's GenericPairLoss over the pairs of x (zero losses when every column has at most one entry), as pairLseLosses. */
  protected pairLse(x: LossInputs, kind: 'lifted' | 'circle', pos: PairLseSide, neg: PairLseSide): LossDict {
    const all = this.labelPairsOf(x);
    if (all !== null && all.own === null) {
      if (all.pos <= 1 && all.neg <= 1) return this.zeroLosses();
      return { loss: elementEntry(pairLseLosses(kind, this.distanceMatrix(x), { labels: all.labels, refLabels: all.ref }, pos, neg)) };
    }
    const masks = this.pairByteMasks(x, true);
    if (masks === null) return this.zeroLosses();
    try {
      return { loss: elementEntry(pairLseLosses(kind, this.distanceMatrix(x), masks, pos, neg)) };
    } finally {
      masks.pos.dispose();
      masks.neg.dispose();
    }
  }
}
