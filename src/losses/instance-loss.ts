import { CosineSimilarity } from '../distances/cosine-similarity';
import { uniqueInverse } from '../learners/input';
import { crossEntropyLosses, selfCrossEntropyLosses } from '../ops/cross-entropy';
import { checkPair } from '../distances/validate';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface InstanceLossOptions extends BaseLossOptions {
  /** Scale of the cosine similarities. Default 64. */
  gamma?: number;
}

/**
 * Instance loss (Zheng et al. 2020), as PML's: the rows of gamma·cos(x_i, x_j) as logits and
 * the rank of each sample's label among the batch's sorted distinct labels as its target,
 * cross-entropy per sample (PML indexes the batch's columns with those ranks). Labels only
 * (no tuples, no refEmb). CosineSimilarity only; reducer default MeanReducer.
 *
 * @example
 * new sl.losses.InstanceLoss({ gamma: 64 }).forward(embeddings, labels);
 */
export class InstanceLoss extends BaseMetricLossFunction {
  readonly gamma: number;

  constructor(options: InstanceLossOptions = {}) {
    const o = checkOptions<InstanceLossOptions>('InstanceLoss', options, { ...BASE_LOSS_OPTIONS, gamma: 'number' });
    super('InstanceLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    if (!(this.distance instanceof CosineSimilarity)) throw new Error('InstanceLoss: distance must be a CosineSimilarity');
    this.gamma = o.gamma ?? 64;
  }

  protected compute(x: LossInputs): LossDict {
    const [labels] = this.requireLabels(x);
    if (x.tuples !== null) throw new Error('InstanceLoss: index tuples are not supported (as in pytorch-metric-learning)');
    if (!x.refIsBatch) throw new Error('InstanceLoss: refEmb is not supported (as in pytorch-metric-learning)');
    // torch.unique(labels, return_inverse=True): each label's rank among the sorted distinct labels
    const target = uniqueInverse(labels).inverse;
    const cos = this.distance as CosineSimilarity; // checked in the constructor
    if (cos.power !== 1) return { loss: elementEntry(crossEntropyLosses(cos.pairwise(x.embeddings), target, 'InstanceLoss', this.gamma)) };
    // the batch against itself, the product and the cross-entropy of gamma·cos as one op (the
    // distance's own checks first: a non-finite embedding is the same error)
    checkPair(`${cos.name}.pairwise`, x.embeddings, x.embeddings, 'pairwise');
    return { loss: elementEntry(selfCrossEntropyLosses(cos.normalize(x.embeddings), target, this.gamma)) };
  }
}
