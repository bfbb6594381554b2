import { CosineSimilarity } from '../distances/cosine-similarity';
import { add, mul, sub } from '../ops/eltwise';
import { indexMask, maskedLogsumexp, maskedMean } from '../ops/masked';
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
    const pairs = this.contrastedPairIndices(x);
    if (pairs === null) return this.zeroLosses();
    const [a1, p, a2, n] = pairs;
    const mat = this.distanceMatrix(x);
    const [rows, cols] = mat.shape;
    const z = mul(this.distance.isInverted ? mat : neg(mat), 1 / this.temperature);
    const posMask = indexMask(a1, p, rows, cols);
    const denominator = maskedLogsumexp(z, add(posMask, indexMask(a2, n, rows, cols)));
    const logProb = sub(z, reshape(denominator, [rows, 1]));
    return { loss: elementEntry(neg(maskedMean(logProb, posMask))) };
  }
}
