// FastAP (Cakir et al. 2019), as PML's FastAPLoss: a soft histogram of each anchor's distances
// to its positives and negatives over numBins + 1 triangular bins on [0, 2^power]; average
// precision from the cumulative histograms, 1 − AP per anchor with at least one positive,
// weighted by the miner's tuples (lmu.convert_to_weights). Labels required; no refEmb.
import { Tensor } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { add, div, mul, relu, sub } from '../ops/eltwise';
import { indexSelect } from '../ops/gather';
import { gt, labelMask, maskedSum, where } from '../ops/masked';
import { abs } from '../ops/unary';
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
    const posMask = labelMask(labels, null, true);
    const negMask = labelMask(labels, null, false);
    const posCount = Array.from(labels, (l, i) => labels.filter((m, j) => j !== i && m === l).length);
    const safe = posCount.flatMap((c, i) => (c > 0 ? [i] : []));
    if (safe.length === 0) return this.zeroLosses();
    const mat = this.distanceMatrix(x);
    const top = 2 ** (this.distance as LpDistance).power;
    const delta = top / this.numBins;
    let totalPos: Tensor | null = null, total: Tensor | null = null, fastAP: Tensor | null = null;
    for (let k = 0; k <= this.numBins; k++) {
      const pulse = relu(add(mul(abs(sub(mat, (top * k) / this.numBins)), -1 / delta), 1));
      const pos = maskedSum(pulse, posMask), neg = maskedSum(pulse, negMask);
      totalPos = totalPos === null ? pos : add(totalPos, pos);
      const both = add(pos, neg);
      total = total === null ? both : add(total, both);
      const h = mul(pos, totalPos);
      // bins where h > 0 and the total > 0 contribute h / total; a denominator of 1 elsewhere keeps gradients finite
      const ok = mul(gt(h, 0), gt(total, 0));
      const term = mul(div(h, add(total, where(ok, 0, 1))), ok);
      fastAP = fastAP === null ? term : add(fastAP, term);
    }
    const ap = indexSelect(fastAP!, safe);
    const w = Float32Array.from(safe, (i) => weights[i]);
    const losses = sub(tensor(w, [w.length]), mul(ap, tensor(Float32Array.from(safe, (i, j) => w[j] / posCount[i]), [w.length])));
    return { loss: elementEntry(losses, Int32Array.from(safe)) };
  }
}
