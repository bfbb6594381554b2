// PNP loss (Li et al. 2022), as PML's PNPLoss: for each query q and each positive i of q
// (q itself included), the soft count of negatives ranked above i,
// rk[q, i] = Σ_j sigmoid((s[q, j] − s[q, i]) / anneal) · I_neg[i, j] — PML's mask is I_neg of
// the row i, not of the query, and so is ours — then a variant's decreasing function of rk
// (O: rk; Ds: log(1 + rk); Dq: 1 − mean of (1 + rk)^−alpha; Iu: (1 + rk) log(1 + rk);
// Ib: (b·rk − log(1 + b·rk)) / b²) averaged over the positives and then the queries.
// CosineSimilarity only; labels only (no tuples, no refEmb).
import { Tensor } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { add, mul, sub } from '../ops/eltwise';
import { gatherElements, indexSelect } from '../ops/gather';
import { matmul } from '../ops/gemm';
import { sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { log, neg, pow, sigmoid } from '../ops/unary';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
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
    const n = labels.length;
    // I_pos: same label, the diagonal included only for samples that have another positive
    const hasPos = Array.from(labels, (l, i) => labels.some((m, j) => j !== i && m === l));
    const isPos = (q: number, i: number) => labels[q] === labels[i] && hasPos[q];
    const safe = hasPos.flatMap((h, q) => (h ? [q] : []));
    if (safe.length === 0) return this.zeroLosses();
    const sim = this.distanceMatrix(x);
    const all = Int32Array.from({ length: n }, (_, q) => q);
    let perQuery: Tensor | null = null;
    for (let i = 0; i < n; i++) {
      if (!hasPos[i]) continue; // i is nobody's positive
      const si = reshape(gatherElements(sim, all, new Int32Array(n).fill(i)), [n, 1]);
      const above = sigmoid(mul(sub(sim, si), 1 / this.anneal));
      const negOfI = tensor(Float32Array.from(labels, (l) => (l !== labels[i] ? 1 : 0)), [n, 1]);
      const rk = reshape(matmul(above, negOfI), [n]);
      const weight = tensor(Float32Array.from(all, (q) => (isPos(q, i) ? 1 : 0)), [n]);
      const term = mul(this.transform(rk), weight);
      perQuery = perQuery === null ? term : add(perQuery, term);
    }
    const counts = Float32Array.from(safe, (q) => labels.filter((l) => l === labels[q]).length);
    let loss = mul(sum(mul(indexSelect(perQuery!, safe), tensor(counts.map((c) => 1 / c), [safe.length]))), 1 / safe.length);
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
