// Losses defined per pair (contrastive, similarity regression, pair classification): one
// code path for labelled batches (pairs read out of the distance matrix by a fused gather
// kernel), Siamese pairs (a, b, y) and triplets (a, p, n), the last two read from
// paired-distance vectors (distance.paired). A subclass turns the positive and negative
// pairs into loss-dictionary entries.
import { Tensor, composite } from '../autograd/tensor';
import { col, int32From, iota, type LabelPairSource, type PairSource } from '../ops/loss';
import { lazyIndices, type LossDict } from '../reducers/loss-dict';
import { allPairsIndices, checkTargets, disposePairSet, pairSetOf, sameBatch, type PairSet } from '../tuples/batch';
import type { PairTuples } from '../tuples/pairs';
import type { LossInputs } from './base-metric-loss-function';
import { MemoryPairsLoss, dropOwnPairs, type LabelPairs } from './memory-pairs';

/** A set of pairs and their targets: 1 similar / 0 dissimilar, or per-pair scores. */
export type PairPart = (PairSource | LabelPairSource) & {
  target: number | Float32Array;
  /** The dictionary's indices of these pairs, [anchors, others] (the pair index twice for Siamese data), read on demand. */
  indices: () => [Int32Array, Int32Array];
};

export abstract class PairBasedLoss extends MemoryPairsLoss {
  /** The loss dictionary of the positive and negative pairs (either may be empty). */
  protected abstract pairTerms(pos: PairPart, neg: PairPart): LossDict;

  /** Whether pairs(a, b, y) takes scores in [0, 1] (regression) rather than y ∈ {0, 1}. */
  protected readonly scoreTargets: boolean = false;
  /** PML's GenericPairLoss: zero losses when every tuple column has at most one entry. */
  protected readonly genericPairs: boolean = false;

  /** Whether pairTerms takes every pair of labels as LabelPairSource parts (no per-pair targets). */
  protected readonly labelPairs: boolean = false;

  protected compute(x: LossInputs): LossDict {
    const all = this.labelPairs ? this.labelPairsOf(x) : null;
    if (all !== null) return this.fromLabels(x, all);
    const pairs = this.pairSet(x, this.genericPairs);
    if (pairs === null) return this.zeroLosses(...this.subLossNames);
    try {
      const mat = this.distanceMatrix(x);
      return this.fromSet(mat, mat.shape[1], pairs.set, pairs.indices);
    } finally {
      disposePairSet(pairs.set);
    }
  }

  /**
   * Every pair of the labels (less each anchor's own copy, see memory-pairs.ts), streamed from
   * the labels by the loss kernels: no pair columns unless a reducer reads the indices.
   */
  private fromLabels(x: LossInputs, { labels, refLabels, ref, own, pos, neg }: LabelPairs): LossDict {
    if (this.genericPairs && pos <= 1 && neg <= 1) return this.zeroLosses(...this.subLossNames);
    const bufs = [int32From(labels), int32From(refLabels), ...(own ? [int32From(own)] : [])];
    try {
      const buf = this.distanceMatrix(x);
      const src = { buf, labels: bufs[0], refLabels: bufs[1], own: own ? bufs[2] : null, self: x.refIsBatch };
      let cached: PairTuples | null = null;
      const indices = () => (cached ??= own ? dropOwnPairs(allPairsIndices(labels, ref), own) : allPairsIndices(labels, ref));
      return this.pairTerms(
        { ...src, positive: true, count: pos, target: 1, indices: () => indices().slice(0, 2) as [Int32Array, Int32Array] },
        { ...src, positive: false, count: neg, target: 0, indices: () => indices().slice(2) as [Int32Array, Int32Array] },
      );
    } finally {
      for (const b of bufs) b.dispose();
    }
  }

  /** Runs pairTerms over pairs read from buf (ld 0: a vector indexed by the column). */
  private fromSet(buf: Tensor, ld: number, set: PairSet, indices: () => PairTuples): LossDict {
    const [a1, p, a2, n] = set.cols;
    return this.pairTerms(
      { buf, ld, rows: col(a1), cols: col(p), count: set.pos, target: 1, indices: () => indices().slice(0, 2) as [Int32Array, Int32Array] },
      { buf, ld, rows: col(a2), cols: col(n), count: set.neg, target: 0, indices: () => indices().slice(2) as [Int32Array, Int32Array] },
    );
  }

  /** Runs pairTerms over the given pairs of buf. */
  private fromColumns(buf: Tensor, ld: number, pairs: PairTuples): LossDict {
    const set = pairSetOf(pairs);
    try {
      return this.fromSet(buf, ld, set, () => pairs);
    } finally {
      disposePairSet(set);
    }
  }

  /** The sub-loss names of pairTerms' dictionary. */
  protected get subLossNames(): string[] {
    return ['posLoss', 'negLoss'];
  }

  /**
   * Siamese data: pairs (a[i], b[i]), a and b [n, d], with y[i] = 1 (similar) or 0
   * (dissimilar); SimilarityRegressionLoss takes a target score in [0, 1] instead.
   */
  pairs(a: Tensor, b: Tensor, y: ArrayLike<number>): Tensor {
    const fn = `${this.name}.pairs`;
    sameBatch(fn, { a, b });
    const n = a.shape[0];
    const targets = checkTargets(fn, y, n, this.scoreTargets);
    return composite(() => {
      const d = this.distance.paired(a, b);
      if (this.scoreTargets) {
        const all = iota(n);
        const ix = Int32Array.from({ length: n }, (_, i) => i);
        try {
          const none = new Int32Array(0);
          return this.reduceDict(
            this.pairTerms(
              { buf: d, ld: 0, rows: col(all), cols: col(all), count: n, target: targets, indices: () => [ix, ix] },
              { buf: d, ld: 0, rows: col(all), cols: col(all), count: 0, target: 0, indices: () => [none, none] },
            ),
            a,
          );
        } finally {
          all.dispose();
        }
      }
      const pos: number[] = [], neg: number[] = [];
      targets.forEach((t, i) => (t === 1 ? pos : neg).push(i));
      const P = Int32Array.from(pos), N = Int32Array.from(neg);
      return this.reduceDict(this.fromColumns(d, 0, [P, P, N, N]), a);
    });
  }

  /** Triplets (a[i], p[i], n[i]), each [t, d]: the positive pairs (a, p) and the negative pairs (a, n). */
  triplets(a: Tensor, p: Tensor, n: Tensor): Tensor {
    sameBatch(`${this.name}.triplets`, { a, p, n });
    const t = a.shape[0];
    return composite(() => {
      const dap = this.distance.paired(a, p);
      const dan = this.distance.paired(a, n);
      const all = iota(t);
      const ix = Int32Array.from({ length: t }, (_, i) => i);
      try {
        return this.reduceDict(
          this.pairTerms(
            { buf: dap, ld: 0, rows: col(all), cols: col(all), count: t, target: 1, indices: () => [ix, ix] },
            { buf: dan, ld: 0, rows: col(all), cols: col(all), count: t, target: 0, indices: () => [ix, ix] },
          ),
          a,
        );
      } finally {
        all.dispose();
      }
    });
  }
}

/** A pair entry of the dictionary; an empty part is PML's zero-loss marker (`losses: 0`). */
export function pairEntry(losses: Tensor, part: PairPart, reductionType: 'pos_pair' | 'neg_pair', divisor?: number): LossDict[string] {
  const entry: LossDict[string] = { losses: part.count > 0 ? losses : 0, indices: null, reductionType };
  if (divisor !== undefined) entry.divisor = divisor;
  return lazyIndices(entry, part.indices);
}
