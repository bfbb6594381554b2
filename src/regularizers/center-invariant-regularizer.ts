import type { Tensor } from '../autograd/tensor';
import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import { div, sub } from '../ops/eltwise';
import { maskedSum } from '../ops/masked';
import { mean } from '../ops/reduce';
import { square } from '../ops/unary';
import { MeanReducer } from '../reducers/mean-reducer';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { BASE_REGULARIZER_OPTIONS, BaseRegularizer, type BaseRegularizerOptions } from './base-regularizer';

/**
 * (‖w_i‖² − mean_j ‖w_j‖²)² / 4 per row of a weight matrix, reduced (default mean) — PML's
 * CenterInvariantRegularizer (its distance: LpDistance({ normalizeEmbeddings: false })).
 */
export class CenterInvariantRegularizer extends BaseRegularizer {
  constructor(options: BaseRegularizerOptions = {}) {
    const o = checkOptions<BaseRegularizerOptions>('CenterInvariantRegularizer', options, BASE_REGULARIZER_OPTIONS);
    super('CenterInvariantRegularizer', o, { distance: () => new LpDistance({ normalizeEmbeddings: false }), reducer: () => new MeanReducer() });
  }

  computeLoss(weights: Tensor): LossDict {
    const sq = maskedSum(square(weights), null);
    return { loss: elementEntry(div(square(sub(sq, mean(sq))), 4)) };
  }
}
