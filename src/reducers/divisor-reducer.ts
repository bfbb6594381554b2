import type { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { div } from '../ops/eltwise';
import { sum, zeroFrom } from '../ops/reduce';
import { BaseReducer } from './base-reducer';
import type { LossEntry } from './loss-dict';

/**
 * Sum of the terms divided by the entry's `divisor` (PML's DivisorReducer, for losses that
 * state their own normaliser); 0 with zero gradient when the divisor is 0.
 */
export class DivisorReducer extends BaseReducer {
  readonly name: string = 'DivisorReducer';
  /** The divisor of the last call. */
  divisor = 0;

  constructor(options?: Record<string, never>) {
    super();
    checkOptions('DivisorReducer', options, {});
  }

  protected elementReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor): Tensor {
    const d = entry.divisor;
    if (typeof d !== 'number' || Number.isNaN(d)) throw new Error(`${this.name}.forward: the loss entry needs a numeric divisor, got ${String(d)}`);
    this.divisor = d;
    if (d === 0) return zeroFrom(embeddings);
    return div(sum(losses), d);
  }
}
