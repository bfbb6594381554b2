// pytorch-metric-learning's LpDistance: torch.cdist(x, y, p) ** power, on L_p-normalised
// embeddings by default.
import { Tensor } from '../autograd/tensor';
import { cdistL2, cdistLp, paired } from '../ops/distance';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';

export interface LpDistanceOptions {
  /** The norm, p ≥ 1 (finite). Default 2. */
  p?: number;
  /** Raise the distance to this power. Default 1; with p = 2, power 2 is the squared Euclidean distance. */
  power?: number;
  /** Default true, as pytorch-metric-learning (normalised with the same p). */
  normalizeEmbeddings?: boolean;
}

/**
 * ‖x_i − y_j‖_p^power. `new LpDistance({ normalizeEmbeddings: false, power: 2 })` is the
 * squared Euclidean distance, computed directly (never as the square of a root).
 */
export class LpDistance extends BaseDistance {

  constructor(options: LpDistanceOptions = {}) {
    const spec = { p: 'number', power: 'number', normalizeEmbeddings: 'boolean' } as const;
    const { p = 2, power = 1, normalizeEmbeddings = true } = checkOptions<LpDistanceOptions>('LpDistance', options, spec);
    if (typeof p !== 'number' || !(p >= 1) || !Number.isFinite(p)) {
      throw new Error(`LpDistance: p must be a finite number >= 1 (a norm), got ${p}`);
    }
    super('LpDistance', false, normalizeEmbeddings, power, p);
  }

  private get squaredL2(): boolean {
    return this.p === 2 && this.power === 2;
  }

  protected computePairwise(x: Tensor, y: Tensor): Tensor {
    return this.squaredL2 ? cdistL2(x, y, true) : cdistLp(x, y, this.p);
  }

  protected computePaired(x: Tensor, y: Tensor): Tensor {
    return this.squaredL2 ? paired(x, y, 'sqeuclidean') : paired(x, y, 'lp', this.p);
  }

  protected degree(): number {
    return this.squaredL2 ? 2 : 1;
  }

  protected isSquaredForm(): boolean {
    return this.squaredL2;
  }

  protected withPower(mat: Tensor): Tensor {
    return this.squaredL2 ? mat : super.withPower(mat);
  }
}
