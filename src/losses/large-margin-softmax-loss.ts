import { full, tensor } from '../autograd/create';
import { Tensor } from '../autograd/tensor';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { add, mul, sub } from '../ops/eltwise';
import { transpose } from '../ops/gemm';
import { gatherElements, scatterAddElements } from '../ops/gather';
import { sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { sqrt, square } from '../ops/unary';
import type { OptionSpec } from '../options';
import { MeanReducer } from '../reducers/mean-reducer';
import type { LossDict } from '../reducers/loss-dict';
import type { LossInputs } from './base-metric-loss-function';
import { CLASS_WEIGHT_OPTIONS, BaseWeightedLoss, normalInit, requireOptions, type WeightLossOptions } from './weighted-loss';

export interface LargeMarginSoftmaxLossOptions extends WeightLossOptions {
  numClasses: number;
  embeddingSize: number;
  /** The angle multiplier m, truncated to an integer as PML does. Default 4. */
  margin?: number;
  /** Default 1. */
  scale?: number;
}

/** What a subclass passes to LargeMarginSoftmaxLoss's constructor. */
export interface LargeMarginVariant {
  name: string;
  options: WeightLossOptions & { numClasses: number; embeddingSize: number; margin?: number; scale?: number };
  defaults: { margin: number; scale: number };
  columnsPerClass?: number;
}

/** The checkOptions spec of the large-margin family (numClasses, embeddingSize, margin, scale). */
export const LARGE_MARGIN_OPTIONS: OptionSpec = { ...CLASS_WEIGHT_OPTIONS, margin: 'number', scale: 'number' };

/**
 * Large-margin softmax (Liu et al. 2016), as PML's: cosines between the embeddings and the
 * columns of W [embeddingSize, numClasses]; the target class's cos θ becomes
 * (−1)ᵏ cos(mθ) − 2k with k = ⌊θ / (π/m)⌋ (cos(mθ) as the Chebyshev polynomial T_m(cos θ),
 * PML's multiple-angle sum); logits scaled by ‖W_j‖ ‖x_i‖ · scale; per-sample cross-entropy,
 * weighted by miner tuples. Defaults CosineSimilarity, MeanReducer, W ~ N(0, 1).
 * ArcFace, CosFace, SphereFace and SubCenterArcFace change the target cosine and the scaling.
 *
 * @example
 * const loss = new sl.losses.LargeMarginSoftmaxLoss({ numClasses: 10, embeddingSize: 64 });
 * const opt = new sl.optim.SGD([...model.parameters(), ...loss.parameters()], { lr: 0.01 });
 */
export class LargeMarginSoftmaxLoss extends BaseWeightedLoss {
  readonly embeddingSize: number;
  readonly margin: number;
  readonly scale: number;
  /** [embeddingSize, numClasses] (SubCenterArcFace: numClasses · subCenters columns). */
  readonly W: Tensor;

  /** `variant` is for subclasses: their name, checked options, margin and scale defaults, columns per class. */
  constructor(options: LargeMarginSoftmaxLossOptions, variant?: LargeMarginVariant) {
    const name = variant?.name ?? 'LargeMarginSoftmaxLoss';
    const o = (variant?.options ?? requireOptions<LargeMarginSoftmaxLossOptions>(name, options, LARGE_MARGIN_OPTIONS, ['numClasses', 'embeddingSize'])) as LargeMarginSoftmaxLossOptions;
    const defaults = variant?.defaults ?? { margin: 4, scale: 1 };
    const columnsPerClass = variant?.columnsPerClass ?? 1;
    super(name, o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() }, ['loss'], o.numClasses, { W: [o.embeddingSize, o.numClasses * columnsPerClass] }, normalInit);
    if (!(this.distance instanceof CosineSimilarity)) throw new Error(`${name}: distance must be a CosineSimilarity (PML asserts it)`);
    this.embeddingSize = o.embeddingSize;
    this.margin = this.initMargin(o.margin ?? defaults.margin);
    this.scale = o.scale ?? defaults.scale;
    this.W = this.stateDict().W;
  }

  /** PML's init_margin: the integer multiplier m. */
  protected initMargin(margin: number): number {
    return Math.trunc(margin);
  }

  /** Cosines [n, numClasses] between the embeddings and the class columns of W. */
  protected getCosine(embeddings: Tensor): Tensor {
    return this.distance.pairwise(embeddings, transpose(this.W));
  }

  /** The target class's cosine after the margin: (−1)ᵏ T_m(c) − 2k. */
  protected modifyTargetCosine(c: Tensor): Tensor {
    const m = this.margin;
    const values = c.data();
    const k = Float32Array.from(values, (v) => (m === 0 ? 0 : Math.floor(Math.acos(Math.min(1, Math.max(-1, v))) / (Math.PI / m))));
    let prev = full(c.shape, 1), cur = c;
    if (m === 0) cur = prev;
    for (let j = 1; j < m; j++) [prev, cur] = [cur, sub(mul(mul(cur, c), 2), prev)];
    const signs = tensor(Float32Array.from(k, (v) => (v % 2 === 0 ? 1 : -1)), c.shape);
    return sub(mul(cur, signs), tensor(Float32Array.from(k, (v) => 2 * v), c.shape));
  }

  /** Logits times ‖W_j‖ ‖x_i‖ · scale. */
  protected scaleLogits(logits: Tensor, embeddings: Tensor): Tensor {
    const [n, c] = logits.shape;
    const xNorms = reshape(sqrt(sum(square(embeddings), 1)), [n, 1]);
    const wNorms = sqrt(sum(square(this.W), 0));
    return mul(mul(mul(logits, xNorms), reshape(wNorms, [c])), this.scale);
  }

  /** Scaled cosines without the margin [n, numClasses] (PML's get_logits). */
  getLogits(embeddings: Tensor): Tensor {
    return this.scaleLogits(this.getCosine(embeddings), embeddings);
  }

  protected compute(x: LossInputs): LossDict {
    const labels = this.classLabels(x);
    this.checkSize(x, this.embeddingSize);
    const n = labels.length;
    const cosine = this.getCosine(x.embeddings);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const target = gatherElements(cosine, rows, labels);
    const diff = sub(this.modifyTargetCosine(target), target);
    const logits = this.scaleLogits(add(cosine, scatterAddElements(diff, rows, labels, n, this.numClasses)), x.embeddings);
    return this.withWeightReg({ loss: this.crossEntropyEntry(x, logits, labels) }, () => transpose(this.W));
  }
}
