import { Tensor } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { checkOptions } from '../options';
import { mul } from '../ops/eltwise';
import { scatterAddElements } from '../ops/gather';
import { maskedSum } from '../ops/masked';
import { BaseReducer } from './base-reducer';
import { elementEntry, type LossEntry } from './loss-dict';
import { MeanReducer } from './mean-reducer';

/** Per-anchor aggregation: x [n, m] holds each anchor's pair terms (0 where it has none), numPerRow [n] how many. */
export type AggregationFunc = (x: Tensor, numPerRow: Tensor) => Tensor;

export interface PerAnchorReducerOptions {
  /** Reduces the per-anchor values (as 'element' terms). Default MeanReducer. */
  reducer?: BaseReducer;
  /** Default: the mean of each row's terms, 0 for an anchor with none. */
  aggregationFunc?: AggregationFunc;
}

/** Row sums divided by the row counts, 0 for an empty row (PML's aggregation_func). */
export const meanPerRow: AggregationFunc = (x, numPerRow) => {
  const c = numPerRow.data();
  const inv = Float32Array.from(c, (v) => (v === 0 ? 0 : 1 / v));
  return mul(maskedSum(x, null), tensor(inv, [inv.length]));
};

/**
 * Pair terms gathered per anchor (PML's PerAnchorReducer): each anchor's terms aggregated
 * (by default averaged), then the per-anchor values reduced by `reducer`. 'element' terms go
 * to `reducer` as they are; triplet terms are not supported (as PML).
 */
export class PerAnchorReducer extends BaseReducer {
  readonly name: string = 'PerAnchorReducer';
  readonly reducer: BaseReducer;
  readonly aggregationFunc: AggregationFunc;

  constructor(options: PerAnchorReducerOptions = {}) {
    super();
    const fn = 'PerAnchorReducer';
    const o = checkOptions<PerAnchorReducerOptions>(fn, options, { reducer: 'object', aggregationFunc: 'function' });
    if (o.reducer !== undefined && !(o.reducer instanceof BaseReducer)) throw new TypeError(`${fn}: reducer must be a reducer (sl.reducers.*)`);
    this.reducer = o.reducer ?? new MeanReducer();
    this.aggregationFunc = o.aggregationFunc ?? meanPerRow;
  }

  protected elementReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor, labels: Int32Array | null): Tensor {
    return this.reducer.forward({ loss: { losses, indices: entry.indices, reductionType: 'element' } }, embeddings, labels);
  }

  protected posPairReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor, labels: Int32Array | null): Tensor {
    return this.perAnchor(losses, entry.indices as Int32Array[], embeddings, labels);
  }

  protected negPairReduction(losses: Tensor, entry: LossEntry, embeddings: Tensor, labels: Int32Array | null): Tensor {
    return this.perAnchor(losses, entry.indices as Int32Array[], embeddings, labels);
  }

  protected tripletReduction(): Tensor {
    throw new Error(`${this.name}.forward: triplet reduction is not supported (as in PML); use pair terms or another reducer`);
  }

  private perAnchor(losses: Tensor, [anchors, others]: Int32Array[], embeddings: Tensor, labels: Int32Array | null): Tensor {
    const n = embeddings.shape[0];
    let m = n;
    for (const o of others) m = Math.max(m, o + 1);
    // PML assigns into an n×n matrix: a pair repeated in the tuples is counted once
    const seen = new Set<number>();
    const counts = new Float32Array(n);
    anchors.forEach((a, k) => {
      const key = a * m + others[k];
      if (!seen.has(key)) (seen.add(key), counts[a]++);
    });
    const mat = scatterAddElements(losses, anchors, others, n, m);
    const perAnchor = this.aggregationFunc(mat, tensor(counts, [n]));
    return this.reducer.forward({ loss: elementEntry(perAnchor) }, embeddings, labels);
  }

}
