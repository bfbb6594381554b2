// pytorch-metric-learning's EmbeddingsAlreadyPackagedAsTriplets: for batches laid out as
// consecutive (anchor, positive, negative) triples (e.g. from sl.samplers.FixedSetOfTriplets),
// the triplets are rows (0, 1, 2), (3, 4, 5), … whatever the labels say.
import { Tensor } from '../autograd/tensor';
import { checkOptions } from '../options';
import type { TripletTuples } from '../tuples/pairs';
import type { Distance } from '../tuples/checks';
import { checkEmbeddings, checkLabels, type Labels } from '../tuples/batch';
import { BaseMiner } from './base-miner';

/**
 * Triplets [[0, 3, …], [1, 4, …], [2, 5, …]]; the batch size must be a multiple of 3 (PML's
 * output check fails otherwise). Labels are optional and unused.
 * @example
 * const triplets = new sl.miners.EmbeddingsAlreadyPackagedAsTriplets().mine(embeddings);
 */
export class EmbeddingsAlreadyPackagedAsTriplets extends BaseMiner {

  /** `distance` is accepted, as PML's BaseMiner does, and unused. */
  constructor(options: { distance?: Distance } = {}) {
    const o = checkOptions<{ distance?: Distance }>('EmbeddingsAlreadyPackagedAsTriplets', options, { distance: 'object' });
    super('EmbeddingsAlreadyPackagedAsTriplets', o.distance);
  }

  mine(embeddings: Tensor, labels?: Labels | null): TripletTuples {
    const fn = `${this.name}.mine`;
    checkEmbeddings(fn, 'embeddings', embeddings);
    const size = embeddings.shape[0];
    if (labels !== undefined && labels !== null) checkLabels(fn, labels, size);
    if (size % 3 !== 0) throw new Error(`${fn}: the batch has ${size} embeddings, not a multiple of 3: it must be whole (anchor, positive, negative) triples`);
    const t = size / 3;
    const a = new Int32Array(t), p = new Int32Array(t), n = new Int32Array(t);
    for (let k = 0, r = 0; k < t; k++, r += 3) (a[k] = r), (p[k] = r + 1), (n[k] = r + 2);
    return [a, p, n];
  }
}
