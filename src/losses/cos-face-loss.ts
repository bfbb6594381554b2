import type { Tensor } from '../autograd/tensor';
import { mul, sub } from '../ops/eltwise';
import { LARGE_MARGIN_OPTIONS, LargeMarginSoftmaxLoss, type LargeMarginSoftmaxLossOptions } from './large-margin-softmax-loss';
import { requireOptions } from './weighted-loss';

export interface CosFaceLossOptions extends LargeMarginSoftmaxLossOptions {
  /** Subtracted from the target cosine. Default 0.35. */
  margin?: number;
  /** Default 64. */
  scale?: number;
}

/**
 * CosFace / large-margin cosine loss (Wang et al. 2018), as PML's: cross-entropy over
 * scale · cos θ with the target class's cosine lowered by margin. W [embeddingSize, numClasses].
 *
 * @example
 * const loss = new sl.losses.CosFaceLoss({ numClasses: 10, embeddingSize: 64 });
 */
export class CosFaceLoss extends LargeMarginSoftmaxLoss {
  constructor(options: CosFaceLossOptions) {
    const o = requireOptions<CosFaceLossOptions>('CosFaceLoss', options, LARGE_MARGIN_OPTIONS, ['numClasses', 'embeddingSize']);
    super(o, { name: 'CosFaceLoss', options: o, defaults: { margin: 0.35, scale: 64 } });
  }

  protected initMargin(margin: number): number {
    return margin;
  }

  protected modifyTargetCosine(c: Tensor): Tensor {
    return sub(c, this.margin);
  }

  protected scaleLogits(logits: Tensor): Tensor {
    return mul(logits, this.scale);
  }
}
