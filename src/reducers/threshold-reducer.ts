import { Tensor } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { checkOptions } from '../options';
import { maskedMean } from '../ops/masked';
import { reshape } from '../ops/shape';
import { zeroFrom } from '../ops/reduce';
import { avgNonZero, countPositive } from '../ops/loss';
import { BaseReducer } from './base-reducer';
import type { LossEntry } from './loss-dict';

export interface ThresholdReducerOptions {
  /** Keep terms > low. Default null (no lower bound). */
  low?: number | null;
  /** Keep terms < high. Default null (no upper bound). */
  high?: number | null;
}

/**
 * Mean of the terms with low < loss < high (PML's ThresholdReducer; at least one bound);
 * 0 with zero gradient when none passes. The filter is the same for every reduction type.
 *
 * @example
 * new sl.reducers.ThresholdReducer({ low: 0.1 }).forward(loss.computeLoss(embeddings, labels), embeddings, labels);
 */
export class ThresholdReducer extends BaseReducer {
  readonly name: string = 'ThresholdReducer';
  readonly low: number | null;
  readonly high: number | null;
  /** Terms that passed the filter in the last call (PML's num_past_filter). */
  numPastFilter = 0;

  constructor(options: ThresholdReducerOptions = {}) {
    super();
    const o = checkOptions<ThresholdReducerOptions>('ThresholdReducer', options, { low: ['number', 'null'], high: ['number', 'null'] });
    this.low = o.low ?? null;
    this.high = o.high ?? null;
    if (this.low === null && this.high === null) throw new Error('ThresholdReducer: give low, high or both (at least one bound)');
  }

  protected elementReduction(losses: Tensor, _entry: LossEntry, embeddings: Tensor): Tensor {
    if (this.low === 0 && this.high === null) {
      // AvgNonZeroReducer, every triplet/pair loss's default: one SIMD pass (count and sum of
      // the positive terms) instead of a mask built in JS (bench/losses.ts, TRIPLET-ALL)
      this.numPastFilter = countPositive(losses);
      return this.numPastFilter === 0 ? zeroFrom(embeddings) : avgNonZero(losses);
    }
    const v = losses.data();
    const keep = new Float32Array(v.length);
    let count = 0;
    for (let i = 0; i < v.length; i++) {
      const ok = (this.low === null || v[i] > this.low) && (this.high === null || v[i] < this.high);
      if (ok) (keep[i] = 1), count++;
    }
    this.numPastFilter = count;
    if (count === 0) return zeroFrom(embeddings);
    const mask = tensor(keep, [1, v.length]);
    return reshape(maskedMean(reshape(losses, [1, v.length]), mask), []);
  }
}
