import type { Tensor } from '../autograd/tensor';
import { sum } from '../ops/reduce';
import type { Reducer } from './base-reducer';

/** Sum of every per-tuple loss; 0 for no tuples. */
export class SumReducer implements Reducer {
  reduce(losses: Tensor): Tensor {
    return sum(losses);
  }
}
