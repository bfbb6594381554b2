import type { Tensor } from '../autograd/tensor';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { checkOptions } from '../options';
import { add, mul } from '../ops/eltwise';
import { gatherElements } from '../ops/gather';
import { clamp, neg, sqrt } from '../ops/unary';
import { DivisorReducer } from '../reducers/divisor-reducer';
import type { LossDict } from '../reducers/loss-dict';
import { BASE_REGULARIZER_OPTIONS, BaseRegularizer, type BaseRegularizerOptions } from './base-regularizer';

export interface SparseCentersRegularizerOptions extends BaseRegularizerOptions {
  /** Required. */
  numClasses: number;
  /** Required, > 1. */
  centersPerClass: number;
}

/**
 * √(2 − min(2·s, 2)) over each pair of centres of the same class (upper triangle, rows
 * [numClasses·centersPerClass, d]), divided by twice their count (DivisorReducer) — PML's
 * SparseCentersRegularizer (SoftTriple). The distance must be CosineSimilarity.
 */
export class SparseCentersRegularizer extends BaseRegularizer {
  readonly numClasses: number;
  readonly centersPerClass: number;
  private readonly rows: Int32Array;
  private readonly cols: Int32Array;

  constructor(options: SparseCentersRegularizerOptions) {
    const fn = 'SparseCentersRegularizer';
    if (options === undefined) throw new TypeError(`${fn}: options { numClasses, centersPerClass } are required`);
    const o = checkOptions<SparseCentersRegularizerOptions>(fn, options, { ...BASE_REGULARIZER_OPTIONS, numClasses: 'integer', centersPerClass: 'integer' });
    super(fn, o, { distance: () => new CosineSimilarity(), reducer: () => new DivisorReducer() });
    if (!(o.numClasses! >= 1)) throw new Error(`${fn}: numClasses must be an integer ≥ 1, got ${o.numClasses}`);
    if (!(o.centersPerClass! > 1)) throw new Error(`${fn}: centersPerClass must be an integer > 1, got ${o.centersPerClass}`);
    this.numClasses = o.numClasses!;
    this.centersPerClass = o.centersPerClass!;
    // same-class centre pairs i < j, row-major (PML's boolean-mask order)
    const r: number[] = [], c: number[] = [];
    const k = this.centersPerClass;
    for (let i = 0; i < this.numClasses * k; i++) {
      for (let j = i + 1; j < (Math.floor(i / k) + 1) * k; j++) (r.push(i), c.push(j));
    }
    this.rows = Int32Array.from(r);
    this.cols = Int32Array.from(c);
  }

  computeLoss(weights: Tensor): LossDict {
    const total = this.numClasses * this.centersPerClass;
    if (weights.shape[0] !== total) throw new Error(`${this.name}.forward: weights has ${weights.shape[0]} rows but numClasses·centersPerClass is ${total}`);
    const sims = gatherElements(this.distance.pairwise(weights, weights), this.rows, this.cols);
    // PML adds float32's smallest normal inside the root; beside 2 it vanishes
    const reg = sqrt(add(neg(clamp(mul(sims, 2), null, 2)), 2 + 1.1754943508222875e-38));
    return { loss: { losses: reg, indices: Int32Array.from({ length: this.rows.length }, (_, i) => i), reductionType: 'element', divisor: 2 * this.rows.length } };
  }
}
