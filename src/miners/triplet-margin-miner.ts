import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { checkMargin, type Distance } from '../tuples/checks';
import { mineTriplets, type Labels, type TripletTuples } from '../tuples/batch';
import { getEngine } from '../wasm/instance';
import { TripletType as TripletCode } from '../wasm/abi';
import { BaseMiner } from './base-miner';

export type TripletType = 'all' | 'hard' | 'semihard' | 'easy';
const TYPES = ['all', 'hard', 'semihard', 'easy'] as const;
const TYPE_CODE: Record<TripletType, number> = { all: TripletCode.all, hard: TripletCode.hard, semihard: TripletCode.semihard, easy: TripletCode.easy };

export interface TripletMarginMinerOptions {
  /** Default 0.2. */
  margin?: number;
  /** Which triplets to keep (PML's type_of_triplets). Default 'all'. */
  typeOfTriplets?: TripletType;
  /** Alias of typeOfTriplets (the name before PML's was adopted). */
  type?: TripletType;
  /** Default LpDistance(). */
  distance?: Distance;
}

/**
 * Triplets by their margin tm = d_an − d_ap (s_ap − s_an for a similarity), as
 * pytorch-metric-learning's TripletMarginMiner: 'all' tm ≤ margin, 'hard' tm ≤ 0,
 * 'semihard' 0 < tm ≤ margin, 'easy' tm > margin. Streams the triplets without an n³ mask.
 * With refEmb/refLabels the positives and negatives come from that reference set.
 *
 * @example
 * const [a, p, n] = new sl.miners.TripletMarginMiner({ margin: 0.2, typeOfTriplets: 'semihard' }).mine(embeddings, labels);
 */
export class TripletMarginMiner extends BaseMiner {
  readonly margin: number;
  readonly typeOfTriplets: TripletType;

  constructor(options: TripletMarginMinerOptions = {}) {
    const fn = 'TripletMarginMiner';
    const o = checkOptions<TripletMarginMinerOptions>(fn, options, { margin: 'number', typeOfTriplets: TYPES, type: TYPES, distance: 'object' });
    if (o.type !== undefined && o.typeOfTriplets !== undefined && o.type !== o.typeOfTriplets) {
      throw new Error(`${fn}: typeOfTriplets '${o.typeOfTriplets}' and its alias type '${o.type}' disagree; give one`);
    }
    super(fn, o.distance);
    this.margin = checkMargin(fn, 'margin', o.margin ?? 0.2);
    this.typeOfTriplets = o.typeOfTriplets ?? o.type ?? 'all';
  }

  /** Alias of typeOfTriplets. */
  get type(): TripletType {
    return this.typeOfTriplets;
  }

  /** Triplets [anchors, positives, negatives] (Int32Array columns, a-p-n order). */
  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): TripletTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => {
      const inv = this.distance.isInverted ? 1 : 0;
      return mineTriplets(x.labels, x.self ? null : x.refLabels, (a, p, n) =>
        getEngine().k.f32_triplet_margin_mine(x.mat.ptr, x.labelsPtr, x.n, x.refLabelsPtr, x.m, x.self, inv, TYPE_CODE[this.typeOfTriplets], this.margin, a, p, n),
      );
    });
  }
}
