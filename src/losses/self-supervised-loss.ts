// PML's SelfSupervisedLoss: embeddings and refEmb are two views of the same n inputs, so
// row i of each is the other's only positive. Symmetric: the loss over the stacked batch
// [embeddings; refEmb] with labels [0..n-1, 0..n-1]; otherwise the batch against refEmb as
// the reference set with the same labels.
import { Tensor, composite, fmtShape } from '../autograd/tensor';
import { stackRows } from '../ops/loss';
import { checkOptions } from '../options';
import { checkEmbeddings } from '../tuples/batch';
import type { BaseMetricLossFunction } from './base-metric-loss-function';
import { checkWrappedLoss } from './loss-wrapper';

export interface SelfSupervisedLossOptions {
  /** The wrapped loss (required); one of SelfSupervisedLoss.supportedLosses. */
  loss: BaseMetricLossFunction;
  /** Default true. */
  symmetric?: boolean;
}

export class SelfSupervisedLoss {
  static readonly supportedLosses = [
    'AngularLoss', 'CircleLoss', 'ContrastiveLoss', 'GeneralizedLiftedStructureLoss', 'IntraPairVarianceLoss',
    'LiftedStructureLoss', 'MultiSimilarityLoss', 'NTXentLoss', 'SignalToNoiseRatioContrastiveLoss', 'SupConLoss',
    'TripletMarginLoss', 'NCALoss', 'TupletMarginLoss',
  ] as const;

  readonly name = 'SelfSupervisedLoss';
  readonly loss: BaseMetricLossFunction;
  readonly symmetric: boolean;

  constructor(options: SelfSupervisedLossOptions) {
    const o = checkOptions<SelfSupervisedLossOptions>('SelfSupervisedLoss', options, { loss: 'object', symmetric: 'boolean' });
    this.loss = checkWrappedLoss('SelfSupervisedLoss', o.loss, SelfSupervisedLoss.supportedLosses);
    this.symmetric = o.symmetric ?? true;
  }

  /** embeddings [n, d] and refEmb [n, d] (an augmented view of the same inputs) -> scalar. */
  forward(embeddings: Tensor, refEmb: Tensor): Tensor {
    const fn = 'SelfSupervisedLoss.forward';
    checkEmbeddings(fn, 'embeddings', embeddings);
    checkEmbeddings(fn, 'refEmb', refEmb);
    if (refEmb.shape[0] !== embeddings.shape[0] || refEmb.shape[1] !== embeddings.shape[1]) {
      throw new Error(`${fn}: embeddings is ${fmtShape(embeddings.shape)} but refEmb is ${fmtShape(refEmb.shape)}: the two views must have the same shape`);
    }
    const n = embeddings.shape[0];
    const labels = Int32Array.from({ length: n }, (_, i) => i);
    if (!this.symmetric) return this.loss.forward(embeddings, labels, null, refEmb, labels);
    const both = Int32Array.from({ length: 2 * n }, (_, i) => i % n);
    return composite(() => this.loss.forward(stackRows([embeddings, refEmb]), both));
  }
}
