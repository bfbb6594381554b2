import { Tensor } from '../autograd/tensor';
import { checkMargin, type Distance } from '../tuples/checks';
import { disposeTriplets, readTriplets, tripletCapacity, type Labels, type TripletTuples } from '../tuples/batch';
import { int32Buffer } from '../ops/loss';
import { getEngine } from '../wasm/instance';
import { TripletType as TripletCode } from '../wasm/abi';
import { BaseMiner } from './base-miner';

export type TripletType = 'all' | 'hard' | 'semihard' | 'easy';
const TYPE_CODE: Record<TripletType, number> = { all: TripletCode.all, hard: TripletCode.hard, semihard: TripletCode.semihard, easy: TripletCode.easy };

export interface TripletMarginMinerOptions {
  /** Default 0.2. */
  margin?: number;
  /** Default 'all'. */
  type?: TripletType;
  /** Default LpDistance(). */
  distance?: Distance;
}

/**
 * Triplets by their margin tm = d_an − d_ap (s_ap − s_an for a similarity), as
 * pytorch-metric-learning's TripletMarginMiner: 'all' tm ≤ margin, 'hard' tm ≤ 0,
 * 'semihard' 0 < tm ≤ margin, 'easy' tm > margin. Streams the triplets without an n³ mask.
 *
 * @example
 * const [a, p, n] = new sl.miners.TripletMarginMiner({ margin: 0.2, type: 'semihard' }).mine(embeddings, labels);
 */
export class TripletMarginMiner extends BaseMiner {
  readonly name = 'TripletMarginMiner';
  readonly margin: number;
  readonly type: TripletType;

  constructor(options: TripletMarginMinerOptions = {}) {
    const fn = 'TripletMarginMiner';
    const { margin = 0.2, type = 'all' } = options;
    super(options.distance, fn);
    if (!Object.prototype.hasOwnProperty.call(TYPE_CODE, type)) {
      throw new Error(`${fn}: type must be 'all', 'hard', 'semihard' or 'easy', got ${JSON.stringify(type)}`);
    }
    this.margin = checkMargin(fn, 'margin', margin);
    this.type = type;
  }

  /** Triplets [anchors, positives, negatives] (Int32Array columns, a-p-n order). */
  mine(embeddings: Tensor, labels: Labels): TripletTuples {
    return this.withMatrix(embeddings, labels, (mat, lp, lab) => {
      const cap = tripletCapacity(lab);
      const set = { a: int32Buffer(cap), p: int32Buffer(cap), n: int32Buffer(cap), count: 0 };
      try {
        const inv = this.distance.isInverted ? 1 : 0;
        set.count = getEngine().k.f32_triplet_margin_mine(mat.ptr, lp, lab.length, inv, TYPE_CODE[this.type], this.margin, set.a.ptr, set.p.ptr, set.n.ptr);
        return readTriplets(set);
      } finally {
        disposeTriplets(set);
      }
    });
  }
}
