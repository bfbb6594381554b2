import type { Tensor } from '../autograd/tensor';
import { avgNonZero } from '../ops/loss';
import type { Reducer } from './base-reducer';

/**
 * Mean over the per-tuple losses that are > 0, so tuples that already satisfy the margin do
 * not dilute the loss; 0 with zero gradient when none is. Default of ContrastiveLoss and
 * TripletMarginLoss.
 */
export class AvgNonZeroReducer implements Reducer {
  reduce(losses: Tensor): Tensor {
    return avgNonZero(losses);
  }
}
