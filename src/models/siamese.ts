import { Tensor } from '../autograd/tensor';
import { Module } from '../nn/module';
import { EmbeddingModel, type PairedDistance } from './embedding-model';

/**
 * A Siamese network: one shared embedder for both inputs; forward(a, b) gives the distance
 * of each pair [n]. Gradients from both branches accumulate into the one set of weights.
 * @example const model = new sl.models.Siamese(embedder, new sl.distances.LpDistance());
 *          const d = model.forward(x1, x2); // [n]
 */
export class Siamese extends EmbeddingModel {
  /** Verification threshold on forward()'s distances, once calibrated (e.g. sl.metrics.verification). */
  threshold: number | null = null;

  constructor(embedder: Module, distance: PairedDistance) {
    super('Siamese', embedder, distance);
  }

  forward(a: Tensor, b: Tensor): Tensor {
    this.checkSameBatch('Siamese.forward', [['a', a], ['b', b]]);
    return this.distance.paired(this.embed(a), this.embed(b));
  }
}
