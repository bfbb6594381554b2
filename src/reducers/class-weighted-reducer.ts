import { Tensor, fmtShape } from '../autograd/tensor';
import { checkOptions } from '../options';
import { indexSelect } from '../ops/gather';
import { mul } from '../ops/eltwise';
import { mean } from '../ops/reduce';
import { BaseReducer, anchorsOf } from './base-reducer';
import type { LossEntry } from './loss-dict';

export interface ClassWeightedReducerOptions {
  /** A weight per class [numClasses], indexed by label. Required. */
  weights: Tensor;
}

/**
 * Mean of the terms each times the weight of its anchor's class, weights[labels[anchor]]
 * (PML's ClassWeightedReducer; pair and triplet terms are weighted by their first column).
 *
 * @example
 * new sl.reducers.ClassWeightedReducer({ weights: sl.tensor([1, 2, 0.5]) });
 */
export class ClassWeightedReducer extends BaseReducer {
  readonly name: string = 'ClassWeightedReducer';
  readonly weights: Tensor;

  constructor(options: ClassWeightedReducerOptions) {
    super();
    const fn = 'ClassWeightedReducer';
    if (options === undefined) throw new TypeError(`${fn}: options { weights } are required (a Tensor [numClasses])`);
    const { weights } = checkOptions<ClassWeightedReducerOptions>(fn, options, { weights: 'tensor' });
    if (!weights) throw new TypeError(`${fn}: weights is required (a Tensor [numClasses])`);
    if (weights.shape.length !== 1) throw new Error(`${fn}: weights must be a vector [numClasses], got ${fmtShape(weights.shape)}`);
    this.weights = weights;
  }

  protected elementReduction(losses: Tensor, entry: LossEntry, _embeddings: Tensor, labels: Int32Array | null): Tensor {
    const indices = anchorsOf(entry);
    const fn = `${this.name}.forward`;
    if (labels === null) throw new Error(`${fn}: labels are required (the weights are per class)`);
    const classes = Int32Array.from(indices, (i) => labels[i]);
    const bad = classes.findIndex((c) => c < 0 || c >= this.weights.size);
    if (bad >= 0) throw new Error(`${fn}: label ${classes[bad]} has no weight: weights is ${fmtShape(this.weights.shape)}`);
    return mean(mul(losses, indexSelect(this.weights, classes)));
  }
}
