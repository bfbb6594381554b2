import { Tensor, untracked } from '../autograd/tensor';
import { add, mul } from '../ops/eltwise';
import { sum } from '../ops/reduce';
import { PairKind, countPositive, pairLosses } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { MeanReducer } from '../reducers/mean-reducer';
import { f32, getEngine } from '../wasm/instance';
import { checkDistance, type Distance } from './base-metric-loss';
import { PairBasedLoss, type PairPart } from './pair-based-loss';

export interface SimilarityRegressionLossOptions {
  /** Default LpDistance() (Euclidean on L2-normalised embeddings). */
  distance?: Distance;
}

/**
 * Regression on a similarity score: mean (s − target)² over pairs, where s is the similarity
 * itself for an inverted distance (cosine, dot) and exp(−d) otherwise. Targets are scores in
 * [0, 1] given to pairs(a, b, y); with labels, 1 for same-class pairs and 0 otherwise.
 *
 * @example
 * const loss = new sl.losses.SimilarityRegressionLoss({ distance: new sl.distances.CosineSimilarity() });
 * loss.pairs(a, b, [0.9, 0.1, 0.5]);
 */
export class SimilarityRegressionLoss extends PairBasedLoss {
  readonly name = 'SimilarityRegressionLoss';
  protected readonly scoreTargets = true;

  constructor(options: SimilarityRegressionLossOptions = {}) {
    super(checkDistance('SimilarityRegressionLoss', options.distance, () => new LpDistance()), new MeanReducer());
  }

  protected pairLoss(pos: PairPart, neg: PairPart): Tensor {
    const kind = this.distance.isInverted ? PairKind.regression : PairKind.expRegression;
    const parts = [pos, neg].map((part) => {
      const targets = constantTargets(part.target, part.count);
      try {
        return pairLosses(kind, part, 0, targets);
      } finally {
        targets.dispose();
      }
    });
    this.lastStats = { active: countPositive(parts[0]) + countPositive(parts[1]), total: pos.count + neg.count };
    return mul(add(sum(parts[0]), sum(parts[1])), 1 / Math.max(1, pos.count + neg.count));
  }
}

/** An untracked [count] tensor of the targets (one value repeated, or per pair). */
export function constantTargets(target: number | Float32Array, count: number): Tensor {
  const t = untracked([count]);
  if (typeof target === 'number') getEngine().k.f32_fill(t.ptr, target, count);
  else if (count > 0) f32().set(target.subarray(0, count), t.ptr >>> 2);
  return t;
}
