// Fused: one kernel pair (f32_ranked_list_fwd/_bwd, src/ops/loss-rows.ts) masks each row by
// the labels and the boundaries and reduces it in one pass; the op form (diagonal mask, five
// masks, where, exp and two weighted masked sums per part) made about twenty [n, n]
// temporaries and ran at 0.6× PML's speed in the LOSSES workload (bench/losses-miners.ts,
// RankedListLoss at n 256, CPU time); fused, 1.8×.
import { LpDistance } from '../distances/lp-distance';
import { rankedListLosses } from '../ops/loss-rows';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface RankedListLossOptions extends BaseLossOptions {
  /** Margin between the positive and the negative set (required). */
  margin: number;
  /** Temperature of the negative weights (required). */
  Tn: number;
  /** Weight of the negative part, in [0, 1]. Default 0.5. */
  imbalance?: number;
  /** Boundary of the negatives. Default null: 1 + margin / 2. */
  alpha?: number | null;
  /** Temperature of the positive weights. Default 0 (RLL-Simpler). */
  Tp?: number;
}

/**
 * Ranked list loss (Wang et al. 2019), as PML's: per sample, positives farther than α − margin
 * and negatives nearer than α, each set averaged with weights e^{Tp·(d − (α − margin))} and
 * e^{Tn·(α − d)} (every row's weight sum padded by 1e-5 per column), mixed
 * (1 − imbalance)·L_P + imbalance·L_N. Labels only (no tuples, no refEmb). Defaults
 * LpDistance, MeanReducer.
 *
 * @example
 * new sl.losses.RankedListLoss({ margin: 0.4, Tn: 1 }).forward(embeddings, labels);
 */
export class RankedListLoss extends BaseMetricLossFunction {
  readonly margin: number;
  readonly Tn: number;
  readonly imbalance: number;
  readonly alpha: number;
  readonly Tp: number;

  constructor(options: RankedListLossOptions) {
    const name = 'RankedListLoss';
    const o = checkOptions<RankedListLossOptions>(name, options, { ...BASE_LOSS_OPTIONS, margin: 'number', Tn: 'number', imbalance: 'number', alpha: ['number', 'null'], Tp: 'number' });
    for (const key of ['margin', 'Tn'] as const) {
      if (typeof o[key] !== 'number') throw new Error(`${name}: ${key} is required (a number), as in pytorch-metric-learning`);
    }
    const { margin, Tn } = o as { margin: number; Tn: number };
    const imbalance = o.imbalance ?? 0.5;
    if (!(imbalance >= 0 && imbalance <= 1)) throw new Error(`${name}: imbalance must be between 0 and 1, got ${imbalance}`);
    super(name, o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    this.margin = margin;
    this.Tn = Tn;
    this.imbalance = imbalance;
    this.alpha = o.alpha ?? 1 + margin / 2;
    this.Tp = o.Tp ?? 0;
  }

  protected compute(x: LossInputs): LossDict {
    const [labels] = this.requireLabels(x);
    if (!x.refIsBatch) throw new Error('RankedListLoss: refEmb is not supported (as in pytorch-metric-learning)');
    if (x.tuples !== null) throw new Error('RankedListLoss: index tuples are not supported (as in pytorch-metric-learning)');
    // PML zeroes the diagonal and keeps the entries that pass a boundary and are > 0 (its P*,
    // N* are 0 elsewhere): the kernel reads the diagonal as 0, which no mask keeps
    const mat = this.distanceMatrix(x);
    return { loss: elementEntry(rankedListLosses(mat, labels, this.alpha - this.margin, this.alpha, this.Tp, this.Tn, this.imbalance)) };
  }
}
