import type { Tensor } from '../autograd/tensor';
import { mul } from '../ops/eltwise';
import { sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { sqrt, square } from '../ops/unary';
import { LARGE_MARGIN_OPTIONS, LargeMarginSoftmaxLoss, type LargeMarginSoftmaxLossOptions } from './large-margin-softmax-loss';
import { requireOptions } from './weighted-loss';

/**
 * SphereFace / angular softmax (Liu et al. 2017), as PML's: LargeMarginSoftmaxLoss's
 * (−1)ᵏ cos(mθ) − 2k target (margin an integer, default 4) with the logits scaled by the
 * embedding norm only (times scale, default 1). W [embeddingSize, numClasses].
 *
 * @example
 * const loss = new sl.losses.SphereFaceLoss({ numClasses: 10, embeddingSize: 64 });
 */
export class SphereFaceLoss extends LargeMarginSoftmaxLoss {
  constructor(options: LargeMarginSoftmaxLossOptions) {
    const o = requireOptions<LargeMarginSoftmaxLossOptions>('SphereFaceLoss', options, LARGE_MARGIN_OPTIONS, ['numClasses', 'embeddingSize']);
    super(o, { name: 'SphereFaceLoss', options: o, defaults: { margin: 4, scale: 1 } });
  }

  protected scaleLogits(logits: Tensor, embeddings: Tensor): Tensor {
    const xNorms = reshape(sqrt(sum(square(embeddings), 1)), [embeddings.shape[0], 1]);
    return mul(mul(logits, xNorms), this.scale);
  }
}
