import { Tensor, composite, noGrad, tidy } from '../autograd/tensor';
import { Module } from '../nn/module';
import { EmbeddingModel, type PairedDistance } from './embedding-model';

/**
 * A Siamese network: one shared embedder for both inputs; forward(a, b) gives the distance
 * of each pair [n]. Gradients from both branches accumulate into the one set of weights.
 * @example const model = new sl.models.Siamese(embedder, new sl.distances.LpDistance());
 *          const d = model.forward(x1, x2); // [n]
 */
export class Siamese extends EmbeddingModel {
  static readonly typeName = 'Siamese';
  /** Verification threshold on forward()'s distances, once calibrated (e.g. sl.metrics.verification). */
  threshold: number | null = null;

  constructor(embedder: Module, distance: PairedDistance) {
    super('Siamese', embedder, distance);
  }

  forward(a: Tensor, b: Tensor): Tensor {
    this.checkSameBatch('Siamese.forward', [['a', a], ['b', b]]);
    // the embeddings are owned by the distances (composite): disposing the result frees them
    return composite(() => this.distance.paired(this.embed(a), this.embed(b)));
  }

  /**
   * Whether each pair (a[i], b[i]) is a match: distance ≤ threshold (similarity ≥ threshold
   * for an inverted distance such as CosineSimilarity). Calibrate first, e.g.
   * `model.threshold = sl.metrics.verification(model.forward(a, b), same).threshold`
   * (for a similarity, pass its negation to verification and negate the threshold back).
   */
  isMatch(a: Tensor, b: Tensor): boolean[] {
    const t = this.threshold;
    if (typeof t !== 'number' || Number.isNaN(t)) {
      throw new Error('Siamese.isMatch: no threshold set; calibrate it, e.g. model.threshold = sl.metrics.verification(model.forward(a, b), same).threshold');
    }
    const inverted = !!this.distance.isInverted;
    const d = tidy(() => noGrad(() => this.forward(a, b).data()));
    return Array.from(d, (v) => (inverted ? v >= t : v <= t));
  }
}
