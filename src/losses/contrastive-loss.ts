// Fused: the per-pair hinge is one gather-and-hinge kernel pair (f32_pair_loss_fwd/_bwd over
// the distance matrix) instead of gatherElements + sub + relu, which would make three
// [pairs]-sized temporaries per sub-loss; bench/losses.ts (CONTRASTIVE row) measures it.
import type { Tensor } from '../autograd/tensor';
import { PairKind, pairLosses } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import { DivisorReducer } from '../reducers/divisor-reducer';
import type { LossDict } from '../reducers/loss-dict';
import { checkMargin } from '../tuples/checks';
import { BASE_LOSS_OPTIONS, type BaseLossOptions } from './base-metric-loss-function';
import { PairBasedLoss, pairEntry, type PairPart } from './pair-based-loss';

export interface ContrastiveLossOptions extends BaseLossOptions {
  /** 'margin' (default, pytorch-metric-learning), 'squared' or 'hadsell'. */
  form?: 'margin' | 'squared' | 'hadsell';
  /** form 'margin': positives contribute above this distance (below this similarity). Default 0. */
  posMargin?: number;
  /** form 'margin': negatives contribute below this distance (above this similarity). Default 1. */
  negMargin?: number;
  /** forms 'squared' and 'hadsell': the negative margin m. Default 1. */
  margin?: number;
}

/**
 * Contrastive loss.
 * - form 'margin' (default): [d_p − posMargin]₊ over positive pairs (posLoss) and
 *   [negMargin − d_n]₊ over negative pairs (negLoss) (similarities: [posMargin − s_p]₊,
 *   [s_n − negMargin]₊); the reducer (default AvgNonZeroReducer) applied to each sub-loss and
 *   the two added — pytorch-metric-learning's ContrastiveLoss.
 * - form 'squared': y·d² + (1 − y)·[m² − d²]₊, mean over all pairs.
 * - form 'hadsell': y·d² + (1 − y)·([m − d]₊)², mean over all pairs (Hadsell et al. 2006).
 * The last two need a distance (not a similarity) and take no reducer.
 *
 * @example
 * const loss = new sl.losses.ContrastiveLoss();
 * const value = loss.forward(embeddings, labels); // scalar
 */
export class ContrastiveLoss extends PairBasedLoss {
  protected readonly genericPairs = true;
  protected readonly labelPairs = true;
  readonly form: 'margin' | 'squared' | 'hadsell';
  readonly posMargin: number;
  readonly negMargin: number;
  readonly margin: number;

  constructor(options: ContrastiveLossOptions = {}) {
    const fn = 'ContrastiveLoss';
    const o = checkOptions<ContrastiveLossOptions>(fn, options, {
      ...BASE_LOSS_OPTIONS, form: ['margin', 'squared', 'hadsell'], posMargin: 'number', negMargin: 'number', margin: 'number',
    });
    const form = o.form ?? 'margin';
    if (form !== 'margin' && o.reducer !== undefined) {
      throw new Error(`${fn}: form '${form}' is the mean over all pairs and takes no reducer (the reducer applies to form 'margin')`);
    }
    super(fn, o, { distance: () => new LpDistance(), reducer: () => (form === 'margin' ? new AvgNonZeroReducer() : new DivisorReducer()) }, ['posLoss', 'negLoss']);
    if (form !== 'margin' && this.distance.isInverted) {
      throw new Error(`${fn}: form '${form}' squares distances and needs a distance, not a similarity (isInverted); use form 'margin'`);
    }
    this.form = form;
    this.posMargin = checkMargin(fn, 'posMargin', o.posMargin ?? 0);
    this.negMargin = checkMargin(fn, 'negMargin', o.negMargin ?? 1);
    this.margin = checkMargin(fn, 'margin', o.margin ?? 1);
  }

  protected pairTerms(pos: PairPart, neg: PairPart): LossDict {
    let posLosses: Tensor, negLosses: Tensor;
    if (this.form === 'margin') {
      const inv = this.distance.isInverted;
      posLosses = pairLosses(inv ? PairKind.hingeBelow : PairKind.hingeAbove, pos, this.posMargin);
      negLosses = pairLosses(inv ? PairKind.hingeAbove : PairKind.hingeBelow, neg, this.negMargin);
      return { posLoss: pairEntry(posLosses, pos, 'pos_pair'), negLoss: pairEntry(negLosses, neg, 'neg_pair') };
    }
    posLosses = pairLosses(PairKind.square, pos);
    negLosses = pairLosses(this.form === 'squared' ? PairKind.squaredHingeBelow : PairKind.hingeBelowSquared, neg, this.margin);
    // the mean over all pairs: each part's sum divided by the total count (DivisorReducer)
    const total = pos.count + neg.count;
    return { posLoss: pairEntry(posLosses, pos, 'pos_pair', total), negLoss: pairEntry(negLosses, neg, 'neg_pair', total) };
  }
}
