// FastAP (Cakir et al. 2019), as PML's FastAPLoss: a soft histogram of each anchor's distances
// to its positives and negatives over numBins + 1 triangular bins on [0, 2^power]; average
// precision from the cumulative histograms, 1 − AP per anchor with at least one positive,
// weighted by the miner's tuples (lmu.convert_to_weights). Labels required; no refEmb.
import { tensor } from '../autograd/create';
import { mul, sub } from '../ops/eltwise';
import { indexSelect } from '../ops/gather';
import { fastApRows } from '../ops/histogram';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { LpDistance } from '../distances/lp-distance';
import { convertToWeights } from '../tuples/pairs';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface FastAPLossOptions extends BaseLossOptions {
  /** Histogram bins (truncated to an integer). Default 10. */
  numBins?: number;
}

export class FastAPLoss extends BaseMetricLossFunction {
  readonly numBins: number;

  constructor(options: FastAPLossOptions = {}) {
    const o = checkOptions<FastAPLossOptions>('FastAPLoss', options, { ...BASE_LOSS_OPTIONS, numBins: 'number' });
    super('FastAPLoss', o, { distance: () => new LpDistance({ power: 2 }), reducer: () => new MeanReducer() });
    const d = this.distance;
    if (!(d instanceof LpDistance && d.p === 2 && d.normalizeEmbeddings)) throw new Error('FastAPLoss: distance must be an LpDistance with p 2 and normalizeEmbeddings true');
    this.numBins = Math.trunc(o.numBins ?? 10);
    if (this.numBins < 1) throw new Error(`FastAPLoss: numBins must be at least 1, got ${o.numBins}`);
  }

  protected compute(x: LossInputs): LossDict {
    const [labels] = this.requireLabels(x);
    if (!x.refIsBatch) throw new Error('FastAPLoss: refEmb is not supported (as in pytorch-metric-learning)');
    const n = labels.length;
    const weights = convertToWeights(x.tuples, n);
    const sameLabel = new Map<number, number>();
    for (const l of labels) sameLabel.set(l, (sameLabel.get(l) ?? 0) + 1);
    const posCount = Array.from(labels, (l) => sameLabel.get(l)! - 1);
    const safe = posCount.flatMap((c, i) => (c > 0 ? [i] : []));
    if (safe.length === 0) return this.zeroLosses();
    // One fused op for the histograms and Σ h/H per row (src/ops/histogram.ts): the chain of
    // [n, n] ops per bin took ~2× PML's time at n 256 (bench/losses-miners.ts, LOSSES).
    const { ap: fastAP, safe: safeBins } = fastApRows(this.distanceMatrix(x), labels, 2 ** (this.distance as LpDistance).power, this.numBins);
    if (safeBins === 0) return this.zeroLosses();
    const ap = indexSelect(fastAP, safe);
    const w = Float32Array.from(safe, (i) => weights[i]);
    const losses = sub(tensor(w, [w.length]), mul(ap, tensor(Float32Array.from(safe, (i, j) => w[j] / posCount[i]), [w.length])));
    return { loss: elementEntry(losses, Int32Array.from(safe)) };
  }
}
