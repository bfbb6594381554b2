import { Tensor } from '../autograd/tensor';
import { linearOp } from '../ops/gemm';
import { Module } from './module';
import { checkPositiveInt, uniformParameter } from './init';
import { checkOptions } from '../options';

export interface LinearOptions {
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b, weight [out, in], bias [out] (torch.nn.Linear, same initialisation).
 * @example new sl.nn.Linear(1600, 64).forward(x) // x [n, 1600] -> [n, 64]
 */
export class Linear extends Module {
  static readonly typeName = 'Linear';
  declare weight: Tensor;
  declare bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    const { bias = true } = checkOptions<LinearOptions>('Linear', options, { bias: 'boolean' });
    checkPositiveInt('Linear', 'inFeatures', inFeatures);
    checkPositiveInt('Linear', 'outFeatures', outFeatures);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter('weight', uniformParameter('Linear', 'weight', [outFeatures, inFeatures], bound));
    this.bias = bias ? this.registerParameter('bias', uniformParameter('Linear', 'bias', [outFeatures], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return linearOp(x, this.weight, this.bias, true);
  }
}
