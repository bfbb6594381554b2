import { CosineSimilarity } from '../distances/cosine-similarity';
import { checkOptions } from '../options';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import type { LossDict } from '../reducers/loss-dict';
import { BASE_LOSS_OPTIONS, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import { PairLseLoss } from './pair-lse-loss';

export interface CircleLossOptions extends BaseLossOptions {
  /** Relaxation factor. Default 0.4. */
  m?: number;
  /** Scale factor. Default 80. */
  gamma?: number;
}

/**
 * Circle loss (Sun et al. 2020), as PML's: per anchor, softplus(LSE_p −γ·[1 + m − s_p]₊·(s_p − (1 − m))
 * + LSE_n γ·[s_n + m]₊·(s_n − m)), the weights [·]₊ taken without gradient; 0 for an anchor
 * lacking positives or negatives. CosineSimilarity only; reducer default AvgNonZeroReducer.
 *
 * @example
 * new sl.losses.CircleLoss({ m: 0.25, gamma: 256 }).forward(embeddings, labels);
 */
export class CircleLoss extends PairLseLoss {
  readonly m: number;
  readonly gamma: number;

  constructor(options: CircleLossOptions = {}) {
    const o = checkOptions<CircleLossOptions>('CircleLoss', options, { ...BASE_LOSS_OPTIONS, m: 'number', gamma: 'number' });
    super('CircleLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new AvgNonZeroReducer() });
    if (!(this.distance instanceof CosineSimilarity)) throw new Error('CircleLoss: distance must be a CosineSimilarity');
    this.m = o.m ?? 0.4;
    this.gamma = o.gamma ?? 80;
  }

  protected compute(x: LossInputs): LossDict {
    // optimum O_p = 1 + m, O_n = −m; decision margins Δ_p = 1 − m, Δ_n = m
    return this.pairLse(x, 'circle', { a: -this.gamma, b: 1 - this.m, o: 1 + this.m }, { a: this.gamma, b: this.m, o: -this.m });
  }
}
