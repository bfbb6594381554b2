import { LpDistance } from '../distances/lp-distance';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import type { LossInputs } from './base-metric-loss-function';
import { ncaComputation } from './nca-loss';
import { CLASS_WEIGHT_OPTIONS, BaseProxyLoss, normalInit, requireOptions, type WeightLossOptions } from './weighted-loss';

export interface ProxyNCALossOptions extends WeightLossOptions {
  numClasses: number;
  embeddingSize: number;
  /** Multiplies the (negated) distances before the softmax. Default 1. */
  softmaxScale?: number;
}

/**
 * ProxyNCA (Movshovitz-Attias et al. 2017), as PML's: NCALoss with the learnable proxies
 * [numClasses, embeddingSize] as the reference set, proxy c labelled c. Defaults
 * LpDistance({ power: 2 }), MeanReducer, proxies ~ N(0, 1).
 *
 * @example
 * const loss = new sl.losses.ProxyNCALoss({ numClasses: 10, embeddingSize: 64 });
 */
export class ProxyNCALoss extends BaseProxyLoss {
  readonly softmaxScale: number;

  constructor(options: ProxyNCALossOptions) {
    const name = 'ProxyNCALoss';
    const o = requireOptions<ProxyNCALossOptions>(name, options, { ...CLASS_WEIGHT_OPTIONS, softmaxScale: 'number' }, ['numClasses', 'embeddingSize']);
    super(name, o, { distance: () => new LpDistance({ power: 2 }), reducer: () => new MeanReducer() }, ['loss'], normalInit);
    this.softmaxScale = o.softmaxScale ?? 1;
  }

  protected compute(x: LossInputs): LossDict {
    const labels = this.classLabels(x);
    this.checkSize(x, this.embeddingSize);
    const proxyLabels = Int32Array.from({ length: this.numClasses }, (_, i) => i);
    const dict = ncaComputation(this.distance, this.softmaxScale, { ...x, refEmb: this.proxies, refLabels: proxyLabels, refIsBatch: false }, labels, proxyLabels);
    return this.withWeightReg(dict, () => this.proxies);
  }
}
