// PML's BaseRegularizer: a regulariser is a loss over one tensor (embeddings [n, d], or a
// weight matrix [classes, d]) with a distance and a reducer: forward(x) reduces compute(x)'s
// loss dictionary (the rows' indices standing in for labels, as PML), inside composite().
// Losses take one as `embeddingRegularizer`.
import { Tensor, assertLive, composite, fmtShape } from '../autograd/tensor';
import type { OptionSpec } from '../options';
import { BaseReducer } from '../reducers/base-reducer';
import type { LossDict } from '../reducers/loss-dict';
import { checkDistance, type Distance } from '../tuples/checks';

export interface BaseRegularizerOptions {
  /** Default: the regulariser's own. */
  distance?: Distance;
  /** Default: the regulariser's own (MeanReducer for most). */
  reducer?: BaseReducer;
}

export const BASE_REGULARIZER_OPTIONS: OptionSpec = { distance: 'object', reducer: 'object' };

export abstract class BaseRegularizer {
  readonly name: string;
  readonly distance: Distance;
  readonly reducer: BaseReducer;

  protected constructor(name: string, options: BaseRegularizerOptions, defaults: { distance: () => Distance; reducer: () => BaseReducer }) {
    this.name = name;
    this.distance = checkDistance(name, options.distance, defaults.distance);
    if (options.reducer !== undefined && !(options.reducer instanceof BaseReducer)) throw new TypeError(`${name}: reducer must be a reducer object (sl.reducers.*)`);
    this.reducer = options.reducer ?? defaults.reducer();
  }

  /** The scalar regularisation of x [n, d]. */
  forward(x: Tensor): Tensor {
    const fn = `${this.name}.forward`;
    if (!(x instanceof Tensor)) throw new TypeError(`${fn}: x must be a Tensor [n, d]`);
    assertLive(fn, 'x', x);
    if (x.shape.length !== 2) throw new Error(`${fn}: x is ${fmtShape(x.shape)}: expected [n, d]`);
    const rows = Int32Array.from({ length: x.shape[0] }, (_, i) => i);
    return composite(() => this.reducer.forward(this.computeLoss(x), x, rows));
  }

  /** The unreduced loss dictionary of x. */
  abstract computeLoss(x: Tensor): LossDict;
}
