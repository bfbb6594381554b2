import { tensor } from '../autograd/create';
import { LpDistance } from '../distances/lp-distance';
import type { Tensor } from '../autograd/tensor';
import { div, sub } from '../ops/eltwise';
import { matmul } from '../ops/gemm';
import { mean, sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { clamp, sqrt, square } from '../ops/unary';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { BASE_LOSS_OPTIONS, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import { rngFor } from '../random';
import { BaseWeightedLoss, fillWeight, requireOptions } from './weighted-loss';

export interface P2SGradLossOptions extends BaseLossOptions {
  descriptorsDim: number;
  numClasses: number;
}

/**
 * P2SGrad (Zhang et al. 2019), as PML's: the mean squared error between the cosines
 * clamp(x·W_j / ‖x‖, −1, 1) and the one-hot labels, whose gradient is the paper's
 * probability-to-similarity gradient. weight [descriptorsDim, numClasses] is initialised
 * U(−1, 1) with unit columns and renormalised to unit columns in place at every call, as PML
 * does (the gradient is taken at the renormalised weight; no Jacobian through the
 * renormalisation). Miner tuples are not supported; the entry is already reduced.
 *
 * @example
 * const loss = new sl.losses.P2SGradLoss({ descriptorsDim: 64, numClasses: 10 });
 */
export class P2SGradLoss extends BaseWeightedLoss {
  readonly descriptorsDim: number;
  /** [descriptorsDim, numClasses] */
  readonly weight: Tensor;

  constructor(options: P2SGradLossOptions) {
    const name = 'P2SGradLoss';
    const o = requireOptions<P2SGradLossOptions>(name, options, { ...BASE_LOSS_OPTIONS, descriptorsDim: 'integer', numClasses: 'integer' }, ['descriptorsDim', 'numClasses']);
    const init = (w: Tensor): void => {
      const rng = rngFor(undefined, name);
      fillWeight(w, Array.from({ length: w.size }, () => 2 * rng.uniform() - 1));
      renormColumns(w);
    };
    super(name, o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() }, ['loss'], o.numClasses, { weight: [o.descriptorsDim, o.numClasses] }, init);
    this.descriptorsDim = o.descriptorsDim;
    this.weight = this.stateDict().weight;
  }

  protected compute(x: LossInputs): LossDict {
    if (x.tuples !== null) throw new Error(`${this.name}: index tuples are not supported`);
    const labels = this.classLabels(x);
    this.checkSize(x, this.descriptorsDim);
    renormColumns(this.weight);
    const n = labels.length, c = this.numClasses;
    const xNorms = reshape(sqrt(sum(square(x.embeddings), 1)), [n, 1]);
    const cos = clamp(div(matmul(x.embeddings, this.weight), xNorms), -1, 1);
    const oneHot = new Float32Array(n * c);
    labels.forEach((l, i) => (oneHot[i * c + l] = 1));
    return { loss: { losses: mean(square(sub(cos, tensor(oneHot, [n, c])))), indices: null, reductionType: 'already_reduced' } };
  }
}

/** weight.renorm(2, 1, 1e-5).mul(1e5) as torch computes it: columns over 1e-5 scaled by 1e-5 / (‖col‖ + 1e-7), then everything by 1e5. */
function renormColumns(w: Tensor): void {
  const [d, c] = w.shape;
  const v = w.data();
  const out = new Float64Array(v.length);
  for (let j = 0; j < c; j++) {
    let ss = 0;
    for (let r = 0; r < d; r++) ss += v[r * c + j] * v[r * c + j];
    const norm = Math.sqrt(ss);
    const scale = norm > 1e-5 ? 1e-5 / (norm + 1e-7) : 1;
    for (let r = 0; r < d; r++) out[r * c + j] = v[r * c + j] * scale * 1e5;
  }
  fillWeight(w, out);
}
