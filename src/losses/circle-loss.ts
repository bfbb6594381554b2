import { tensor } from '../autograd/create';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { add, mul, relu, sub } from '../ops/eltwise';
import { indexMask, maskedLogsumexp, where } from '../ops/masked';
import { neg, softplus } from '../ops/unary';
import { checkOptions } from '../options';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface CircleLossOptions extends BaseLossOptions {
  /** Relaxation factor. Default 0.4. */
  m?: number;
  /** Scale factor. Default 80. */
  gamma?: number;
}

/**
 * Circle loss (Sun et al. 2020), as PML's: per anchor, softplus(LSE_p −γ·[1 + m − s_p]₊·(s_p − (1 − m))
 * + LSE_n γ·[s_n + m]₊·(s_n − m)), the weights [·]₊ taken without gradient; 0 for an anchor
 * lacking positives or negatives. CosineSimilarity only; reducer default AvgNonZeroReducer.
 *
 * @example
 * new sl.losses.CircleLoss({ m: 0.25, gamma: 256 }).forward(embeddings, labels);
 */
export class CircleLoss extends BaseMetricLossFunction {
  readonly m: number;
  readonly gamma: number;

  constructor(options: CircleLossOptions = {}) {
    const o = checkOptions<CircleLossOptions>('CircleLoss', options, { ...BASE_LOSS_OPTIONS, m: 'number', gamma: 'number' });
    super('CircleLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new AvgNonZeroReducer() });
    if (!(this.distance instanceof CosineSimilarity)) throw new Error('CircleLoss: distance must be a CosineSimilarity');
    this.m = o.m ?? 0.4;
    this.gamma = o.gamma ?? 80;
  }

  protected compute(x: LossInputs): LossDict {
    const pairs = this.genericPairIndices(x);
    if (pairs === null) return this.zeroLosses();
    const [a1, p, a2, n] = pairs;
    const mat = this.distanceMatrix(x);
    const [rows, cols] = mat.shape;
    const s = mat.detach();
    // optimum O_p = 1 + m, O_n = −m; decision margins Δ_p = 1 − m, Δ_n = m
    const posLogits = mul(mul(relu(add(neg(s), 1 + this.m)), -this.gamma), sub(mat, 1 - this.m));
    const negLogits = mul(mul(relu(add(s, this.m)), this.gamma), sub(mat, this.m));
    const lse = add(maskedLogsumexp(posLogits, indexMask(a1, p, rows, cols)), maskedLogsumexp(negLogits, indexMask(a2, n, rows, cols)));
    const both = new Uint8Array(rows);
    for (const i of a1) both[i] |= 1;
    for (const i of a2) both[i] |= 2;
    const keep = tensor(Float32Array.from(both, (b) => (b === 3 ? 1 : 0)), [rows]);
    return { loss: elementEntry(where(keep, softplus(lse), 0)) };
  }
}
