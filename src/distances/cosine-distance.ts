// The cosine distance 1 − x̂·ŷ (the 'cosine' metric name, as scipy's cdist): a distance, not
// a similarity. Not a metric: it breaks the triangle inequality.
import { Tensor } from '../autograd/tensor';
import { affine, cdistDot, paired } from '../ops/distance';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';

export class CosineDistance extends BaseDistance {

  constructor(options: { power?: number } = {}) {
    const { power = 1 } = checkOptions<{ power?: number }>('CosineDistance', options, { power: 'number' });
    super('CosineDistance', false, true, power);
  }

  protected computePairwise(x: Tensor, y: Tensor): Tensor {
    return affine(cdistDot(x, y), -1, 1);
  }

  protected computePaired(x: Tensor, y: Tensor): Tensor {
    return affine(paired(x, y, 'dot'), -1, 1);
  }
}
