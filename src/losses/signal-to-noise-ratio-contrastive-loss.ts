import type { Tensor } from '../autograd/tensor';
import { SNRDistance } from '../distances/snr-distance';
import { relu } from '../ops/eltwise';
import { gatherElements } from '../ops/gather';
import { checkOptions } from '../options';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import type { LossDict } from '../reducers/loss-dict';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface SignalToNoiseRatioContrastiveLossOptions extends BaseLossOptions {
  /** Default 0. */
  posMargin?: number;
  /** Default 1. */
  negMargin?: number;
}

/**
 * Signal-to-noise-ratio contrastive loss (Yuan et al. 2019), as PML's: PML's ContrastiveLoss
 * on the SNR distance, [d⁺ − posMargin]₊ per positive pair (posLoss) and [negMargin − d⁻]₊ per
 * negative pair (negLoss). SNRDistance only; reducer default AvgNonZeroReducer per sub-loss.
 *
 * @example
 * new sl.losses.SignalToNoiseRatioContrastiveLoss({ negMargin: 1 }).forward(embeddings, labels);
 */
export class SignalToNoiseRatioContrastiveLoss extends BaseMetricLossFunction {
  readonly posMargin: number;
  readonly negMargin: number;

  constructor(options: SignalToNoiseRatioContrastiveLossOptions = {}) {
    const name = 'SignalToNoiseRatioContrastiveLoss';
    const o = checkOptions<SignalToNoiseRatioContrastiveLossOptions>(name, options, { ...BASE_LOSS_OPTIONS, posMargin: 'number', negMargin: 'number' });
    super(name, o, { distance: () => new SNRDistance(), reducer: () => new AvgNonZeroReducer() }, ['posLoss', 'negLoss']);
    if (!(this.distance instanceof SNRDistance)) throw new Error(`${name}: distance must be an SNRDistance`);
    this.posMargin = o.posMargin ?? 0;
    this.negMargin = o.negMargin ?? 1;
  }

  protected compute(x: LossInputs): LossDict {
    const pairs = this.genericPairIndices(x);
    if (pairs === null) return this.zeroLosses('posLoss', 'negLoss');
    const [a1, p, a2, n] = pairs;
    const mat = this.distanceMatrix(x);
    const hinge = (rows: Int32Array, cols: Int32Array, f: (d: Tensor) => Tensor): Tensor | 0 => (rows.length === 0 ? 0 : relu(f(gatherElements(mat, rows, cols))));
    return {
      posLoss: { losses: hinge(a1, p, (d) => this.distanceMargin(d, this.posMargin)), indices: [a1, p], reductionType: 'pos_pair' },
      negLoss: { losses: hinge(a2, n, (d) => this.distanceMargin(this.negMargin, d)), indices: [a2, n], reductionType: 'neg_pair' },
    };
  }
}
