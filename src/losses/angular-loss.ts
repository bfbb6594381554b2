// Fused: (a + p)·x_j is read as s1[a, j] + s2[p, j] from two [·, m] products of the normalised
// batch and reference set with the references (O((n + m)·m·d) instead of O(pairs·m·d)), and
// one kernel pair (f32_angular_fwd/_bwd, src/ops/loss-rows.ts) forms the logits, masks the
// anchor's own class and takes log(1 + Σ e^x) per pair. The op form (gather, a [pairs, m]
// product and four [pairs, m] temporaries) ran at 1.1× PML's speed in the LOSSES workload
// (bench/losses-miners.ts, AngularLoss at n 256: 1792 pairs, CPU time); fused, 3×.
import { LpDistance } from '../distances/lp-distance';
import { cdistDot } from '../ops/distance';
import { gatherElements } from '../ops/gather';
import { angularLosses } from '../ops/loss-rows';
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
    const anchors = d.normalize(x.embeddings); // rows a1 are the anchors
    const positives = x.refIsBatch ? anchors : d.normalize(x.refEmb); // rows p the positives
    const s1 = cdistDot(anchors, x.refEmb); // [n, m]: a·x_j (the references are not normalised, as in PML)
    const s2 = x.refIsBatch ? s1 : cdistDot(positives, x.refEmb); // [m, m]: p·x_j
    const apDot = gatherElements(cdistDot(anchors, positives), a1, p);
    const sqTan = Math.tan(this.alpha) ** 2;
    const losses = angularLosses(s1, s2, apDot, a1, p, labels, refLabels, 4 * sqTan, 2 * (1 + sqTan));
    return { loss: { losses, indices: [a1, p], reductionType: 'pos_pair' } };
  }
}
