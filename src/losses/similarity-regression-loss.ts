import { Tensor, untracked } from '../autograd/tensor';
import { PairKind, pairLosses } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import { DivisorReducer } from '../reducers/divisor-reducer';
import type { LossDict } from '../reducers/loss-dict';
import type { Distance } from '../tuples/checks';
import { f32, getEngine } from '../wasm/instance';
import { PairBasedLoss, pairEntry, type PairPart } from './pair-based-loss';

export interface SimilarityRegressionLossOptions {
  /** Default LpDistance() (Euclidean on L2-normalised embeddings). */
  distance?: Distance;
  /** Adds embeddingRegWeight · regularizer(embeddings) to forward(). Default none. */
  embeddingRegularizer?: { forward(x: Tensor): Tensor } | null;
  /** Default 1. */
  embeddingRegWeight?: number;
}

/**
 * Regression on a similarity score: mean (s − target)² over pairs, where s is the similarity
 * itself for an inverted distance (cosine, dot) and exp(−d) otherwise. Targets are scores in
 * [0, 1] given to pairs(a, b, y); with labels, 1 for same-class pairs and 0 otherwise.
 * (simlearn's own loss, not PML's: the mean over all pairs, no reducer option.)
 *
 * @example
 * const loss = new sl.losses.SimilarityRegressionLoss({ distance: new sl.distances.CosineSimilarity() });
 * loss.pairs(a, b, [0.9, 0.1, 0.5]);
 */
export class SimilarityRegressionLoss extends PairBasedLoss {
  protected readonly scoreTargets = true;

  constructor(options: SimilarityRegressionLossOptions = {}) {
    const o = checkOptions<SimilarityRegressionLossOptions>('SimilarityRegressionLoss', options, {
      distance: 'object', embeddingRegularizer: ['object', 'null'], embeddingRegWeight: 'number',
    });
    super('SimilarityRegressionLoss', o, { distance: () => new LpDistance(), reducer: () => new DivisorReducer() }, ['posLoss', 'negLoss']);
  }

  protected pairTerms(pos: PairPart, neg: PairPart): LossDict {
    const kind = this.distance.isInverted ? PairKind.regression : PairKind.expRegression;
    const total = pos.count + neg.count;
    const [p, n] = [pos, neg].map((part) => {
      const targets = constantTargets(part.target, part.count);
      try {
        return pairLosses(kind, part, 0, targets);
      } finally {
        targets.dispose();
      }
    });
    return { posLoss: pairEntry(p, pos, 'pos_pair', total), negLoss: pairEntry(n, neg, 'neg_pair', total) };
  }
}

/** An untracked [count] tensor of the targets (one value repeated, or per pair). */
export function constantTargets(target: number | Float32Array, count: number): Tensor {
  const t = untracked([count]);
  if (typeof target === 'number') getEngine().k.f32_fill(t.ptr, target, count);
  else if (count > 0) f32().set(target.subarray(0, count), t.ptr >>> 2);
  return t;
}
