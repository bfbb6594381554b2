// A learned Mahalanobis metric M = LᵀL with one trainable parameter L [rank, dim]: computed
// as ‖L·x − L·y‖² (project, then squared Euclidean), which is cheaper than forming M and
// positive semi-definite by construction. Plugs into every loss like any other distance.
import { f32, getEngine } from '../wasm/instance';
import { zeros } from '../autograd/create';
import { Tensor, composite, fmtShape, keep } from '../autograd/tensor';
import { linear, matmul, transpose } from '../ops/gemm';
import { cdistL2, paired } from '../ops/distance';
import { checkOptions } from '../options';
import { BaseDistance } from './base-distance';
import { checkFinite, describe } from './validate';

export interface LearnedMahalanobisOptions {
  /** Rows of L (the projected dimension), 1 ≤ rank ≤ dim. Default dim. */
  rank?: number;
  /** true (default): ‖Lx − Ly‖²; false: ‖Lx − Ly‖. */
  squared?: boolean;
}

export class LearnedMahalanobis extends BaseDistance {
  readonly dim: number;
  readonly rank: number;
  readonly squared: boolean;
  /**
   * [rank, dim], initialised to the identity (its first `rank` rows when rank < dim, as
   * torch.nn.init.eye_): training starts from the plain (squared) Euclidean distance.
   */
  readonly L: Tensor;

  constructor(dim: number, options: LearnedMahalanobisOptions = {}) {
    const spec = { rank: 'integer', squared: 'boolean' } as const;
    const { rank = dim, squared = true } = checkOptions<LearnedMahalanobisOptions>('LearnedMahalanobis', options, spec);
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`LearnedMahalanobis: dim must be a positive integer, got ${dim}`);
    if (!Number.isInteger(rank) || rank < 1 || rank > dim) throw new Error(`LearnedMahalanobis: rank must be an integer in [1, ${dim}], got ${rank}`);
    super('LearnedMahalanobis', false, false, 1);
    this.dim = dim;
    this.rank = rank;
    this.squared = squared;
    this.L = keep(zeros([rank, dim]));
    const v = f32();
    for (let i = 0; i < rank; i++) v[(this.L.ptr >>> 2) + i * dim + i] = 1;
    this.L.requiresGrad = true;
  }

  /** M = LᵀL [dim, dim] (differentiable in L). */
  get M(): Tensor {
    return composite(() => matmul(transpose(this.L), this.L));
  }

  parameters(): Tensor[] {
    return [this.L];
  }

  stateDict(): { L: Tensor } {
    return { L: this.L };
  }

  /** Copies dict.L into the parameter (same tensor object, so optimisers keep working). */
  loadStateDict(dict: { L: Tensor } | Record<string, Tensor>): void {
    const L = (dict as Record<string, unknown>)?.L;
    const keys = dict && typeof dict === 'object' ? Object.keys(dict) : [];
    const extra = keys.filter((key) => key !== 'L');
    if (!(L instanceof Tensor)) throw new Error(`LearnedMahalanobis.loadStateDict: missing key 'L' (got ${describe(L)}; keys ${JSON.stringify(keys)})`);
    if (extra.length) throw new Error(`LearnedMahalanobis.loadStateDict: unexpected keys ${JSON.stringify(extra)}`);
    if (L.shape.length !== 2 || L.shape[0] !== this.rank || L.shape[1] !== this.dim) {
      throw new Error(`LearnedMahalanobis.loadStateDict: L is ${fmtShape(L.shape)} but this metric has L ${fmtShape(this.L.shape)}`);
    }
    checkFinite('LearnedMahalanobis.loadStateDict', 'L', L);
    getEngine().k.f32_copy(L.ptr, this.L.ptr, L.size);
  }

  protected checkDim(fn: string, d: number): void {
    if (d !== this.dim) throw new Error(`${fn}: inputs have dimension ${d} but this LearnedMahalanobis has dim ${this.dim}`);
  }

  protected hasTrainableMatrix(): boolean {
    return this.L.requiresGrad;
  }

  protected boundedInRange(): boolean {
    return false;
  }

  protected degree(): number {
    return this.squared ? 2 : 1;
  }

  protected computePairwise(x: Tensor, y: Tensor): Tensor {
    const px = linear(x, this.L);
    const py = y === x ? px : linear(y, this.L);
    return cdistL2(px, py, this.squared);
  }

  protected computePaired(x: Tensor, y: Tensor): Tensor {
    return paired(linear(x, this.L), linear(y, this.L), this.squared ? 'sqeuclidean' : 'euclidean');
  }
}
