import { LpDistance } from '../distances/lp-distance';
import { mul, sub, add } from '../ops/eltwise';
import { indexSelect } from '../ops/gather';
import { matmul, transpose } from '../ops/gemm';
import { labelMask, maskedLogsumexp } from '../ops/masked';
import { sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface AngularLossOptions extends BaseLossOptions {
  /** The angle bound, in degrees. Default 40. */
  alpha?: number;
}

/**
 * Angular loss (Wang et al. 2017), as PML's: per positive pair (a, p) with a, p L2-normalised,
 * log(1 + Σ_n e^{4·tan²α·(a + p)·x_n − 2·(1 + tan²α)·a·p}) over every reference x_n whose label
 * differs from a's (the references are not normalised, as in PML). Distance must be
 * LpDistance({ p: 2, power: 1, normalizeEmbeddings: true }) (the default); reducer default
 * MeanReducer over positive pairs.
 *
 * @example
 * new sl.losses.AngularLoss({ alpha: 40 }).forward(embeddings, labels);
 */
export class AngularLoss extends BaseMetricLossFunction {
  /** In radians, as PML stores it. */
  readonly alpha: number;

  constructor(options: AngularLossOptions = {}) {
    const o = checkOptions<AngularLossOptions>('AngularLoss', options, { ...BASE_LOSS_OPTIONS, alpha: 'number' });
    super('AngularLoss', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    const d = this.distance;
    if (!(d instanceof LpDistance && d.p === 2 && d.power === 1 && d.normalizeEmbeddings)) {
      throw new Error('AngularLoss: distance must be LpDistance({ p: 2, power: 1, normalizeEmbeddings: true })');
    }
    this.alpha = ((o.alpha ?? 40) * Math.PI) / 180;
  }

  protected compute(x: LossInputs): LossDict {
    const [labels, refLabels] = this.requireLabels(x);
    const [a1, p, a2] = this.pairIndices(x);
    if (a1.length === 0 || a2.length === 0) return this.zeroLosses();
    const d = this.distance as LpDistance;
    const anchors = d.normalize(indexSelect(x.embeddings, a1));
    const positives = d.normalize(indexSelect(x.refEmb, p));
    const sqTan = Math.tan(this.alpha) ** 2;
    const apDot = reshape(sum(mul(anchors, positives), 1), [a1.length, 1]);
    const centreDot = matmul(add(anchors, positives), transpose(x.refEmb)); // [pairs, m]
    const logits = sub(mul(centreDot, 4 * sqTan), mul(apDot, 2 * (1 + sqTan)));
    const negatives = labelMask(Int32Array.from(a1, (i) => labels[i]), refLabels, false);
    return { loss: { losses: maskedLogsumexp(logits, negatives, { addOne: true }), indices: [a1, p], reductionType: 'pos_pair' } };
  }
}
