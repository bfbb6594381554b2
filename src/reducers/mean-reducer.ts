import type { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { mean } from '../ops/reduce';
import { BaseReducer } from './base-reducer';

/** Mean of every term (PML's MeanReducer); 0 with zero gradient when there is none. */
export class MeanReducer extends BaseReducer {
  readonly name: string = 'MeanReducer';

  constructor(options?: Record<string, never>) {
    super();
    checkOptions('MeanReducer', options, {});
  }

  protected elementReduction(losses: Tensor): Tensor {
    return mean(losses);
  }
}
