import { Tensor } from '../autograd/tensor';
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
 * for a similarity).
 *
 * @example
 * const [a1, p, a2, n] = new sl.miners.PairMarginMiner().mine(embeddings, labels);
 */
export class PairMarginMiner extends BaseMiner {
  readonly name = 'PairMarginMiner';
  readonly posMargin: number;
  readonly negMargin: number;

  constructor(options: PairMarginMinerOptions = {}) {
    const fn = 'PairMarginMiner';
    const { posMargin = 0.2, negMargin = 0.8 } = options;
    super(options.distance, fn);
    this.posMargin = checkMargin(fn, 'posMargin', posMargin);
    this.negMargin = checkMargin(fn, 'negMargin', negMargin);
  }

  /** Pairs [a1, p, a2, n] (Int32Array columns, row-major order). */
  mine(embeddings: Tensor, labels: Labels): PairTuples {
    return this.withMatrix(embeddings, labels, (mat, lp, lab) => {
      const n = lab.length;
      const cap = n * n;
      const rows = int32Buffer(2 * cap), cols = int32Buffer(2 * cap);
      try {
        const inv = this.distance.isInverted ? 1 : 0;
        const [, pos, neg] = withCounts((c) =>
          getEngine().k.f32_pair_margin_mine(mat.ptr, lp, n, inv, this.posMargin, this.negMargin, rows.ptr, cols.ptr, rows.ptr + cap * 4, cols.ptr + cap * 4, c),
        );
        return [int32Read(col(rows), pos), int32Read(col(cols), pos), int32Read(col(rows, cap), neg), int32Read(col(cols, cap), neg)];
      } finally {
        rows.dispose();
        cols.dispose();
      }
    });
  }
}
