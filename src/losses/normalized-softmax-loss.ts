import type { Tensor } from '../autograd/tensor';
import { DotProductSimilarity } from '../distances/dot-product-similarity';
import { div } from '../ops/eltwise';
import { transpose } from '../ops/gemm';
import { l2Normalize } from '../ops/reduce';
import { neg } from '../ops/unary';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import type { LossInputs } from './base-metric-loss-function';
import { CLASS_WEIGHT_OPTIONS, BaseWeightedLoss, normalInit, requireOptions, type WeightLossOptions } from './weighted-loss';

export interface NormalizedSoftmaxLossOptions extends WeightLossOptions {
  numClasses: number;
  embeddingSize: number;
  /** Divides the similarities. Default 0.05. */
  temperature?: number;
}

/**
 * Normalized softmax (Zhai & Wu 2018), as PML's: cross-entropy over the similarities between
 * the embeddings and the L2-normalised columns of W [embeddingSize, numClasses], divided by
 * temperature (negated for a distance). Defaults DotProductSimilarity (which normalises the
 * embeddings), MeanReducer, W ~ N(0, 1).
 *
 * @example
 * const loss = new sl.losses.NormalizedSoftmaxLoss({ numClasses: 10, embeddingSize: 64 });
 */
export class NormalizedSoftmaxLoss extends BaseWeightedLoss {
  readonly embeddingSize: number;
  readonly temperature: number;
  /** [embeddingSize, numClasses] */
  readonly W: Tensor;

  constructor(options: NormalizedSoftmaxLossOptions) {
    const name = 'NormalizedSoftmaxLoss';
    const o = requireOptions<NormalizedSoftmaxLossOptions>(name, options, { ...CLASS_WEIGHT_OPTIONS, temperature: 'number' }, ['numClasses', 'embeddingSize']);
    super(name, o, { distance: () => new DotProductSimilarity(), reducer: () => new MeanReducer() }, ['loss'], o.numClasses, { W: [o.embeddingSize, o.numClasses] }, normalInit);
    this.embeddingSize = o.embeddingSize;
    this.temperature = o.temperature ?? 0.05;
    this.W = this.stateDict().W;
  }

  /** Similarities to the normalised class columns / temperature [n, numClasses]. */
  getLogits(embeddings: Tensor): Tensor {
    const logits = div(this.distance.pairwise(embeddings, l2Normalize(transpose(this.W))), this.temperature);
    return this.distance.isInverted ? logits : neg(logits);
  }

  protected compute(x: LossInputs): LossDict {
    const labels = this.classLabels(x);
    this.checkSize(x, this.embeddingSize);
    return this.withWeightReg({ loss: this.crossEntropyEntry(x, this.getLogits(x.embeddings), labels) }, () => transpose(this.W));
  }
}
