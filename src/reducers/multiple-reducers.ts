import type { Tensor } from '../autograd/tensor';
import { assertLive } from '../autograd/tensor';
import { checkOptions } from '../options';
import { add } from '../ops/eltwise';
import { zeroFrom } from '../ops/reduce';
import { checkLabels, type Labels } from '../tuples/batch';
import { BaseReducer, checkDict } from './base-reducer';
import type { LossDict, LossEntry } from './loss-dict';
import { MeanReducer } from './mean-reducer';

export interface MultipleReducersOptions {
  /** A reducer per sub-loss name (camelCase: posLoss, negLoss, embeddingRegLoss, ...). Required. */
  reducers: Record<string, BaseReducer>;
  /** For the sub-losses `reducers` does not name. Default MeanReducer. */
  defaultReducer?: BaseReducer;
}

/**
 * One reducer per sub-loss, the reduced sub-losses summed (PML's MultipleReducers). A loss
 * with several sub-losses (ContrastiveLoss's posLoss and negLoss, or any loss with an
 * embeddingRegularizer) wraps its reducer this way, one per sub-loss.
 *
 * @example
 * new sl.losses.ContrastiveLoss({ reducer: new sl.reducers.MultipleReducers({ reducers: { posLoss: new sl.reducers.MeanReducer() }, defaultReducer: new sl.reducers.AvgNonZeroReducer() }) });
 */
export class MultipleReducers extends BaseReducer {
  readonly name: string = 'MultipleReducers';
  readonly reducers: Readonly<Record<string, BaseReducer>>;
  readonly defaultReducer: BaseReducer;

  constructor(options: MultipleReducersOptions) {
    super();
    const fn = 'MultipleReducers';
    if (options === undefined) throw new TypeError(`${fn}: options { reducers } are required`);
    const o = checkOptions<MultipleReducersOptions>(fn, options, { reducers: 'object', defaultReducer: 'object' });
    if (!o.reducers) throw new TypeError(`${fn}: reducers is required (an object { subLossName: reducer })`);
    for (const [k, r] of Object.entries(o.reducers)) {
      if (!(r instanceof BaseReducer)) throw new TypeError(`${fn}: reducers.${k} must be a reducer (sl.reducers.*)`);
    }
    if (o.defaultReducer !== undefined && !(o.defaultReducer instanceof BaseReducer)) throw new TypeError(`${fn}: defaultReducer must be a reducer (sl.reducers.*)`);
    this.reducers = { ...o.reducers };
    this.defaultReducer = o.defaultReducer ?? new MeanReducer();
  }

  /** Each entry reduced by its own reducer (or the default), the results summed. */
  forward(lossDict: LossDict, embeddings: Tensor, labels?: Labels | null): Tensor {
    const fn = `${this.name}.forward`;
    const names = checkDict(fn, lossDict);
    assertLive(fn, 'embeddings', embeddings);
    if (labels != null) checkLabels(fn, labels, embeddings.shape[0]);
    let total: Tensor | null = null;
    for (const name of names) {
      const r = Object.prototype.hasOwnProperty.call(this.reducers, name) ? this.reducers[name] : this.defaultReducer;
      const v = r.forward({ [name]: lossDict[name] }, embeddings, labels);
      total = total === null ? v : add(total, v);
    }
    return total ?? zeroFrom(embeddings);
  }

  protected elementReduction(_losses: Tensor, _entry: LossEntry): Tensor {
    throw new Error('MultipleReducers: reduces through forward()');
  }
}
