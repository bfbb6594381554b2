import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import { checkMargin, type Distance } from '../tuples/checks';
import { withCounts, type Labels, type PairTuples } from '../tuples/batch';
import { col, int32Buffer, int32Read } from '../ops/loss';
import { getEngine } from '../wasm/instance';
import { BaseMiner } from './base-miner';

export interface PairMarginMinerOptions {
  /** Positive pairs farther than this (less similar, for a similarity) are mined. Default 0.2. */
  posMargin?: number;
  /** Negative pairs closer than this (more similar, for a similarity) are mined. Default 0.8. */
  negMargin?: number;
  /** Default LpDistance(). */
  distance?: Distance;
}

/**
 * The pairs that violate a margin, as pytorch-metric-learning's PairMarginMiner: positive
 * pairs with d > posMargin and negative pairs with d < negMargin (s < posMargin, s > negMargin
 * for a similarity); with refEmb/refLabels, pairs between the batch and that reference set.
 *
 * @example
 * const [a1, p, a2, n] = new sl.miners.PairMarginMiner().mine(embeddings, labels);
 */
export class PairMarginMiner extends BaseMiner {
  readonly posMargin: number;
  readonly negMargin: number;

  constructor(options: PairMarginMinerOptions = {}) {
    const fn = 'PairMarginMiner';
    const o = checkOptions<PairMarginMinerOptions>(fn, options, { posMargin: 'number', negMargin: 'number', distance: 'object' });
    super(fn, o.distance);
    this.posMargin = checkMargin(fn, 'posMargin', o.posMargin ?? 0.2);
    this.negMargin = checkMargin(fn, 'negMargin', o.negMargin ?? 0.8);
  }

  /** Pairs [a1, p, a2, n] (Int32Array columns, row-major order). */
  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): PairTuples {
    return this.withMatrix(embeddings, labels, refEmb, refLabels, (x) => {
      const cap = x.n * x.m;
      const rows = int32Buffer(2 * cap), cols = int32Buffer(2 * cap);
      try {
        const inv = this.distance.isInverted ? 1 : 0;
        const [, pos, neg] = withCounts((c) =>
          getEngine().k.f32_pair_margin_mine(x.mat.ptr, x.labelsPtr, x.n, x.refLabelsPtr, x.m, x.self, inv, this.posMargin, this.negMargin, rows.ptr, cols.ptr, rows.ptr + cap * 4, cols.ptr + cap * 4, c),
        );
        return [int32Read(col(rows), pos), int32Read(col(cols), pos), int32Read(col(rows, cap), neg), int32Read(col(cols, cap), neg)];
      } finally {
        rows.dispose();
        cols.dispose();
      }
    });
  }
}
