import type { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import type { Labels } from '../tuples/batch';
import { checkDict } from './base-reducer';
import type { LossDict } from './loss-dict';

/**
 * Returns the loss dictionary itself (PML's DoNothingReducer): a loss built with it returns
 * its unreduced terms from forward(), for the caller to reduce.
 */
export class DoNothingReducer {
  readonly name: string = 'DoNothingReducer';

  constructor(options?: Record<string, never>) {
    checkOptions('DoNothingReducer', options, {});
  }

  forward(lossDict: LossDict, _embeddings?: Tensor, _labels?: Labels | null): LossDict {
    checkDict(`${this.name}.forward`, lossDict);
    return lossDict;
  }
}
