import type { Tensor } from '../autograd/tensor';
import { sum } from '../ops/reduce';
import { MeanReducer } from './mean-reducer';

/** Sum of every term (PML's SumReducer); 0 when there is none. */
export class SumReducer extends MeanReducer {
  readonly name: string = 'SumReducer';

  protected elementReduction(losses: Tensor): Tensor {
    return sum(losses);
  }
}
