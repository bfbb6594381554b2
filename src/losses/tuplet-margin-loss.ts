import { tensor } from '../autograd/create';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { add, mul, sub } from '../ops/eltwise';
import { gatherElements, indexSelect } from '../ops/gather';
import { where } from '../ops/masked';
import { softplus, sqrt, square, neg } from '../ops/unary';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import { pairRowLogsumexp } from './pair-rows';

export interface TupletMarginLossOptions extends BaseLossOptions {
  /** Angular margin in degrees. Default 5.73. */
  margin?: number;
  /** Default 64. */
  scale?: number;
}

/**
 * Tuplet margin loss (Yu & Tao 2019), as PML's: per positive pair (a, p) with cosine s_ap,
 * log(1 + Σ_n e^{scale·(s_an − cos(θ_ap − margin))}) over the negative pairs of anchor a
 * (0 when a has none). CosineSimilarity only; reducer default MeanReducer over positive pairs.
 *
 * @example
 * new sl.losses.TupletMarginLoss({ margin: 5.73, scale: 64 }).forward(embeddings, labels);
 */
export class TupletMarginLoss extends BaseMetricLossFunction {
  /** In radians, as PML stores it. */
  readonly margin: number;
  readonly scale: number;

  constructor(options: TupletMarginLossOptions = {}) {
    const o = checkOptions<TupletMarginLossOptions>('TupletMarginLoss', options, { ...BASE_LOSS_OPTIONS, margin: 'number', scale: 'number' });
    super('TupletMarginLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    if (!(this.distance instanceof CosineSimilarity)) throw new Error('TupletMarginLoss: distance must be a CosineSimilarity (the loss works on angles)');
    this.margin = ((o.margin ?? 5.73) * Math.PI) / 180;
    this.scale = o.scale ?? 64;
  }

  protected compute(x: LossInputs): LossDict {
    const pairs = this.contrastedPairIndices(x);
    if (pairs === null) return this.zeroLosses();
    const [a1, p, a2, n] = pairs;
    const mat = this.distanceMatrix(x);
    const cosAp = gatherElements(mat, a1, p);
    // cos(θ − m) = cos θ·cos m + sin θ·sin m, with sin θ = √(1 − cos²θ) for θ = acos s in [0, π]
    const sinAp = sqrt(add(neg(square(cosAp)), 1));
    const shifted = add(mul(cosAp, Math.cos(this.margin)), mul(sinAp, Math.sin(this.margin)));
    const { lse, counts } = pairRowLogsumexp(mul(mat, this.scale), a2, n);
    const hasNeg = tensor(Float32Array.from(a1, (a) => (counts[a] > 0 ? 1 : 0)), [a1.length]);
    const losses = where(hasNeg, softplus(sub(indexSelect(lse, a1), mul(shifted, this.scale))), 0);
    return { loss: { losses, indices: [a1, p], reductionType: 'pos_pair' } };
  }
}
