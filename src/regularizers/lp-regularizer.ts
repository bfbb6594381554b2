import type { Tensor } from '../autograd/tensor';
import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import { maskedSum } from '../ops/masked';
import { abs, pow, sqrt, square } from '../ops/unary';
import { MeanReducer } from '../reducers/mean-reducer';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { BASE_REGULARIZER_OPTIONS, BaseRegularizer, type BaseRegularizerOptions } from './base-regularizer';

export interface LpRegularizerOptions extends BaseRegularizerOptions {
  /** The norm's p. Default 2. */
  p?: number;
  /** The norm raised to this power. Default 1. */
  power?: number;
}

/** ‖x_i‖_p^power per row, reduced (default mean) — PML's LpRegularizer. */
export class LpRegularizer extends BaseRegularizer {
  readonly p: number;
  readonly power: number;

  constructor(options: LpRegularizerOptions = {}) {
    const o = checkOptions<LpRegularizerOptions>('LpRegularizer', options, { ...BASE_REGULARIZER_OPTIONS, p: 'number', power: 'number' });
    super('LpRegularizer', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    this.p = o.p ?? 2;
    this.power = o.power ?? 1;
    if (!(this.p > 0)) throw new Error(`LpRegularizer: p must be > 0, got ${this.p}`);
  }

  computeLoss(x: Tensor): LossDict {
    let norms: Tensor;
    if (this.p === 2) norms = sqrt(maskedSum(square(x), null));
    else if (this.p === 1) norms = maskedSum(abs(x), null);
    else norms = pow(maskedSum(pow(abs(x), this.p), null), 1 / this.p);
    return { loss: elementEntry(this.power === 1 ? norms : pow(norms, this.power)) };
  }
}
