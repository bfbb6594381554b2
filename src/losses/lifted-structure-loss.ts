import { tensor } from '../autograd/create';
import { LpDistance } from '../distances/lp-distance';
import { add, mul, relu } from '../ops/eltwise';
import { gatherElements, indexSelect } from '../ops/gather';
import { transpose } from '../ops/gemm';
import { stackRows } from '../ops/loss';
import { maskedLogsumexp } from '../ops/masked';
import { reshape } from '../ops/shape';
import { square } from '../ops/unary';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import { pairRowLogsumexp } from './pair-rows';

export interface LiftedStructureLossOptions extends BaseLossOptions {
  /** Default 1. */
  negMargin?: number;
  /** Default 0. */
  posMargin?: number;
}

/**
 * Lifted structure loss (Oh Song et al. 2016), as PML's: per positive pair (a, p),
 * ½·[LSE over the negative pairs whose anchor is a or p of (negMargin − d_n) + d_ap − posMargin]₊²
 * (margins flipped for a similarity; an index compared as PML compares it, p against the
 * negative pairs' anchors). Defaults LpDistance, MeanReducer over positive pairs.
 *
 * @example
 * new sl.losses.LiftedStructureLoss({ negMargin: 1 }).forward(embeddings, labels);
 */
export class LiftedStructureLoss extends BaseMetricLossFunction {
  readonly negMargin: number;
  readonly posMargin: number;

  constructor(options: LiftedStructureLossOptions = {}) {
    const o = checkOptions<LiftedStructureLossOptions>('LiftedStructureLoss', options, { ...BASE_LOSS_OPTIONS, negMargin: 'number', posMargin: 'number' });
    super('LiftedStructureLoss', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    this.negMargin = o.negMargin ?? 1;
    this.posMargin = o.posMargin ?? 0;
  }

  protected compute(x: LossInputs): LossDict {
    const pairs = this.contrastedPairIndices(x);
    if (pairs === null) return this.zeroLosses();
    const [a1, p, a2, n] = pairs;
    const mat = this.distanceMatrix(x);
    const rows = mat.shape[0];
    const { lse, counts } = pairRowLogsumexp(this.distanceMargin(this.negMargin, mat), a2, n);
    // the negatives of (a, p) are those of anchor a and those of anchor p: two disjoint sets
    // (unless p = a), so their logsumexp is that of the two per-anchor logsumexps
    const pRow = Int32Array.from(p, (j) => (j < rows ? j : 0));
    const both = transpose(stackRows([reshape(indexSelect(lse, a1), [1, a1.length]), reshape(indexSelect(lse, pRow), [1, a1.length])]));
    const keep = new Float32Array(2 * a1.length);
    a1.forEach((a, i) => {
      keep[2 * i] = counts[a] > 0 ? 1 : 0;
      keep[2 * i + 1] = p[i] < rows && p[i] !== a && counts[p[i]] > 0 ? 1 : 0;
    });
    const negLoss = maskedLogsumexp(both, tensor(keep, [a1.length, 2]));
    const perPair = relu(add(negLoss, this.distanceMargin(gatherElements(mat, a1, p), this.posMargin)));
    // ½: each positive pair is counted twice, as (a, p) and (p, a)
    return { loss: { losses: mul(square(perPair), 0.5), indices: [a1, p], reductionType: 'pos_pair' } };
  }
}
