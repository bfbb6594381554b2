// VICReg (Bardes et al. 2022), as PML's VICRegLoss: two views Z, Z' [n, d] of the same
// inputs, λ·s(Z, Z') + µ·[v(Z) + v(Z')] + ν·[c(Z) + c(Z')] — invariance (per-row mean squared
// difference), variance (a hinge on each dimension's standard deviation) and covariance (the
// squared off-diagonal covariances over d). No labels, tuples, distance or regulariser.
import { Tensor, fmtShape } from '../autograd/tensor';
import { centreColumns, gramColumns, offDiagonalSquares, varianceHinge } from '../ops/covariance';
import { paired } from '../ops/distance';
import { add, mul } from '../ops/eltwise';
import { checkOptions } from '../options';
import { elementEntry, type LossDict } from '../reducers/loss-dict';
import { MeanReducer } from '../reducers/mean-reducer';
import { LpDistance } from '../distances/lp-distance';
import { BASE_LOSS_OPTIONS, BaseMetricLossFunction, type BaseLossOptions, type LossInputs } from './base-metric-loss-function';
import type { Labels, Tuples } from '../tuples/batch';

export interface VICRegLossOptions extends Omit<BaseLossOptions, 'distance' | 'embeddingRegularizer' | 'embeddingRegWeight'> {
  /** λ. Default 25. */
  invarianceLambda?: number;
  /** µ. Default 25. */
  varianceMu?: number;
  /** ν. Default 1. */
  covarianceV?: number;
  /** Added to the variance under the square root. Default 1e-4. */
  eps?: number;
}

const { distance: _d, embeddingRegularizer: _r, embeddingRegWeight: _w, ...REDUCER_ONLY } = BASE_LOSS_OPTIONS;

export class VICRegLoss extends BaseMetricLossFunction {
  readonly invarianceLambda: number;
  readonly varianceMu: number;
  readonly covarianceV: number;
  readonly eps: number;

  constructor(options: VICRegLossOptions = {}) {
    if (options !== null && typeof options === 'object' && ('distance' in options || 'embeddingRegularizer' in options)) {
      throw new Error(`VICRegLoss: it cannot use ${'distance' in options ? 'a distance' : 'an embeddingRegularizer'} (as in pytorch-metric-learning)`);
    }
    const o = checkOptions<VICRegLossOptions>('VICRegLoss', options, { ...REDUCER_ONLY, invarianceLambda: 'number', varianceMu: 'number', covarianceV: 'number', eps: 'number' });
    super('VICRegLoss', o, { distance: () => new LpDistance(), reducer: () => new MeanReducer() }, ['invarianceLoss', 'varianceLoss1', 'varianceLoss2', 'covarianceLoss']);
    this.invarianceLambda = o.invarianceLambda ?? 25;
    this.varianceMu = o.varianceMu ?? 25;
    this.covarianceV = o.covarianceV ?? 1;
    this.eps = o.eps ?? 1e-4;
  }

  /** The loss of two views embeddings [n, d] and refEmb [n, d] (PML's forward(embeddings, ref_emb=...)). */
  override forward(embeddings: Tensor, refEmb?: Tensor | Labels | null, tuples?: Tuples | null, ref?: Tensor | null, refLabels?: Labels | null): Tensor {
    return refEmb instanceof Tensor ? super.forward(embeddings, null, null, refEmb) : super.forward(embeddings, refEmb, tuples, ref, refLabels);
  }

  /** The unreduced dictionary of two views (same arguments as forward). */
  override computeLoss(embeddings: Tensor, refEmb?: Tensor | Labels | null, tuples?: Tuples | null, ref?: Tensor | null, refLabels?: Labels | null): LossDict {
    return refEmb instanceof Tensor ? super.computeLoss(embeddings, null, null, refEmb) : super.computeLoss(embeddings, refEmb, tuples, ref, refLabels);
  }

  protected compute(x: LossInputs): LossDict {
    if (x.tuples !== null) throw new Error('VICRegLoss: index tuples are not supported (as in pytorch-metric-learning)');
    if (x.labels !== null || (!x.refIsBatch && x.refLabels !== null)) throw new Error('VICRegLoss: labels are not supported (as in pytorch-metric-learning)');
    if (x.refIsBatch) throw new Error('VICRegLoss: refEmb (the second view) is required');
    const { embeddings: z, refEmb: r } = x;
    if (z.shape[0] !== r.shape[0]) throw new Error(`VICRegLoss: embeddings is ${fmtShape(z.shape)} but refEmb is ${fmtShape(r.shape)}: the two views must have the same shape`);
    const [n, d] = z.shape;
    // per view, the variance hinge and the squared covariances off one Gram matrix of the
    // centred view (cov = C / (n − 1); torch's unbiased var is its diagonal)
    const terms = (e: Tensor) => {
      const gram = gramColumns(centreColumns(e));
      return [varianceHinge(gram, n, this.eps, this.varianceMu / 2), offDiagonalSquares(gram, this.covarianceV / (d * (n - 1) ** 2))];
    };
    const [v1, c1] = terms(z), [v2, c2] = terms(r);
    return {
      invarianceLoss: elementEntry(mul(paired(z, r, 'sqeuclidean'), this.invarianceLambda / d)),
      varianceLoss1: elementEntry(v1),
      varianceLoss2: elementEntry(v2),
      covarianceLoss: { losses: add(c1, c2), indices: null, reductionType: 'already_reduced' },
    };
  }
}
