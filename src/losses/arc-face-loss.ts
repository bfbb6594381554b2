import { tensor } from '../autograd/create';
import type { Tensor } from '../autograd/tensor';
import { add, mul, sub } from '../ops/eltwise';
import { where } from '../ops/masked';
import { clamp, neg, sqrt, square } from '../ops/unary';
import { LARGE_MARGIN_OPTIONS, LargeMarginSoftmaxLoss, type LargeMarginSoftmaxLossOptions, type LargeMarginVariant } from './large-margin-softmax-loss';
import { requireOptions } from './weighted-loss';

export interface ArcFaceLossOptions extends LargeMarginSoftmaxLossOptions {
  /** Additive angular margin in degrees, as PML. Default 28.6. */
  margin?: number;
  /** Default 64. */
  scale?: number;
}

/**
 * ArcFace / additive angular margin (Deng et al. 2019), as PML's: cross-entropy over
 * scale · cos θ with the target class's angle θ + m (m = margin in degrees, stored in
 * radians); past θ > π − m it uses cos θ − m·sin m so the logit keeps decreasing.
 * cos(θ + m) = c·cos m − √(1 − c²)·sin m with c = clamp(cos θ, −1, 1), the gradient of PML's
 * acos-then-cos. W [embeddingSize, numClasses].
 *
 * @example
 * const loss = new sl.losses.ArcFaceLoss({ numClasses: 10, embeddingSize: 64 });
 */
export class ArcFaceLoss extends LargeMarginSoftmaxLoss {
  constructor(options: ArcFaceLossOptions, variant?: LargeMarginVariant) {
    const o = variant?.options ?? requireOptions<ArcFaceLossOptions>('ArcFaceLoss', options, LARGE_MARGIN_OPTIONS, ['numClasses', 'embeddingSize']);
    super(o, variant ?? { name: 'ArcFaceLoss', options: o, defaults: { margin: 28.6, scale: 64 } });
  }

  /** Degrees to radians (np.radians). */
  protected initMargin(margin: number): number {
    return (margin * Math.PI) / 180;
  }

  protected modifyTargetCosine(cosine: Tensor): Tensor {
    const m = this.margin;
    const c = clamp(cosine, -1, 1);
    const sinTheta = sqrt(clamp(add(neg(square(c)), 1), 0));
    const plusMargin = sub(mul(c, Math.cos(m)), mul(sinTheta, Math.sin(m)));
    // θ ≤ π − m, i.e. acos(c) ≤ π − m
    const theta = Float32Array.from(c.data(), (v) => Math.acos(v));
    const inRange = tensor(Float32Array.from(theta, (t) => (t <= Math.PI - m ? 1 : 0)), c.shape);
    return where(inRange, plusMargin, sub(c, m * Math.sin(m)));
  }

  protected scaleLogits(logits: Tensor): Tensor {
    return mul(logits, this.scale);
  }
}
