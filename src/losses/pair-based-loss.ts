// Losses defined per pair (contrastive, regression, pair classification): one code path for
// labelled batches (pairs read from the distance matrix), Siamese pairs (a, b, y) and
// triplets (a, p, n), the last two read from paired-distance vectors (distance.paired).
import { Tensor } from '../autograd/tensor';
import { col, iota, int32From, type PairSource } from '../ops/loss';
import { BaseMetricLoss, pairSetOf, type TupleSource } from './base-metric-loss';
import { checkTargets, disposePairs, negIndex, posIndex, sameBatch } from '../tuples/batch';

/** A set of pairs and their targets: 1 similar / 0 dissimilar, or per-pair scores. */
export type PairPart = PairSource & { target: number | Float32Array };

export abstract class PairBasedLoss extends BaseMetricLoss {
  /** The loss from the positive and negative pairs (either may be empty). */
  protected abstract pairLoss(pos: PairPart, neg: PairPart): Tensor;

  /** Whether pairs(a, b, y) takes scores in [0, 1] (regression) rather than y ∈ {0, 1}. */
  protected readonly scoreTargets: boolean = false;

  protected fromMatrix(mat: Tensor, source: TupleSource): Tensor {
    const set = pairSetOf(source);
    try {
      const ld = mat.shape[1];
      const [pr, pc] = posIndex(set);
      const [nr, nc] = negIndex(set);
      return this.pairLoss(
        { buf: mat, ld, rows: pr, cols: pc, count: set.pos, target: 1 },
        { buf: mat, ld, rows: nr, cols: nc, count: set.neg, target: 0 },
      );
    } finally {
      disposePairs(set);
    }
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
    const d = this.distance.paired(a, b);
    if (this.scoreTargets) {
      const all = iota(n);
      try {
        const ix = col(all);
        return this.pairLoss({ buf: d, ld: 0, rows: ix, cols: ix, count: n, target: targets }, { buf: d, ld: 0, rows: ix, cols: ix, count: 0, target: 0 });
      } finally {
        all.dispose();
      }
    }
    const posIdx: number[] = [], negIdx: number[] = [];
    targets.forEach((t, i) => (t === 1 ? posIdx : negIdx).push(i));
    const pb = int32From(posIdx), nb = int32From(negIdx);
    try {
      const p = col(pb), q = col(nb);
      return this.pairLoss({ buf: d, ld: 0, rows: p, cols: p, count: posIdx.length, target: 1 }, { buf: d, ld: 0, rows: q, cols: q, count: negIdx.length, target: 0 });
    } finally {
      pb.dispose();
      nb.dispose();
    }
  }

  /** Triplets (a[i], p[i], n[i]), each [t, d]: the positive pairs (a, p) and the negative pairs (a, n). */
  triplets(a: Tensor, p: Tensor, n: Tensor): Tensor {
    const fn = `${this.name}.triplets`;
    sameBatch(fn, { a, p, n });
    const t = a.shape[0];
    const dap = this.distance.paired(a, p);
    const dan = this.distance.paired(a, n);
    const all = iota(t);
    try {
      const ix = col(all);
      return this.pairLoss({ buf: dap, ld: 0, rows: ix, cols: ix, count: t, target: 1 }, { buf: dan, ld: 0, rows: ix, cols: ix, count: t, target: 0 });
    } finally {
      all.dispose();
    }
  }
}
