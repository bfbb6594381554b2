// Losses whose anchor rows reduce to two masked log-sum-exps, one over the positive and one
// over the negative pairs (GeneralizedLiftedStructureLoss, CircleLoss), fused into one kernel
// pair (pairLseLosses): with every pair of the labels the kernel reads the labels themselves,
// otherwise (tuples, CrossBatchMemory's own copies) u8 masks of the pairs. The op form (float
// label or index masks, margins, two maskedLogsumexp, relu or softplus) made up to eleven
// [n, m] temporaries per call; bench/losses-miners.ts (LOSSES GeneralizedLiftedStructureLoss,
// CircleLoss).
import { pairLseLosses, type PairLseSide } from '../ops/loss';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { allPairsCounts } from '../tuples/batch';
import type { LossInputs } from './base-metric-loss-function';
import { MemoryPairsLoss } from './memory-pairs';

export abstract class PairLseLoss extends MemoryPairsLoss {
  /** PML's GenericPairLoss over the pairs of x (zero losses when every column has at most one entry), as pairLseLosses. */
  protected pairLse(x: LossInputs, kind: 'lifted' | 'circle', pos: PairLseSide, neg: PairLseSide): LossDict {
    if (x.tuples === null && x.labels !== null && x.refLabels !== null && this.ownOf(x) === null) {
      const ref = x.refIsBatch ? null : x.refLabels;
      const counts = allPairsCounts(x.labels, ref);
      if (counts.pos <= 1 && counts.neg <= 1) return this.zeroLosses();
      return { loss: elementEntry(pairLseLosses(kind, this.distanceMatrix(x), { labels: x.labels, refLabels: ref }, pos, neg)) };
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
