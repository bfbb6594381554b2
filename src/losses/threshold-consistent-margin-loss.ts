// Threshold-consistent margin loss (Zhang et al. 2023), as PML's
// ThresholdConsistentMarginLoss: the mean shortfall of the positive pairs' cosine similarity
// below marginPlus (over the pairs below it) plus the mean excess of the negative pairs' above
// marginMinus (over the pairs above it), weighted by lambdaPlus and lambdaMinus. The pairs come
// from labels or tuples; CosineSimilarity only. PML indexes the batch with the reference
// indices (refEmb is ignored there), so refEmb is refused here.
import { Tensor } from '../autograd/tensor';
import { add, mul, sub } from '../ops/eltwise';
import { cdistDot } from '../ops/distance';
import { gatherElements } from '../ops/gather';
import { ge, le } from '../ops/masked';
import { l2Normalize, sum } from '../ops/reduce';
import { neg } from '../ops/unary';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface ThresholdConsistentMarginLossOptions extends BaseLossOptions {
  /** Default 1. */
  lambdaPlus?: number;
  /** Default 1. */
  lambdaMinus?: number;
  /** Default 0.9. */
  marginPlus?: number;
  /** Default 0.5. */
  marginMinus?: number;
}

export class ThresholdConsistentMarginLoss extends BaseMetricLossFunction {
  readonly lambdaPlus: number;
  readonly lambdaMinus: number;
  readonly marginPlus: number;
  readonly marginMinus: number;

  constructor(options: ThresholdConsistentMarginLossOptions = {}) {
    const o = checkOptions<ThresholdConsistentMarginLossOptions>('ThresholdConsistentMarginLoss', options,
      { ...BASE_LOSS_OPTIONS, lambdaPlus: 'number', lambdaMinus: 'number', marginPlus: 'number', marginMinus: 'number' });
    super('ThresholdConsistentMarginLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    if (!(this.distance instanceof CosineSimilarity)) throw new Error('ThresholdConsistentMarginLoss: distance must be a CosineSimilarity');
    this.lambdaPlus = o.lambdaPlus ?? 1;
    this.lambdaMinus = o.lambdaMinus ?? 1;
    this.marginPlus = o.marginPlus ?? 0.9;
    this.marginMinus = o.marginMinus ?? 0.5;
  }

  protected compute(x: LossInputs): LossDict {
    if (!x.refIsBatch) throw new Error('ThresholdConsistentMarginLoss: refEmb is not supported (pytorch-metric-learning ignores it and indexes the batch)');
    const [a1, p, a2, n] = this.pairIndices(x);
    // every pair's cosine is an entry of one n × n product of the normalised batch: gathering
    // the pairs' rows instead (as PML does) moves 2 · pairs · d floats, 64 MB at n = 256, d = 128
    const z = l2Normalize(x.embeddings);
    const sims = cdistDot(z, z);
    const cos = (i: Int32Array, j: Int32Array) => gatherElements(sims, i, j);
    // each part: the mean of the violations over the violating pairs, 0 (no term) when none violate
    const part = (viol: Tensor, count: number, weight: number) => mul(sum(viol), weight / count);
    let loss: Tensor | null = null;
    if (a1.length > 0) {
      const s = cos(a1, p);
      const mask = le(s, this.marginPlus);
      const count = countOnes(mask);
      if (count > 0) loss = part(mul(add(neg(s), this.marginPlus), mask), count, this.lambdaPlus);
    }
    if (a2.length > 0) {
      const s = cos(a2, n);
      const mask = ge(s, this.marginMinus);
      const count = countOnes(mask);
      if (count > 0) {
        const negPart = part(mul(sub(s, this.marginMinus), mask), count, this.lambdaMinus);
        loss = loss === null ? negPart : add(loss, negPart);
      }
    }
    if (loss === null) return this.zeroLosses();
    return { loss: { losses: loss, indices: null, reductionType: 'already_reduced' } };
  }
}

function countOnes(mask: Tensor): number {
  let c = 0;
  for (const v of mask.data()) c += v;
  return c;
}
