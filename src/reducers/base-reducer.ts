// A reducer turns a loss's per-tuple losses [t] into the scalar that is back-propagated
// (pytorch-metric-learning's reducers). An empty [0] input reduces to 0 with zero gradient,
// still connected to the graph so backward() works.
import type { Tensor } from '../autograd/tensor';

export interface Reducer {
  /** Scalar reduction of per-tuple losses [t]. */
  reduce(losses: Tensor): Tensor;
}
