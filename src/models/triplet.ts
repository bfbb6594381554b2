import { Tensor, composite } from '../autograd/tensor';
import { Module } from '../nn/module';
import { EmbeddingModel, type PairedDistance } from './embedding-model';

export interface TripletDistances {
  /** distance(anchor, positive) per triplet [n] */
  dAP: Tensor;
  /** distance(anchor, negative) per triplet [n] */
  dAN: Tensor;
}

/**
 * A Triplet network: one shared embedder for anchor, positive and negative;
 * forward(a, p, n) gives { dAP, dAN }, the two distances of each triplet.
 * @example const { dAP, dAN } = new sl.models.Triplet(embedder, distance).forward(a, p, n);
 */
export class Triplet extends EmbeddingModel {
  static readonly typeName = 'Triplet';
  constructor(embedder: Module, distance: PairedDistance) {
    super('Triplet', embedder, distance);
  }

  forward(anchor: Tensor, positive: Tensor, negative: Tensor): TripletDistances {
    this.checkSameBatch('Triplet.forward', [['anchor', anchor], ['positive', positive], ['negative', negative]]);
    // the embeddings are owned by dAP and dAN together (composite): freed with the last of them
    return composite(() => {
      const ea = this.embed(anchor);
      return { dAP: this.distance.paired(ea, this.embed(positive)), dAN: this.distance.paired(ea, this.embed(negative)) };
    });
  }
}
