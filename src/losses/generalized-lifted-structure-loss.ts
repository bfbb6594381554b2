import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import { PairLseLoss } from './pair-lse-loss';

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
export class GeneralizedLiftedStructureLoss extends PairLseLoss {
  readonly negMargin: number;
  readonly posMargin: number;

  constructor(options: GeneralizedLiftedStructureLossOptions = {}) {
    const o = checkOptions<GeneralizedLiftedStructureLossOptions>('GeneralizedLiftedStructureLoss', options, { ...BASE_LOSS_OPTIONS, negMargin: 'number', posMargin: 'number' });
    super('GeneralizedLiftedStructureLoss', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    this.negMargin = o.negMargin ?? 1;
    this.posMargin = o.posMargin ?? 0;
  }

  protected compute(x: LossInputs): LossDict {
    // distance.margin: d − posMargin and negMargin − d, the signs flipped for a similarity
    const sign = this.distance.isInverted ? -1 : 1;
    return this.pairLse(x, 'lifted', { a: sign, b: this.posMargin }, { a: -sign, b: this.negMargin });
  }
}
