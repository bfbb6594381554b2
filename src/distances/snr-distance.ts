// pytorch-metric-learning's SNRDistance (signal-to-noise ratio, Yuan et al. 2019):
// var(x_i − y_j) / var(x_i), variances over the embedding dimension, a distance.
// With row-centred xc, yc the (d − 1) of the unbiased variances cancels:
//   var(x_i − y_j) / var(x_i) = ‖xc_i − yc_j‖² / ‖xc_i‖²
// so the matrix is one squared-L2 cdist of centred rows divided by a per-row norm, and the
// gradient flows through the ops (centring, cdist, division) unchanged. d = 1 gives 0/0 = NaN,
// as torch.var of one element does.
import { Tensor, composite } from '../autograd/tensor';
import { cdistL2, paired } from '../ops/distance';
import { div, mul, sub } from '../ops/eltwise';
import { mean, sum } from '../ops/reduce';
import { reshape } from '../ops/shape';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';
import { checkPair } from './validate';

export interface SNRDistanceOptions {
  /** L2-normalise the embeddings first. Default true, as pytorch-metric-learning. */
  normalizeEmbeddings?: boolean;
  /** Raise the ratio to this power. Default 1. */
  power?: number;
}

/** Each row minus its mean, [n, d]. */
function centreRows(x: Tensor): Tensor {
  return sub(x, reshape(mean(x, 1), [x.shape[0], 1]));
}

/**
 * SNR distance var(x_i − y_j) / var(x_i) (not symmetric: the anchor's variance divides).
 * @example new sl.distances.SNRDistance().pairwise(query, ref) // [nq, nr]
 */
export class SNRDistance extends BaseDistance {

  constructor(options: SNRDistanceOptions = {}) {
    const { normalizeEmbeddings = true, power = 1 } = checkOptions<SNRDistanceOptions>('SNRDistance', options, {
      normalizeEmbeddings: 'boolean',
      power: 'number',
    });
    super('SNRDistance', false, normalizeEmbeddings, power);
  }

  /**
   * PML's `pairwise_distance`: var(x_i − y_i) / var(x_i) for row pairs of x, y [n, d] -> [n],
   * on the raw rows (no normalisation, no power, as PML). `paired()` is instead the diagonal of
   * `pairwise()`, normalised and powered like it.
   */
  pairwiseDistance(x: Tensor, y: Tensor): Tensor {
    checkPair('SNRDistance.pairwiseDistance', x, y, 'paired');
    return this.computePaired(x, y);
  }

  protected computePairwise(x: Tensor, y: Tensor): Tensor {
    return composite(() => {
      const xc = centreRows(x);
      const yc = y === x ? xc : centreRows(y);
      return div(cdistL2(xc, yc, true), reshape(sum(mul(xc, xc), 1), [x.shape[0], 1]));
    });
  }

  protected computePaired(x: Tensor, y: Tensor): Tensor {
    return composite(() => {
      const xc = centreRows(x);
      return div(paired(xc, centreRows(y), 'sqeuclidean'), sum(mul(xc, xc), 1));
    });
  }
}
