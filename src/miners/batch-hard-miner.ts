import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
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
 * lacking a positive or a negative are dropped. With refEmb/refLabels the positives and
 * negatives come from that reference set.
 *
 * @example
 * const tuples = new sl.miners.BatchHardMiner().mine(embeddings, labels);
 * new sl.losses.TripletMarginLoss({ margin: 0.2 }).forward(embeddings, labels, tuples);
 */
export class BatchHardMiner extends BaseMiner {
  constructor(options: BatchHardMinerOptions = {}) {
    const o = checkOptions<BatchHardMinerOptions>('BatchHardMiner', options, { distance: 'object' });
    super('BatchHardMiner', o.distance);
  }

  /** One triplet [anchors, positives, negatives] per anchor that has both (Int32Array columns). */
  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): TripletTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => {
      const set = { a: int32Buffer(x.n), p: int32Buffer(x.n), n: int32Buffer(x.n), count: 0 };
      try {
        const inv = this.distance.isInverted ? 1 : 0;
        set.count = getEngine().k.f32_batch_hard_mine(x.mat.ptr, x.labelsPtr, x.n, x.refLabelsPtr, x.m, x.self, inv, set.a.ptr, set.p.ptr, set.n.ptr);
        return readTriplets(set);
      } finally {
        disposeTriplets(set);
      }
    });
  }
}
