import { Tensor } from '../autograd/tensor';
import { add, mul, sub } from '../ops/eltwise';
import { sum } from '../ops/reduce';
import { PairKind, bceWithLogits, countPositive, pairLosses } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { MeanReducer } from '../reducers/mean-reducer';
import { checkDistance, checkMargin, checkPositive, type Distance } from './base-metric-loss';
import { PairBasedLoss, type PairPart } from './pair-based-loss';
import { constantTargets } from './similarity-regression-loss';

export interface PairClassificationLossOptions {
  /** Decision threshold on the distance (similarity); a number or a learnable scalar Tensor. Default 1. */
  margin?: number | Tensor;
  /** Logit scale; a number or a learnable scalar Tensor. Default 1. */
  scale?: number | Tensor;
  /** Default LpDistance() (Euclidean on L2-normalised embeddings). */
  distance?: Distance;
}

/**
 * Pairs classified as similar (1) or dissimilar (0): binary cross-entropy with logits
 * z = scale·(margin − d), mean over pairs, stable for any |z|. For an inverted distance
 * (a similarity s, larger = closer) the logit is z = scale·(s − margin), so that z still
 * grows with similarity. margin and scale may be scalar Tensors with requiresGrad: their
 * gradients flow like any parameter's.
 *
 * @example
 * const margin = sl.tensor(1, [], { requiresGrad: true });
 * const loss = new sl.losses.PairClassificationLoss({ margin });
 * loss.pairs(a, b, [1, 0, 1]).backward(); // margin.grad
 */
export class PairClassificationLoss extends PairBasedLoss {
  readonly name = 'PairClassificationLoss';
  readonly margin: number | Tensor;
  readonly scale: number | Tensor;

  constructor(options: PairClassificationLossOptions = {}) {
    const fn = 'PairClassificationLoss';
    const { margin = 1, scale = 1 } = options;
    super(checkDistance(fn, options.distance, () => new LpDistance()), new MeanReducer());
    this.margin = margin instanceof Tensor ? scalarParam(fn, 'margin', margin) : checkMargin(fn, 'margin', margin);
    this.scale = scale instanceof Tensor ? scalarParam(fn, 'scale', scale) : checkPositive(fn, 'scale', scale);
  }

  /** The logits of a set of pairs. */
  private logits(part: PairPart): Tensor {
    const v = pairLosses(PairKind.value, part);
    const centred = this.distance.isInverted ? sub(v, this.margin) : mul(sub(v, this.margin), -1);
    return mul(centred, this.scale);
  }

  protected pairLoss(pos: PairPart, neg: PairPart): Tensor {
    const parts = [pos, neg].map((part) => {
      const targets = constantTargets(part.target, part.count);
      try {
        return bceWithLogits(this.logits(part), targets);
      } finally {
        targets.dispose();
      }
    });
    this.lastStats = { active: countPositive(parts[0]) + countPositive(parts[1]), total: pos.count + neg.count };
    return mul(add(sum(parts[0]), sum(parts[1])), 1 / Math.max(1, pos.count + neg.count));
  }
}

function scalarParam(fn: string, name: string, t: Tensor): Tensor {
  t.ptr;
  if (t.size !== 1) throw new Error(`${fn}: ${name} must be a number or a one-element Tensor, got a Tensor [${t.shape.join(', ')}]`);
  return t;
}
