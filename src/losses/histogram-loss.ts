// Histogram loss (Ustinova & Lempitsky 2016), as PML's HistogramLoss: soft histograms (linear
// interpolation onto nodes −1, −1 + delta, …, 1) of the distinct anchor–positive and
// anchor–negative similarities of the triplets; the loss is the probability that a negative
// scores above a positive, Σ_r p_neg[r] · Φ_pos[r] (Φ the cumulative positive histogram).
// Default distance CosineSimilarity; labels or tuples; no refEmb.
import { Tensor } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { add, mul, sub } from '../ops/eltwise';
import { gatherElements, scatterAdd } from '../ops/gather';
import { cumsum, sum } from '../ops/reduce';
import { neg } from '../ops/unary';
import { checkOptions } from '../options';
import type { LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { CosineSimilarity } from '../distances/cosine-similarity';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';

export interface HistogramLossOptions extends BaseLossOptions {
  /** Bins; delta = 2 / nBins. Default 100 when delta is not given either. */
  nBins?: number;
  /** Bin width (given with nBins, it must equal 2 / nBins). */
  delta?: number;
}

export class HistogramLoss extends BaseMetricLossFunction {
  readonly delta: number;

  constructor(options: HistogramLossOptions = {}) {
    const o = checkOptions<HistogramLossOptions>('HistogramLoss', options, { ...BASE_LOSS_OPTIONS, nBins: 'integer', delta: 'number' });
    super('HistogramLoss', o, { distance: () => new CosineSimilarity(), reducer: () => new MeanReducer() });
    if (o.delta !== undefined && o.nBins !== undefined && o.delta !== 2 / o.nBins) {
      throw new Error(`HistogramLoss: delta and nBins must satisfy delta = 2 / nBins, got delta ${o.delta} and nBins ${o.nBins}`);
    }
    this.delta = o.delta ?? 2 / (o.nBins ?? 100);
    if (!(this.delta > 0)) throw new Error(`HistogramLoss: delta must be positive, got ${this.delta}`);
  }

  protected compute(x: LossInputs): LossDict {
    if (!x.refIsBatch) throw new Error('HistogramLoss: refEmb is not supported (as in pytorch-metric-learning)');
    const [a, p, n] = this.tripletIndices(x);
    if (a.length === 0) return this.zeroLosses();
    const mat = this.distanceMatrix(x);
    const density = (cols: Int32Array): Tensor => {
      const [r, c] = distinctPairs(a, cols);
      return this.density(gatherElements(mat, r, c));
    };
    const pPos = density(p);
    const pNeg = density(n);
    return { loss: { losses: sum(mul(pNeg, cumsum(pPos))), indices: null, reductionType: 'already_reduced' } };
  }

  /** compute_density: each value split between its bin's two nodes, normalised by the count. */
  private density(v: Tensor): Tensor {
    const delta = this.delta;
    const nodes = Math.round(1 + 2 / delta);
    const vals = v.data();
    // PML finds the bins in float32 (distances.float()), as here
    const bin = Int32Array.from(vals, (d) => Math.floor(Math.fround(Math.fround(d + 1) / Math.fround(delta))));
    const upper = mul(sub(add(v, 1), tensorOf(bin, (r) => r * delta)), 1 / delta);
    const lower = mul(add(neg(v), tensorOf(bin, (r) => (r + 1) * delta - 1)), 1 / delta);
    const hist = add(scatterAdd(upper, Int32Array.from(bin, (r) => r + 1), nodes), scatterAdd(lower, bin, nodes));
    return mul(hist, 1 / vals.length);
  }
}

const tensorOf = (bin: Int32Array, f: (r: number) => number): Tensor => tensor(Float32Array.from(bin, f), [bin.length]);

/**
 * filter_pairs: the distinct unordered pairs (min, max) of the columns, in lexicographic order
 * (torch.unique over the sorted stack).
 */
function distinctPairs(a: Int32Array, b: Int32Array): [Int32Array, Int32Array] {
  const keys = new Set<number>();
  // a loop, not Math.max(...a): a batch of 256 has ~65k pairs, past the engine's argument limit
  let big = 1;
  for (let i = 0; i < a.length; i++) big = Math.max(big, a[i] + 1, b[i] + 1);
  for (let i = 0; i < a.length; i++) keys.add(Math.min(a[i], b[i]) * big + Math.max(a[i], b[i]));
  const sorted = [...keys].sort((x, y) => x - y);
  return [Int32Array.from(sorted, (k) => Math.floor(k / big)), Int32Array.from(sorted, (k) => k % big)];
}
