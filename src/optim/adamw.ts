import { Tensor } from '../autograd/tensor';
import { Adam, type AdamOptions } from './adam';

/**
 * AdamW as torch.optim.AdamW: decoupled weight decay, p *= 1 − lr·weightDecay before the
 * Adam update; weightDecay defaults to 0.01.
 * @example const opt = new sl.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options, 'AdamW', 0.01, true);
  }
}
