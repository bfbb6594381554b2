import type { Tensor } from '../autograd/tensor';
import { mean, sum } from '../ops/reduce';
import type { Reducer } from './base-reducer';

/** Mean of every per-tuple loss; 0 for no tuples. */
export class MeanReducer implements Reducer {
  reduce(losses: Tensor): Tensor {
    // the sum of nothing is 0 (mean would be NaN) and keeps the graph connected
    return losses.size === 0 ? sum(losses) : mean(losses);
  }
}
