import { Tensor } from '../autograd/tensor';
import { TripletFlag, col, countPositive, iota, tripletMarginLosses, type TripletSource } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import type { BaseReducer as Reducer } from '../reducers/base-reducer';
import { BaseMetricLoss, checkDistance, checkMargin, checkReducer, tripletSetOf, type Distance, type TupleSource } from './base-metric-loss';
import { disposeTriplets, sameBatch } from '../tuples/batch';

export interface TripletMarginLossOptions {
  /** Default 0.05. */
  margin?: number;
  /** Use min(d_an, d_pn) as the negative distance (max of similarities). Default false. */
  swap?: boolean;
  /** softplus(violation) instead of [violation]₊. Default false. */
  smoothLoss?: boolean;
  /** Default LpDistance() (Euclidean on L2-normalised embeddings). */
  distance?: Distance;
  /** Default AvgNonZeroReducer. */
  reducer?: Reducer;
}

/**
 * Triplet margin loss: [d_ap − d_an + margin]₊ per triplet ([s_an − s_ap + margin]₊ for a
 * similarity), reduced (by default averaged over the non-zero triplets), as
 * pytorch-metric-learning's TripletMarginLoss. Without tuples, every valid triplet of the batch.
 *
 * @example
 * const loss = new sl.losses.TripletMarginLoss({ margin: 0.2 });
 * const value = loss.forward(embeddings, labels, new sl.miners.BatchHardMiner().mine(embeddings, labels));
 */
export class TripletMarginLoss extends BaseMetricLoss {
  readonly name = 'TripletMarginLoss';
  readonly margin: number;
  readonly swap: boolean;
  readonly smoothLoss: boolean;

  constructor(options: TripletMarginLossOptions = {}) {
    const fn = 'TripletMarginLoss';
    const { margin = 0.05, swap = false, smoothLoss = false } = options;
    super(
      checkDistance(fn, options.distance, () => new LpDistance()),
      checkReducer(fn, options.reducer, () => new AvgNonZeroReducer()),
    );
    this.margin = checkMargin(fn, 'margin', margin);
    this.swap = !!swap;
    this.smoothLoss = !!smoothLoss;
  }

  private flags(): number {
    return (this.swap ? TripletFlag.swap : 0) | (this.smoothLoss ? TripletFlag.smooth : 0) | (this.distance.isInverted ? TripletFlag.inverted : 0);
  }

  private reduce(src: TripletSource): Tensor {
    const losses = tripletMarginLosses(src, this.margin, this.flags());
    this.lastStats = { active: countPositive(losses), total: src.count };
    return this.reducer.reduce(losses);
  }

  protected fromMatrix(mat: Tensor, source: TupleSource): Tensor {
    const set = tripletSetOf(source);
    try {
      return this.reduce({ ap: mat, an: mat, pn: mat, ld: mat.shape[1], a: col(set.a), p: col(set.p), n: col(set.n), count: set.count });
    } finally {
      disposeTriplets(set);
    }
  }

  /** Triplets (a[i], p[i], n[i]), each [t, d], compared with distance.paired. */
  triplets(a: Tensor, p: Tensor, n: Tensor): Tensor {
    sameBatch(`${this.name}.triplets`, { a, p, n });
    const t = a.shape[0];
    const dap = this.distance.paired(a, p);
    const dan = this.distance.paired(a, n);
    const dpn = this.swap ? this.distance.paired(p, n) : dan;
    const all = iota(t);
    try {
      const ix = col(all);
      return this.reduce({ ap: dap, an: dan, pn: dpn, ld: 0, a: ix, p: ix, n: ix, count: t });
    } finally {
      all.dispose();
    }
  }

  pairs(_a: Tensor, _b: Tensor, _y: ArrayLike<number>): Tensor {
    throw new Error(`${this.name}.pairs: a triplet loss needs triplets: use triplets(a, p, n), or forward(embeddings, labels, tuples)`);
  }
}
