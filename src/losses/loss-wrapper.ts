// Shared checks of PML's loss wrappers (BaseLossWrapper): the wrapped loss must be a metric
// loss of the wrapper's supported list, and a miner must have mine().
import { BaseMetricLossFunction } from './base-metric-loss-function';
import type { Tensor } from '../autograd/tensor';
import type { Labels } from '../tuples/batch';

/** What a wrapper calls on a miner (sl.miners.*). */
export interface TupleMiner {
  readonly name?: string;
  mine(embeddings: Tensor, labels: Labels, refEmb?: Tensor | null, refLabels?: Labels | null): Int32Array[];
}

/** PML's check_loss_support: the loss is one of `supported` (by class name). */
export function checkWrappedLoss(fn: string, loss: unknown, supported: readonly string[]): BaseMetricLossFunction {
  if (!(loss instanceof BaseMetricLossFunction)) throw new TypeError(`${fn}: loss must be a metric loss (sl.losses.*), got ${loss === null ? 'null' : typeof loss}`);
  if (!supported.includes(loss.name)) throw new Error(`${fn}: ${loss.name} is not supported (supported: ${supported.join(', ')})`);
  return loss;
}

export function checkMiner(fn: string, what: string, miner: unknown): TupleMiner {
  if (miner === null || typeof miner !== 'object' || typeof (miner as TupleMiner).mine !== 'function') {
    throw new TypeError(`${fn}: ${what} must be a miner (sl.miners.*) with mine(embeddings, labels)`);
  }
  return miner as TupleMiner;
}
