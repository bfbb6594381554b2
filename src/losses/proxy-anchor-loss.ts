import { tensor } from '../autograd/create';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { add, mul } from '../ops/eltwise';
import { transpose } from '../ops/gemm';
import { maskedLogsumexp } from '../ops/masked';
import type { LossDict } from '../reducers/loss-dict';
import { DivisorReducer } from '../reducers/divisor-reducer';
import { convertToWeights } from '../tuples/pairs';
import type { LossInputs } from './base-metric-loss-function';
import { CLASS_WEIGHT_OPTIONS, BaseProxyLoss, kaimingNormalFanOutInit, requireOptions, type WeightLossOptions } from './weighted-loss';

export interface ProxyAnchorLossOptions extends WeightLossOptions {
  numClasses: number;
  embeddingSize: number;
  /** Default 0.1. */
  margin?: number;
  /** Default 32. */
  alpha?: number;
}

/**
 * Proxy anchor (Kim et al. 2020), as PML's: per proxy c, posLoss log(1 + Σ_{i of class c}
 * exp(α·(margin − s_ic))) and negLoss log(1 + Σ_{i not of class c} exp(α·(s_ic + margin)))
 * (flipped for a distance), miner tuples adding log-weights; divided by the number of proxies
 * with positives and by numClasses (DivisorReducer). Defaults CosineSimilarity,
 * DivisorReducer, proxies [numClasses, embeddingSize] ~ kaiming_normal_(mode='fan_out').
 *
 * @example
 * const loss = new sl.losses.ProxyAnchorLoss({ numClasses: 10, embeddingSize: 64 });
 */
export class ProxyAnchorLoss extends BaseProxyLoss {
  readonly margin: number;
  readonly alpha: number;

  constructor(options: ProxyAnchorLossOptions) {
    const name = 'ProxyAnchorLoss';
    const o = requireOptions<ProxyAnchorLossOptions>(name, options, { ...CLASS_WEIGHT_OPTIONS, margin: 'number', alpha: 'number' }, ['numClasses', 'embeddingSize']);
    super(name, o, { distance: () => new CosineSimilarity(), reducer: () => new DivisorReducer() }, ['posLoss', 'negLoss'], kaimingNormalFanOutInit);
    this.margin = o.margin ?? 0.1;
    this.alpha = o.alpha ?? 32;
  }

  protected compute(x: LossInputs): LossDict {
    const labels = this.classLabels(x);
    this.checkSize(x, this.embeddingSize);
    const n = labels.length, c = this.numClasses;
    // log miner weights: PML adds (weight − 1) to the exponents
    const minerWeights = tensor(Float32Array.from(convertToWeights(x.tuples, n), (w) => w - 1), [n]);
    const cosT = transpose(this.getLogits(x.embeddings));
    const pos = new Float32Array(c * n), negMask = new Float32Array(c * n).fill(1);
    labels.forEach((l, i) => {
      pos[l * n + i] = 1;
      negMask[l * n + i] = 0;
    });
    const withPositives = new Set(labels).size;
    const posExp = this.distanceMargin(cosT, this.margin);
    const negExp = this.distanceMargin(-this.margin, cosT);
    const posTerm = maskedLogsumexp(add(mul(posExp, this.alpha), minerWeights), tensor(pos, [c, n]), { addOne: true });
    const negTerm = maskedLogsumexp(add(mul(negExp, this.alpha), minerWeights), tensor(negMask, [c, n]), { addOne: true });
    const indices = Int32Array.from({ length: c }, (_, i) => i);
    return this.withWeightReg(
      {
        posLoss: { losses: posTerm, indices, reductionType: 'element', divisor: withPositives },
        negLoss: { losses: negTerm, indices, reductionType: 'element', divisor: c },
      },
      () => this.proxies,
    );
  }
}
