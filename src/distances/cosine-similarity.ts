// pytorch-metric-learning's CosineSimilarity: x̂_i · ŷ_j on L2-normalised embeddings
// (F.normalize, eps 1e-12: a zero vector has similarity 0 to everything). A similarity.
import { Tensor } from '../autograd/tensor';
import { cdistDot, paired } from '../ops/distance';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';

export interface CosineSimilarityOptions {
  power?: number;
}

export class CosineSimilarity extends BaseDistance {

  constructor(options: CosineSimilarityOptions & { normalizeEmbeddings?: boolean } = {}) {
    const spec = { power: 'number', normalizeEmbeddings: 'boolean' } as const;
    const { power = 1, normalizeEmbeddings } = checkOptions<typeof options>('CosineSimilarity', options, spec);
    if (normalizeEmbeddings === false) {
      throw new Error('CosineSimilarity: normalizeEmbeddings must be true (use DotProductSimilarity({ normalizeEmbeddings: false }) for raw dot products)');
    }
    super('CosineSimilarity', true, true, power);
  }

  protected computePairwise(x: Tensor, y: Tensor): Tensor {
    return cdistDot(x, y);
  }

  protected computePaired(x: Tensor, y: Tensor): Tensor {
    return paired(x, y, 'dot');
  }
}
