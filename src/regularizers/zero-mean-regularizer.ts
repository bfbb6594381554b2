import type { Tensor } from '../autograd/tensor';
import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import { maskedSum } from '../ops/masked';
import { abs } from '../ops/unary';
import { MeanReducer } from '../reducers/mean-reducer';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { BASE_REGULARIZER_OPTIONS, BaseRegularizer, type BaseRegularizerOptions } from './base-regularizer';

/** |Σ_j x_ij| per row, reduced (default mean) — PML's ZeroMeanRegularizer. */
export class ZeroMeanRegularizer extends BaseRegularizer {
  constructor(options: BaseRegularizerOptions = {}) {
    const o = checkOptions<BaseRegularizerOptions>('ZeroMeanRegularizer', options, BASE_REGULARIZER_OPTIONS);
    super('ZeroMeanRegularizer', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
  }

  computeLoss(x: Tensor): LossDict {
    return { loss: elementEntry(abs(maskedSum(x, null))) };
  }
}
