// Dynamic soft margin loss (Zhang & Rusinkiewicz 2019), as PML's DynamicSoftMarginLoss: the
// triplet differences x = d(a, p) − d(a, n) (labels or tuples), or, without labels, each
// row's diagonal distance minus its hardest off-diagonal one in its row or column; a
// histogram hist_ of x over numBins bins of width 2|minVal|/numBins from minVal, updated with
// momentum at every call (momentum 1 while it is empty); the loss is mean(CDF(x) · x). As in
// PML, the updated histogram depends on x (the fractional bin position carries a gradient),
// and hist_ keeps only its values across calls.
import { Tensor, keep, untracked } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { add, div, mul, sub } from '../ops/eltwise';
import { gatherElements, indexSelect, scatterAdd } from '../ops/gather';
import { softMarginHistogramLoss, type TripletColumns } from '../ops/histogram';
import { int32From } from '../ops/loss';
import { allTripletsSet, disposeTriplets } from '../tuples/batch';
import { lt, maskedMin, where } from '../ops/masked';
import { cumsum, mean, sum } from '../ops/reduce';
import { transpose } from '../ops/gemm';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { LpDistance } from '../distances/lp-distance';
import { f32 } from '../wasm/instance';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface DynamicSoftMarginLossOptions extends BaseLossOptions {
  /** Lower end of the histogram. Default -2. */
  minVal?: number;
  /** Histogram bins (truncated to an integer). Default 10. */
  numBins?: number;
  /** Weight of the current batch's histogram. Default 0.01. */
  momentum?: number;
}

export class DynamicSoftMarginLoss extends BaseMetricLossFunction {
  readonly minVal: number;
  readonly numBins: number;
  readonly delta: number;
  readonly momentum: number;
  /** [numBins] the running histogram (PML's hist_), normalised to sum 1 once filled. */
  hist: Tensor;

  constructor(options: DynamicSoftMarginLossOptions = {}) {
    const o = checkOptions<DynamicSoftMarginLossOptions>('DynamicSoftMarginLoss', options, { ...BASE_LOSS_OPTIONS, minVal: 'number', numBins: 'number', momentum: 'number' });
    super('DynamicSoftMarginLoss', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() });
    const d = this.distance;
    if (!(d instanceof LpDistance && d.p === 2 && d.normalizeEmbeddings)) throw new Error('DynamicSoftMarginLoss: distance must be an LpDistance with p 2 and normalizeEmbeddings true');
    this.minVal = o.minVal ?? -2;
    this.numBins = Math.trunc(o.numBins ?? 10);
    if (this.numBins < 1) throw new Error(`DynamicSoftMarginLoss: numBins must be at least 1, got ${o.numBins}`);
    this.delta = (2 * Math.abs(this.minVal)) / (o.numBins ?? 10);
    if (!(this.delta > 0)) throw new Error('DynamicSoftMarginLoss: minVal must be non-zero (the bin width is 2|minVal|/numBins)');
    this.momentum = o.momentum ?? 0.01;
    this.hist = keep(untracked([this.numBins]));
    f32().fill(0, this.hist.ptr >> 2, (this.hist.ptr >> 2) + this.numBins);
  }

  parameters(): Tensor[] {
    return [];
  }

  /** { hist_ }: PML's attribute name. */
  stateDict(): Record<string, Tensor> {
    return { hist_: this.hist };
  }

  /** Copies hist_ [numBins] into the histogram. */
  loadStateDict(dict: Record<string, Tensor>): void {
    const fn = 'DynamicSoftMarginLoss.loadStateDict';
    const extra = Object.keys(dict).filter((k) => k !== 'hist_');
    if (extra.length) throw new Error(`${fn}: unexpected keys ${JSON.stringify(extra)} (the state is hist_)`);
    const h = dict.hist_;
    if (!(h instanceof Tensor)) throw new Error(`${fn}: missing hist_`);
    if (h.shape.length !== 1 || h.shape[0] !== this.numBins) throw new Error(`${fn}: hist_ is [${h.shape.join(', ')}] but this loss has hist_ [${this.numBins}]`);
    f32().set(h.data(), this.hist.ptr >> 2);
  }

  /** Frees the histogram. */
  dispose(): void {
    this.hist.dispose();
  }

  protected compute(x: LossInputs): LossDict {
    if (x.labels !== null || x.tuples !== null) return this.tripletLoss(x);
    const data = this.unlabelledDifferences(x);
    const u = mul(add(data, -this.minVal), 1 / this.delta);
    const idx = Int32Array.from(u.data(), Math.floor);
    for (const i of idx) {
      if (i < 0 || i + 1 >= this.numBins) throw new Error(`DynamicSoftMarginLoss: a difference falls in bin ${i}, outside the histogram's ${this.numBins} bins from minVal ${this.minVal} (pytorch-metric-learning fails here too)`);
    }
    const alpha = sub(u, tensor(Float32Array.from(idx), [idx.length]));
    const old = this.hist.data();
    const m = this.currentMomentum(old);
    const fresh = add(scatterAdd(mul(add(mul(alpha, -1), 1), m), idx, this.numBins), scatterAdd(mul(alpha, m), Int32Array.from(idx, (i) => i + 1), this.numBins));
    const raw = add(fresh, tensor(old.map((v) => (1 - m) * v), [this.numBins]));
    const hist = div(raw, sum(raw));
    f32().set(hist.data(), this.hist.ptr >> 2);
    const loss = mean(mul(indexSelect(cumsum(hist), idx), data));
    return { loss: { losses: loss, indices: null, reductionType: 'already_reduced' } };
  }

  /** The weight of this batch's histogram: 1 while the running one is still empty. */
  private currentMomentum(old: Float32Array): number {
    return old.some((v) => v !== 0) ? this.momentum : 1;
  }

  /**
   * Labels or tuples: the triplet differences, histogram and loss in one fused op
   * (softMarginHistogramLoss; bench/losses-miners.ts: ~444k triplets at n 256, where the
   * op chain took ~6× PML's time). Every triplet of the labels is listed in wasm.
   */
  private tripletLoss(x: LossInputs): LossDict {
    let cols: TripletColumns;
    if (x.tuples === null && x.labels !== null && x.refLabels !== null) {
      cols = allTripletsSet(x.labels, x.refIsBatch ? null : x.refLabels);
    } else {
      const [a, p, n] = this.tripletIndices(x);
      cols = { a: int32From(a), p: int32From(p), n: int32From(n), count: a.length };
    }
    if (cols.count === 0) {
      disposeTriplets(cols);
      return this.zeroLosses();
    }
    const old = this.hist.data();
    const opts = { minVal: this.minVal, delta: this.delta, numBins: this.numBins, momentum: this.currentMomentum(old), old };
    const { loss, hist } = softMarginHistogramLoss(this.distanceMatrix(x), cols, opts);
    f32().set(hist, this.hist.ptr >> 2);
    return { loss: { losses: loss, indices: null, reductionType: 'already_reduced' } };
  }

  /** compute_loss_without_labels: row i of the batch and row i of the reference set are a positive pair. */
  private unlabelledDifferences(x: LossInputs): Tensor {
    const mat = this.distanceMatrix(x);
    const [r, c] = mat.shape;
    const k = Math.min(r, c), size = Math.max(r, c);
    const diag = Int32Array.from({ length: k }, (_, i) => i);
    const off = tensor(Float32Array.from({ length: r * c }, (_, i) => (Math.floor(i / c) === i % c ? 0 : 1)), [r, c]);
    const pad = (v: Tensor, len: number) => (len === size ? v : scatterAdd(v, Int32Array.from({ length: len }, (_, i) => i), size));
    const dPos = pad(gatherElements(mat, diag, diag), k);
    const minP = pad(maskedMin(mat, off), r);
    const minA = pad(maskedMin(transpose(mat), transpose(off)), c);
    return sub(dPos, where(lt(minA, minP), minA, minP));
  }
}
