import { LpDistance } from '../distances/lp-distance';
import { add, relu } from '../ops/eltwise';
import { maskedLogsumexp } from '../ops/masked';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

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
export class GeneralizedLiftedStructureLoss extends BaseMetricLossFunction {
  readonly negMargin: number;
  readonly posMargin: number;

  constructor(options: GeneralizedLiftedStructureLossOptions = {}) {
    const o = checkOptions<GeneralizedLiftedStructureLossOptions>('GeneralizedLiftedStructureLoss', options, { ...BASE_LOSS_OPTIONS, negMargin: 'number', posMargin: 'number' });
    super('GeneralizedLiftedStructureLoss', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    this.negMargin = o.negMargin ?? 1;
    this.posMargin = o.posMargin ?? 0;
  }

  protected compute(x: LossInputs): LossDict {
    const masks = this.pairMasks(x);
    if (masks === null) return this.zeroLosses();
    const mat = this.distanceMatrix(x);
    const posLoss = maskedLogsumexp(this.distanceMargin(mat, this.posMargin), masks[0]);
    const negLoss = maskedLogsumexp(this.distanceMargin(this.negMargin, mat), masks[1]);
    return { loss: elementEntry(relu(add(posLoss, negLoss))) };
  }
}
