import { DotProductSimilarity } from '../distances/dot-product-similarity';
import { sub } from '../ops/eltwise';
import { gatherElements, indexSelect } from '../ops/gather';
import { maskedLogsumexp } from '../ops/masked';
import { neg } from '../ops/unary';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { convertToPosPairsWithUniqueLabels } from '../tuples/pairs';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export type NPairsLossOptions = BaseLossOptions;

/**
 * N-pair loss (Sohn 2016), as PML's: one positive pair (a, p) per label; the similarity
 * matrix S between those anchors and positives; per anchor i the cross-entropy of row i of S
 * with target i, LSE_j S_ij − S_ii. Without refEmb (PML does not support it). Defaults:
 * DotProductSimilarity (normalising), MeanReducer. `numPairs` holds the last call's count.
 *
 * @example
 * new sl.losses.NPairsLoss().forward(embeddings, labels).backward();
 */
export class NPairsLoss extends BaseMetricLossFunction {
  /** Positive pairs (one per label) used by the last call (PML's num_pairs). */
  numPairs = 0;

  constructor(options: NPairsLossOptions = {}) {
    const o = checkOptions<NPairsLossOptions>('NPairsLoss', options, BASE_LOSS_OPTIONS);
    super('NPairsLoss', o, { distance: () => new DotProductSimilarity(), reducer: () => new MeanReducer() });
  }

  protected compute(x: LossInputs): LossDict {
    const [labels] = this.requireLabels(x);
    if (!x.refIsBatch) throw new Error('NPairsLoss: refEmb is not supported (as in pytorch-metric-learning)');
    const [a, p] = convertToPosPairsWithUniqueLabels(x.tuples, labels);
    this.numPairs = a.length;
    if (a.length === 0) return this.zeroLosses();
    const mat = this.distance.pairwise(indexSelect(x.embeddings, a), indexSelect(x.embeddings, p));
    const sim = this.distance.isInverted ? mat : neg(mat);
    const diag = Int32Array.from(a, (_, i) => i);
    return { loss: elementEntry(sub(maskedLogsumexp(sim, null), gatherElements(sim, diag, diag)), a) };
  }
}
