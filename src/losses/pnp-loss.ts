// PNP loss (Li et al. 2022), as PML's PNPLoss: for each query q and each positive i of q
// (q itself included), the soft count of negatives ranked above i,
// rk[q, i] = Σ_j sigmoid((s[q, j] − s[q, i]) / anneal) · I_neg[i, j] — PML's mask is I_neg of
// the row i, which for a positive i of q is q's negatives — then a variant's decreasing function of rk
// (O: rk; Ds: log(1 + rk); Dq: 1 − mean of (1 + rk)^−alpha; Iu: (1 + rk) log(1 + rk);
// Ib: (b·rk − log(1 + b·rk)) / b²) averaged over the positives and then the queries.
// CosineSimilarity only; labels only (no tuples, no refEmb).
import { Tensor } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { add, mul, sub } from '../ops/eltwise';
import { pnpRanks } from '../ops/loss-rows';
import { sum } from '../ops/reduce';
import { log, neg, pow } from '../ops/unary';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { labelCounts } from '../tuples/batch';
import { MeanReducer } from '../reducers/mean-reducer';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export type PNPVariant = 'Ds' | 'Dq' | 'Iu' | 'Ib' | 'O';
const VARIANTS: readonly PNPVariant[] = ['Ds', 'Dq', 'Iu', 'Ib', 'O'];

export interface PNPLossOptions extends BaseLossOptions {
  /** Ib's b. Default 2. */
  b?: number;
  /** Dq's exponent. Default 1. */
  alpha?: number;
  /** Sigmoid temperature. Default 0.01. */
  anneal?: number;
  /** Default 'O'. */
  variant?: PNPVariant;
}

export class PNPLoss extends BaseMetricLossFunction {
  readonly b: number;
  readonly alpha: number;
  readonly anneal: number;
  readonly variant: PNPVariant;

  constructor(options: PNPLossOptions = {}) {
    const o = checkOptions<PNPLossOptions>('PNPLoss', options, { ...BASE_LOSS_OPTIONS, b: 'number', alpha: 'number', anneal: 'number', variant: VARIANTS });
    super('PNPLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    if (!(this.distance instanceof CosineSimilarity)) throw new Error('PNPLoss: distance must be a CosineSimilarity');
    this.b = o.b ?? 2;
    this.alpha = o.alpha ?? 1;
    this.anneal = o.anneal ?? 0.01;
    this.variant = o.variant ?? 'O';
  }

  protected compute(x: LossInputs): LossDict {
    const [labels] = this.requireLabels(x);
    if (x.tuples !== null) throw new Error('PNPLoss: index tuples are not supported (as in pytorch-metric-learning)');
    if (!x.refIsBatch) throw new Error('PNPLoss: refEmb is not supported (as in pytorch-metric-learning)');
    // I_pos: same label, the diagonal included only for samples that have another positive
    const counts = labelCounts(labels);
    const safe = Array.from(labels.keys()).filter((q) => counts.get(labels[q])! > 1);
    if (safe.length === 0) return this.zeroLosses();
    const sim = this.distanceMatrix(x);
    // one rank per (query, positive) pair: PML's n × n × n sigmoids are read only there
    const pq: number[] = [], pi: number[] = [], w: number[] = [];
    for (const q of safe) {
      const c = counts.get(labels[q])!;
      labels.forEach((l, i) => l === labels[q] && (pq.push(q), pi.push(i), w.push(1 / (c * safe.length))));
    }
    const rk = pnpRanks(sim, labels, Int32Array.from(pq), Int32Array.from(pi), this.anneal);
    let loss = sum(mul(this.transform(rk), tensor(Float32Array.from(w), [w.length])));
    if (this.variant === 'Dq') loss = add(neg(loss), 1);
    return { loss: { losses: loss, indices: Int32Array.from(safe), reductionType: 'already_reduced' } };
  }

  private transform(rk: Tensor): Tensor {
    switch (this.variant) {
      case 'O': return rk;
      case 'Ds': return log(add(rk, 1));
      case 'Dq': return pow(add(rk, 1), -this.alpha);
      case 'Iu': return mul(add(rk, 1), log(add(rk, 1)));
      case 'Ib': return mul(sub(mul(rk, this.b), log(add(mul(rk, this.b), 1))), 1 / (this.b * this.b));
    }
  }
}
