// Fused: the triplet violation is one gather-and-hinge kernel pair (f32_triplet_margin_fwd/
// _bwd) reading d_ap, d_an (and d_pn with swap) straight from the distance matrix, instead of
// two or three gatherElements, sub, add and relu over [triplets]-sized temporaries; with every
// triplet of a batch of 256 that is millions of elements. bench/losses.ts (TRIPLET-ALL row).
import { Tensor, composite } from '../autograd/tensor';
import { TripletFlag, col, int32From, tripletMarginLosses, type TripletSource } from '../ops/loss';
import { LpDistance } from '../distances/lp-distance';
import { checkOptions } from '../options';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import { lazyIndices, type LossDict, type LossEntry } from '../reducers/loss-dict';
import { allTripletsIndices, allTripletsSet, disposeTriplets, sameBatch, type TripletSet } from '../tuples/batch';
import { checkMargin } from '../tuples/checks';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface TripletMarginLossOptions extends BaseLossOptions {
  /** Default 0.05. */
  margin?: number;
  /** Use min(d_an, d_pn) as the negative distance (max of similarities). Default false. */
  swap?: boolean;
  /** softplus(violation) instead of [violation]₊. Default false. */
  smoothLoss?: boolean;
  /** Without tuples: every triplet ('all', default) or this many random ones per anchor (seeded). */
  tripletsPerAnchor?: 'all' | number;
}

/**
 * Triplet margin loss: [d_ap − d_an + margin]₊ per triplet ([s_an − s_ap + margin]₊ for a
 * similarity), reduced (by default averaged over the non-zero triplets), as
 * pytorch-metric-learning's TripletMarginLoss. Without tuples, every valid triplet of the
 * batch (or tripletsPerAnchor random ones per anchor).
 *
 * @example
 * const loss = new sl.losses.TripletMarginLoss({ margin: 0.2 });
 * const value = loss.forward(embeddings, labels, new sl.miners.BatchHardMiner().mine(embeddings, labels));
 */
export class TripletMarginLoss extends BaseMetricLossFunction {
  readonly margin: number;
  readonly swap: boolean;
  readonly smoothLoss: boolean;
  readonly tripletsPerAnchor: 'all' | number;

  constructor(options: TripletMarginLossOptions = {}) {
    const fn = 'TripletMarginLoss';
    const o = checkOptions<TripletMarginLossOptions>(fn, options, {
      ...BASE_LOSS_OPTIONS, margin: 'number', swap: 'boolean', smoothLoss: 'boolean', tripletsPerAnchor: [['all'], 'integer'],
    });
    super(fn, o, { distance: () => new LpDistance(), reducer: () => new AvgNonZeroReducer() });
    this.margin = checkMargin(fn, 'margin', o.margin ?? 0.05);
    this.swap = o.swap ?? false;
    this.smoothLoss = o.smoothLoss ?? false;
    const t = o.tripletsPerAnchor ?? 'all';
    if (t !== 'all' && t < 1) throw new Error(`${fn}: tripletsPerAnchor must be 'all' or an integer ≥ 1, got ${t}`);
    this.tripletsPerAnchor = t;
  }

  private flags(): number {
    return (this.swap ? TripletFlag.swap : 0) | (this.smoothLoss ? TripletFlag.smooth : 0) | (this.distance.isInverted ? TripletFlag.inverted : 0);
  }

  private entry(src: Omit<TripletSource, 'a' | 'p' | 'n' | 'count'>, [a, p, n]: Int32Array[], indices: Int32Array[]): LossEntry {
    const cols = [a, p, n].map((c) => int32From(c));
    try {
      return this.entryOf(src, { a: cols[0], p: cols[1], n: cols[2], count: a.length }, indices);
    } finally {
      for (const c of cols) c.dispose();
    }
  }

  private entryOf(src: Omit<TripletSource, 'a' | 'p' | 'n' | 'count'>, set: TripletSet, indices: Int32Array[] | null): LossEntry {
    const losses = tripletMarginLosses({ ...src, a: col(set.a), p: col(set.p), n: col(set.n), count: set.count }, this.margin, this.flags());
    return { losses, indices: indices ?? [], reductionType: 'triplet' };
  }

  protected compute(x: LossInputs): LossDict {
    if (x.tuples === null && this.tripletsPerAnchor === 'all' && x.labels !== null && x.refLabels !== null) {
      // every triplet: enumerated in wasm and fed to the kernel there; the dictionary's
      // indices are enumerated again only if read (reading millions out costs more than the loss)
      const [labels, ref] = [x.labels, x.refIsBatch ? null : x.refLabels];
      const set = allTripletsSet(labels, ref);
      try {
        if (set.count === 0) return this.zeroLosses();
        const mat = this.distanceMatrix(x);
        return { loss: lazyIndices(this.entryOf({ ap: mat, an: mat, pn: mat, ld: mat.shape[1] }, set, null), () => allTripletsIndices(labels, ref)) };
      } finally {
        disposeTriplets(set);
      }
    }
    const triplets = this.tripletIndices(x, this.tripletsPerAnchor);
    if (triplets[0].length === 0) return this.zeroLosses();
    const mat = this.distanceMatrix(x);
    // PML reads d_pn as mat[p, n], p a row index of the batch, also against a reference set
    return { loss: this.entry({ ap: mat, an: mat, pn: mat, ld: mat.shape[1] }, triplets, triplets) };
  }

  /** Triplets (a[i], p[i], n[i]), each [t, d], compared with distance.paired. */
  triplets(a: Tensor, p: Tensor, n: Tensor): Tensor {
    sameBatch(`${this.name}.triplets`, { a, p, n });
    const t = a.shape[0];
    return composite(() => {
      const dap = this.distance.paired(a, p);
      const dan = this.distance.paired(a, n);
      const dpn = this.swap ? this.distance.paired(p, n) : dan;
      const ix = Int32Array.from({ length: t }, (_, i) => i);
      return this.reduceDict({ loss: this.entry({ ap: dap, an: dan, pn: dpn, ld: 0 }, [ix, ix, ix], [ix, ix, ix]) }, a);
    });
  }

  pairs(_a: Tensor, _b: Tensor, _y: ArrayLike<number>): Tensor {
    throw new Error(`${this.name}.pairs: a triplet loss needs triplets: use triplets(a, p, n), or forward(embeddings, labels, tuples)`);
  }
}

