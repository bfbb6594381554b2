import { Tensor } from '../autograd/tensor';
import { groupNorm, layerNorm } from '../ops/norm';
import { checkOptions } from '../options';
import { Module } from './module';
import { checkPositiveInt, constantParameter } from './init';

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
}

/**
 * Normalises over the last dimensions given by normalizedShape, then an elementwise affine
 * (torch.nn.LayerNorm: eps 1e-5, weight 1, bias 0).
 * @example new sl.nn.LayerNorm(64).forward(x) // x [n, 64]
 */
export class LayerNorm extends Module {
  static readonly typeName = 'LayerNorm';
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true } = checkOptions<LayerNormOptions>('LayerNorm', options, { eps: 'number', elementwiseAffine: 'boolean' });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.from(normalizedShape);
    this.normalizedShape.forEach((s) => checkPositiveInt('LayerNorm', 'normalizedShape', s));
    this.eps = eps;
    this.weight = elementwiseAffine ? this.registerParameter('weight', constantParameter(this.normalizedShape, 1)) : null;
    this.bias = elementwiseAffine ? this.registerParameter('bias', constantParameter(this.normalizedShape, 0)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/**
 * Normalises each group of numChannels / numGroups channels, then a per-channel affine
 * (torch.nn.GroupNorm: eps 1e-5, affine true).
 * @example new sl.nn.GroupNorm(8, 64).forward(x) // x [n, 64, h, w]
 */
export class GroupNorm extends Module {
  static readonly typeName = 'GroupNorm';
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  readonly eps: number;

  constructor(readonly numGroups: number, readonly numChannels: number, options: { eps?: number; affine?: boolean } = {}) {
    super();
    const { eps = 1e-5, affine = true } = checkOptions<{ eps: number; affine: boolean }>('GroupNorm', options, { eps: 'number', affine: 'boolean' });
    checkPositiveInt('GroupNorm', 'numGroups', numGroups);
    checkPositiveInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = eps;
    this.weight = affine ? this.registerParameter('weight', constantParameter([numChannels], 1)) : null;
    this.bias = affine ? this.registerParameter('bias', constantParameter([numChannels], 0)) : null;
  }

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}
