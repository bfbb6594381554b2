// pytorch-metric-learning's DotProductSimilarity: x_i · y_j, a similarity. Like
// pytorch-metric-learning it normalises the embeddings by default (then it equals the cosine
// similarity); pass normalizeEmbeddings: false for the raw dot product.
import { Tensor } from '../autograd/tensor';
import { cdistDot, paired } from '../ops/distance';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';

export interface DotProductSimilarityOptions {
  normalizeEmbeddings?: boolean;
  power?: number;
}

export class DotProductSimilarity extends BaseDistance {

  constructor(options: DotProductSimilarityOptions = {}) {
    const spec = { normalizeEmbeddings: 'boolean', power: 'number' } as const;
    const { normalizeEmbeddings = true, power = 1 } = checkOptions<DotProductSimilarityOptions>('DotProductSimilarity', options, spec);
    super('DotProductSimilarity', true, normalizeEmbeddings, power);
  }

  protected degree(): number {
    return 2;
  }

  protected computePairwise(x: Tensor, y: Tensor): Tensor {
    return cdistDot(x, y);
  }

  protected computePaired(x: Tensor, y: Tensor): Tensor {
    return paired(x, y, 'dot');
  }
}
