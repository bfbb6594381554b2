import { CosineSimilarity } from '../distances/cosine-similarity';
import { add, mul, sub } from '../ops/eltwise';
import { maskedLogsumexp, maskedMean } from '../ops/masked';
import { reshape } from '../ops/shape';
import { neg } from '../ops/unary';
import { checkOptions } from '../options';
import { AvgNonZeroReducer } from '../reducers/avg-non-zero-reducer';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface SupConLossOptions extends BaseLossOptions {
  /** Default 0.1. */
  temperature?: number;
}

/**
 * Supervised contrastive loss (Khosla et al. 2020), as PML's: with z_ij = s_ij / temperature
 * (−d_ij for a distance), per anchor −mean over its positives of z_ip − LSE over its positive
 * and negative pairs of z; 0 for an anchor with no positive. (PML subtracts each row's max
 * first for stability; the masked logsumexp is stable on its own and the max cancels.)
 * Defaults CosineSimilarity, AvgNonZeroReducer.
 *
 * @example
 * new sl.losses.SupConLoss({ temperature: 0.1 }).forward(embeddings, labels);
 */
export class SupConLoss extends BaseMetricLossFunction {
  readonly temperature: number;

  constructor(options: SupConLossOptions = {}) {
    const o = checkOptions<SupConLossOptions>('SupConLoss', options, { ...BASE_LOSS_OPTIONS, temperature: 'number' });
    super('SupConLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new AvgNonZeroReducer() });
    this.temperature = o.temperature ?? 0.1;
  }

  protected compute(x: LossInputs): LossDict {
    const masks = this.pairMasks(x, true);
    if (masks === null) return this.zeroLosses();
    const [posMask, negMask] = masks;
    const mat = this.distanceMatrix(x);
    const z = mul(this.distance.isInverted ? mat : neg(mat), 1 / this.temperature);
    const denominator = maskedLogsumexp(z, add(posMask, negMask));
    const logProb = sub(z, reshape(denominator, [mat.shape[0], 1]));
    return { loss: elementEntry(neg(maskedMean(logProb, posMask))) };
  }
}
