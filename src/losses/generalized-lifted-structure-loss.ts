// Fused: both masked log-sum-exps and the relu of each anchor row in one kernel pair
// (f32_pair_lse_fwd/_bwd) over u8 masks built from the labels, where the op form (two
// margins, two float masks, two maskedLogsumexp, add, relu) makes six [n, m] temporaries;
// bench/losses-miners.ts (LOSSES GeneralizedLiftedStructureLoss).
import { LpDistance } from '../distances/lp-distance';
import { pairLseLosses } from '../ops/loss';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import { MemoryPairsLoss } from './memory-pairs';

export interface GeneralizedLiftedStructureLossOptions extends BaseLossOptions {
  /** Default 1. */
  negMargin?: number;
  /** Default 0. */
  posMargin?: number;
}

/**
 * The generalised lifted structure loss (Hermans et al. 2017, "In defense of the triplet
 * loss", p. 4), as PML's: per anchor, [log Σ_p e^(d_ap − posMargin) + log Σ_n e^(negMargin − d_an)]₊
 * over its positive and negative pairs (margins flipped for a similarity). Reducer default:
 * MeanReducer over anchors.
 *
 * @example
 * const loss = new sl.losses.GeneralizedLiftedStructureLoss({ negMargin: 0.5 });
 * loss.forward(embeddings, labels).backward();
 */
export class GeneralizedLiftedStructureLoss extends MemoryPairsLoss {
  readonly negMargin: number;
  readonly posMargin: number;

  constructor(options: GeneralizedLiftedStructureLossOptions = {}) {
    const o = checkOptions<GeneralizedLiftedStructureLossOptions>('GeneralizedLiftedStructureLoss', options, { ...BASE_LOSS_OPTIONS, negMargin: 'number', posMargin: 'number' });
    super('GeneralizedLiftedStructureLoss', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    this.negMargin = o.negMargin ?? 1;
    this.posMargin = o.posMargin ?? 0;
  }

  protected compute(x: LossInputs): LossDict {
    const masks = this.pairByteMasks(x, true);
    if (masks === null) return this.zeroLosses();
    try {
      // distance.margin: d − posMargin and negMargin − d, the signs flipped for a similarity
      const sign = this.distance.isInverted ? -1 : 1;
      const mat = this.distanceMatrix(x);
      return { loss: elementEntry(pairLseLosses('lifted', mat, masks.pos, masks.neg, { a: sign, b: this.posMargin }, { a: -sign, b: this.negMargin })) };
    } finally {
      masks.pos.dispose();
      masks.neg.dispose();
    }
  }
}
