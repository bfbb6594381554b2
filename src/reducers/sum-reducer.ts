import type { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { sum } from '../ops/reduce';
import { BaseReducer } from './base-reducer';

/** Sum of every term (PML's SumReducer); 0 when there is none. */
export class SumReducer extends BaseReducer {
  readonly name: string = 'SumReducer';

  constructor(options?: Record<string, never>) {
    super();
    checkOptions('SumReducer', options, {});
  }

  protected elementReduction(losses: Tensor): Tensor {
    return sum(losses);
  }
}
