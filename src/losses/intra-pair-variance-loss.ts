import type { Tensor } from '../autograd/tensor';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { mul, relu, sub } from '../ops/eltwise';
import { gatherElements } from '../ops/gather';
import { mean } from '../ops/reduce';
import { square } from '../ops/unary';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface IntraPairVarianceLossOptions extends BaseLossOptions {
  /** Default 0.01. */
  posEps?: number;
  /** Default 0.01. */
  negEps?: number;
}

/**
 * Intra-pair variance loss (Yu et al. 2019), as PML's: positive pairs pay
 * [(1 − posEps)·mean(s⁺) − s⁺]₊² and negative pairs [s⁻ − (1 + negEps)·mean(s⁻)]₊² (the
 * roles swapped for a distance), the batch means differentiated through. Sub-losses posLoss
 * and negLoss; defaults CosineSimilarity, MeanReducer per sub-loss.
 *
 * @example
 * new sl.losses.IntraPairVarianceLoss({ posEps: 0.01, negEps: 0.01 }).forward(embeddings, labels);
 */
export class IntraPairVarianceLoss extends BaseMetricLossFunction {
  readonly posEps: number;
  readonly negEps: number;

  constructor(options: IntraPairVarianceLossOptions = {}) {
    const o = checkOptions<IntraPairVarianceLossOptions>('IntraPairVarianceLoss', options, { ...BASE_LOSS_OPTIONS, posEps: 'number', negEps: 'number' });
    super('IntraPairVarianceLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() }, ['posLoss', 'negLoss']);
    this.posEps = o.posEps ?? 0.01;
    this.negEps = o.negEps ?? 0.01;
  }

  protected compute(x: LossInputs): LossDict {
    const pairs = this.genericPairIndices(x);
    if (pairs === null) return this.zeroLosses('posLoss', 'negLoss');
    const [a1, p, a2, n] = pairs;
    const mat = this.distanceMatrix(x);
    const inverted = this.distance.isInverted;
    const term = (rows: Int32Array, cols: Int32Array, eps: number, increase: boolean): Tensor | 0 => {
      if (rows.length === 0) return 0;
      const s = gatherElements(mat, rows, cols);
      const m = mean(s);
      return square(relu(increase ? sub(mul(m, 1 - eps), s) : sub(s, mul(m, 1 + eps))));
    };
    return {
      posLoss: { losses: term(a1, p, this.posEps, inverted), indices: [a1, p], reductionType: 'pos_pair' },
      negLoss: { losses: term(a2, n, this.negEps, !inverted), indices: [a2, n], reductionType: 'neg_pair' },
    };
  }
}
