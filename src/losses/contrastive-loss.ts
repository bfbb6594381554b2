import { Tensor } from '../autograd/tensor';
import { add, mul } from '../ops/eltwise';
import { sum } from '../ops/reduce';
import { PairKind, countPositive, pairLosses } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import type { BaseReducer as Reducer } from '../reducers/base-reducer';
import { checkDistance, checkMargin, checkReducer, type Distance } from './base-metric-loss';
import { PairBasedLoss, type PairPart } from './pair-based-loss';

export interface ContrastiveLossOptions {
  /** 'margin' (default, pytorch-metric-learning), 'squared' or 'hadsell'. */
  form?: 'margin' | 'squared' | 'hadsell';
  /** form 'margin': positives contribute above this distance (below this similarity). Default 0. */
  posMargin?: number;
  /** form 'margin': negatives contribute below this distance (above this similarity). Default 1. */
  negMargin?: number;
  /** forms 'squared' and 'hadsell': the negative margin m. Default 1. */
  margin?: number;
  /** Default LpDistance() (Euclidean on L2-normalised embeddings). */
  distance?: Distance;
  /** form 'margin' only, applied to the positive and the negative part separately. Default AvgNonZeroReducer. */
  reducer?: Reducer;
}

/**
 * Contrastive loss.
 * - form 'margin' (default): [d_p − posMargin]₊ over positive pairs and [negMargin − d_n]₊ over
 *   negative pairs (similarities: [posMargin − s_p]₊, [s_n − negMargin]₊); the reducer applied
 *   to each part and the two added (pytorch-metric-learning's ContrastiveLoss).
 * - form 'squared': y·d² + (1 − y)·[m² − d²]₊, mean over all pairs.
 * - form 'hadsell': y·d² + (1 − y)·([m − d]₊)², mean over all pairs (Hadsell et al. 2006).
 * The last two need a distance (not a similarity) and take no reducer.
 *
 * @example
 * const loss = new sl.losses.ContrastiveLoss();
 * const value = loss.forward(embeddings, labels); // scalar
 */
export class ContrastiveLoss extends PairBasedLoss {
  readonly name = 'ContrastiveLoss';
  protected readonly zeroOnSingleTuples = true;
  readonly form: 'margin' | 'squared' | 'hadsell';
  readonly posMargin: number;
  readonly negMargin: number;
  readonly margin: number;

  constructor(options: ContrastiveLossOptions = {}) {
    const fn = 'ContrastiveLoss';
    const { form = 'margin', posMargin = 0, negMargin = 1, margin = 1 } = options;
    if (form !== 'margin' && form !== 'squared' && form !== 'hadsell') {
      throw new Error(`${fn}: form must be 'margin', 'squared' or 'hadsell', got ${JSON.stringify(form)}`);
    }
    const distance = checkDistance(fn, options.distance, () => new LpDistance());
    if (form !== 'margin' && options.reducer !== undefined) {
      throw new Error(`${fn}: form '${form}' is the mean over all pairs and takes no reducer (the reducer applies to form 'margin')`);
    }
    if (form !== 'margin' && distance.isInverted) {
      throw new Error(`${fn}: form '${form}' squares distances and needs a distance, not a similarity (isInverted); use form 'margin'`);
    }
    super(distance, checkReducer(fn, options.reducer, () => new AvgNonZeroReducer()));
    this.form = form;
    this.posMargin = checkMargin(fn, 'posMargin', posMargin);
    this.negMargin = checkMargin(fn, 'negMargin', negMargin);
    this.margin = checkMargin(fn, 'margin', margin);
  }

  protected pairLoss(pos: PairPart, neg: PairPart): Tensor {
    let posLosses: Tensor, negLosses: Tensor;
    if (this.form === 'margin') {
      const inv = this.distance.isInverted;
      posLosses = pairLosses(inv ? PairKind.hingeBelow : PairKind.hingeAbove, pos, this.posMargin);
      negLosses = pairLosses(inv ? PairKind.hingeAbove : PairKind.hingeBelow, neg, this.negMargin);
    } else {
      posLosses = pairLosses(PairKind.square, pos);
      negLosses = pairLosses(this.form === 'squared' ? PairKind.squaredHingeBelow : PairKind.hingeBelowSquared, neg, this.margin);
    }
    this.lastStats = { active: countPositive(posLosses) + countPositive(negLosses), total: pos.count + neg.count };
    if (this.form === 'margin') return add(this.reducer.reduce(posLosses), this.reducer.reduce(negLosses));
    return mul(add(sum(posLosses), sum(negLosses)), 1 / Math.max(1, pos.count + neg.count));
  }
}
