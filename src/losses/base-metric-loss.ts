// Shared plumbing of the metric losses (pytorch-metric-learning's BaseMetricLossFunction):
// a loss is composed of a distance and a reducer; forward() validates everything, computes
// the distance matrix once, and hands it with the batch's tuples (every valid one from the
// labels, or the given ones) to the concrete loss.
import { Tensor } from '../autograd/tensor';
import type { BaseReducer as Reducer } from '../reducers/base-reducer';
import {
  allPairs,
  allTriplets,
  checkEmbeddings,
  checkLabels,
  checkTuples,
  pairsFromTuples,
  tripletsFromTuples,
  type Labels,
  type PairSet,
  type PairTuples,
  type TripletSet,
  type TripletTuples,
  type Tuples,
  checkTargets,
  sameBatch,
} from '../tuples/batch';
import { stackRows } from '../ops/loss';
import { checkDistance, checkMargin, checkPositive, type Distance } from '../tuples/checks';

export { checkDistance, checkMargin, checkPositive, type Distance };

export interface LossStats {
  /** Pairs/triplets (anchors for MultiSimilarityLoss) whose loss is non-zero. */
  active: number;
  total: number;
}

/** The tuples of a batch: every valid one from labels, or explicit index tuples. */
export type TupleSource = { labels: Int32Array; tuples: null } | { labels: null; tuples: TripletTuples | PairTuples };

const EMPTY = new Int32Array(0);

export abstract class BaseMetricLoss {
  readonly distance: Distance;
  readonly reducer: Reducer;
  /** Active (non-zero) and total pairs/triplets of the last call. */
  lastStats: LossStats = { active: 0, total: 0 };
  /** Class name used in error messages. */
  abstract readonly name: string;
  /** forward() with tuples of at most one entry per column gives 0 (GenericPairLoss subclasses). */
  protected readonly zeroOnSingleTuples: boolean = false;

  protected constructor(distance: Distance, reducer: Reducer) {
    this.distance = distance;
    this.reducer = reducer;
  }

  /**
   * The loss of a batch of embeddings [n, d] (a scalar tensor): over every valid pair/triplet
   * of `labels` (n integers), or over `tuples` (triplets [a, p, n] or pairs [a1, p, a2, n],
   * Int32Array columns, e.g. from a miner) when given.
   */
  forward(embeddings: Tensor, labels?: Labels | null, tuples?: Tuples | null): Tensor {
    const fn = `${this.name}.forward`;
    checkEmbeddings(fn, 'embeddings', embeddings);
    const n = embeddings.shape[0];
    if (labels == null && tuples == null) throw new Error(`${fn}: give labels (one per embedding) or index tuples`);
    const lab = labels != null ? checkLabels(fn, labels, n) : null;
    const tup = tuples != null ? checkTuples(fn, tuples, n) : null;
    // pytorch-metric-learning's GenericPairLoss (contrastive, NT-Xent, multi-similarity)
    // returns 0 when every tuple column has at most one entry; forward() keeps that number
    const none = tup && this.zeroOnSingleTuples && tup.every((c) => c.length <= 1);
    const source: TupleSource = tup ? { labels: null, tuples: none ? [EMPTY, EMPTY, EMPTY] : tup } : { labels: lab!, tuples: null };
    const mat = this.distance.pairwise(embeddings, embeddings);
    return this.fromMatrix(mat, source);
  }

  /** The loss from the distance matrix [n, n] and the batch's tuples. */
  protected abstract fromMatrix(mat: Tensor, source: TupleSource): Tensor;

  /**
   * Siamese data: pairs (a[i], b[i]), a and b [t, d], y[i] = 1 similar / 0 dissimilar. This
   * generic form stacks [a; b] and applies the loss to the pairs (i, t + i) as index tuples
   * (pair losses override it with a paired-distance path).
   */
  pairs(a: Tensor, b: Tensor, y: ArrayLike<number>): Tensor {
    const fn = `${this.name}.pairs`;
    sameBatch(fn, { a, b });
    const t = a.shape[0];
    const targets = checkTargets(fn, y, t, false);
    const pos: number[] = [], neg: number[] = [];
    targets.forEach((v, i) => (v === 1 ? pos : neg).push(i));
    const shift = (ix: number[]) => Int32Array.from(ix, (i) => i + t);
    const e = stackRows([a, b]);
    return this.fromMatrix(this.distance.pairwise(e, e), { labels: null, tuples: [Int32Array.from(pos), shift(pos), Int32Array.from(neg), shift(neg)] });
  }

  /**
   * Triplet data: anchors, positives, negatives, each [t, d]. This generic form stacks
   * [a; p; n] and applies the loss to the triplets (i, t + i, 2t + i) as index tuples (the
   * triplet and pair losses override it with a paired-distance path).
   */
  triplets(a: Tensor, p: Tensor, n: Tensor): Tensor {
    sameBatch(`${this.name}.triplets`, { a, p, n });
    const t = a.shape[0];
    const range = (from: number) => Int32Array.from({ length: t }, (_, i) => from + i);
    const e = stackRows([a, p, n]);
    return this.fromMatrix(this.distance.pairwise(e, e), { labels: null, tuples: [range(0), range(t), range(2 * t)] });
  }
}

/** Every pair of the source, positives first (convert_to_pairs). The caller disposes it. */
export function pairSetOf(source: TupleSource): PairSet {
  return source.tuples ? pairsFromTuples(source.tuples) : allPairs(source.labels);
}

/** Every triplet of the source (convert_to_triplets). The caller disposes it. */
export function tripletSetOf(source: TupleSource): TripletSet {
  return source.tuples ? tripletsFromTuples(source.tuples) : allTriplets(source.labels);
}

/** A reducer option: the default when undefined, else checked (reduce()). */
export function checkReducer(fn: string, r: unknown, fallback: () => Reducer): Reducer {
  if (r === undefined) return fallback();
  if (r === null || typeof r !== 'object' || typeof (r as Reducer).reduce !== 'function') {
    throw new TypeError(`${fn}: reducer must be a reducer object (sl.reducers.*) with reduce(losses)`);
  }
  return r as Reducer;
}
