import { Tensor } from '../autograd/tensor';
import type { Distance } from '../tuples/checks';
import { disposeTriplets, readTriplets, type Labels, type TripletTuples } from '../tuples/batch';
import { int32Buffer } from '../ops/loss';
import { getEngine } from '../wasm/instance';
import { BaseMiner } from './base-miner';

export interface BatchHardMinerOptions {
  /** Default LpDistance(). */
  distance?: Distance;
}

/**
 * Batch-hard mining (Hermans et al. 2017), as pytorch-metric-learning's BatchHardMiner: per
 * anchor, its farthest positive and its closest negative (first index on ties); anchors
 * lacking a positive or a negative are dropped.
 *
 * @example
 * const tuples = new sl.miners.BatchHardMiner().mine(embeddings, labels);
 * new sl.losses.TripletMarginLoss({ margin: 0.2 }).forward(embeddings, labels, tuples);
 */
export class BatchHardMiner extends BaseMiner {
  readonly name = 'BatchHardMiner';

  constructor(options: BatchHardMinerOptions = {}) {
    super(options.distance, 'BatchHardMiner');
  }

  /** One triplet [anchors, positives, negatives] per anchor that has both (Int32Array columns). */
  mine(embeddings: Tensor, labels: Labels): TripletTuples {
    return this.withMatrix(embeddings, labels, (mat, lp, lab) => {
      const n = lab.length;
      const set = { a: int32Buffer(n), p: int32Buffer(n), n: int32Buffer(n), count: 0 };
      try {
        set.count = getEngine().k.f32_batch_hard_mine(mat.ptr, lp, n, this.distance.isInverted ? 1 : 0, set.a.ptr, set.p.ptr, set.n.ptr);
        return readTriplets(set);
      } finally {
        disposeTriplets(set);
      }
    });
  }
}
