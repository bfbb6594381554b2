// torch.nn.BatchNorm1d / BatchNorm2d: affine (weight 1, bias 0), running statistics tracked
// with momentum 0.1 and the unbiased batch variance, eps 1e-5. Buffers 'running_mean',
// 'running_var', 'num_batches_tracked' as torch's state dict.
import { Tensor, fmtShape } from '../autograd/tensor';
import { f32 } from '../wasm/instance';
import { batchNorm } from '../ops/norm';
import { Module } from './module';
import { checkPositiveInt, constantParameter } from './init';
import { checkOptions } from '../options';

export interface BatchNormLayerOptions {
  eps?: number;
  momentum?: number;
}

abstract class BatchNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** A float32 scalar here (torch stores int64). */
  readonly numBatchesTracked: Tensor;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, options: BatchNormLayerOptions, private readonly ranks: readonly number[]) {
    super();
    const name = this.typeName;
    const { eps = 1e-5, momentum = 0.1 } = checkOptions<BatchNormLayerOptions>(name, options, { eps: 'number', momentum: 'number' });
    checkPositiveInt(name, 'numFeatures', numFeatures);
    if (!(eps > 0)) throw new Error(`${name}: eps must be > 0, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`${name}: momentum must be in [0, 1], got ${momentum}`);
    this.eps = eps;
    this.momentum = momentum;
    this.weight = this.registerParameter('weight', constantParameter([numFeatures], 1));
    this.bias = this.registerParameter('bias', constantParameter([numFeatures], 0));
    this.runningMean = this.registerBuffer('running_mean', constantParameter([numFeatures], 0));
    this.runningVar = this.registerBuffer('running_var', constantParameter([numFeatures], 1));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', constantParameter([], 0));
  }

  forward(x: Tensor): Tensor {
    x.ptr;
    const name = this.typeName;
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      const want = this.ranks.map((r) => (r === 2 ? '[n, c]' : r === 3 ? '[n, c, l]' : '[n, c, h, w]')).join(' or ');
      throw new Error(`${name}: x is ${fmtShape(x.shape)} but must be ${want} with c = ${this.numFeatures}`);
    }
    const y = batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: this.training, momentum: this.momentum, eps: this.eps });
    if (this.training) f32()[this.numBatchesTracked.ptr >>> 2] += 1;
    return y;
  }
}

/** Batch normalisation of [n, c] features or [n, c, l] sequences. */
export class BatchNorm1d extends BatchNorm {
  static readonly typeName = 'BatchNorm1d';
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super(numFeatures, options, [2, 3]);
  }
}

/** Batch normalisation of [n, c, h, w] feature maps, per channel. */
export class BatchNorm2d extends BatchNorm {
  static readonly typeName = 'BatchNorm2d';
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super(numFeatures, options, [4]);
  }
}
