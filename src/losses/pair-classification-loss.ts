import { Tensor } from '../autograd/tensor';
import { mul, sub } from '../ops/eltwise';
import { PairKind, bceWithLogits, pairLosses } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import { DivisorReducer } from '../reducers/divisor-reducer';
import type { LossDict } from '../reducers/loss-dict';
import { checkMargin, checkPositive, type Distance } from '../tuples/checks';
import { PairBasedLoss, pairEntry, type PairPart } from './pair-based-loss';
import { constantTargets } from './similarity-regression-loss';

export interface PairClassificationLossOptions {
  /** Decision threshold on the distance (similarity); a number or a learnable scalar Tensor. Default 1. */
  margin?: number | Tensor;
  /** Logit scale; a number or a learnable scalar Tensor. Default 1. */
  scale?: number | Tensor;
  /** Default LpDistance() (Euclidean on L2-normalised embeddings). */
  distance?: Distance;
  /** Adds embeddingRegWeight · regularizer(embeddings) to forward(). Default none. */
  embeddingRegularizer?: { forward(x: Tensor): Tensor } | null;
  /** Default 1. */
  embeddingRegWeight?: number;
}

/**
 * Pairs classified as similar (1) or dissimilar (0): binary cross-entropy with logits
 * z = scale·(margin − d), mean over pairs, stable for any |z|. For an inverted distance
 * (a similarity s, larger = closer) the logit is z = scale·(s − margin), so that z still
 * grows with similarity. margin and scale may be scalar Tensors with requiresGrad: their
 * gradients flow like any parameter's. (simlearn's own loss, not PML's.)
 *
 * @example
 * const margin = sl.tensor(1, [], { requiresGrad: true });
 * const loss = new sl.losses.PairClassificationLoss({ margin });
 * loss.pairs(a, b, [1, 0, 1]).backward(); // margin.grad
 */
export class PairClassificationLoss extends PairBasedLoss {
  readonly margin: number | Tensor;
  readonly scale: number | Tensor;

  constructor(options: PairClassificationLossOptions = {}) {
    const fn = 'PairClassificationLoss';
    const o = checkOptions<PairClassificationLossOptions>(fn, options, {
      margin: ['number', 'tensor'], scale: ['number', 'tensor'], distance: 'object', embeddingRegularizer: ['object', 'null'], embeddingRegWeight: 'number',
    });
    super(fn, o, { distance: () => new LpDistance(), reducer: () => new DivisorReducer() }, ['posLoss', 'negLoss']);
    const { margin = 1, scale = 1 } = o;
    this.margin = margin instanceof Tensor ? scalarParam(fn, 'margin', margin) : checkMargin(fn, 'margin', margin);
    this.scale = scale instanceof Tensor ? scalarParam(fn, 'scale', scale) : checkPositive(fn, 'scale', scale);
  }

  /** The logits of a set of pairs. */
  private logits(part: PairPart): Tensor {
    const v = pairLosses(PairKind.value, part);
    const centred = this.distance.isInverted ? sub(v, this.margin) : mul(sub(v, this.margin), -1);
    return mul(centred, this.scale);
  }

  protected pairTerms(pos: PairPart, neg: PairPart): LossDict {
    const total = pos.count + neg.count;
    const [p, n] = [pos, neg].map((part) => {
      const targets = constantTargets(part.target, part.count);
      try {
        return bceWithLogits(this.logits(part), targets);
      } finally {
        targets.dispose();
      }
    });
    return { posLoss: pairEntry(p, pos, 'pos_pair', total), negLoss: pairEntry(n, neg, 'neg_pair', total) };
  }
}

function scalarParam(fn: string, name: string, t: Tensor): Tensor {
  t.ptr;
  if (t.size !== 1) throw new Error(`${fn}: ${name} must be a number or a one-element Tensor, got a Tensor [${t.shape.join(', ')}]`);
  return t;
}
