import { Tensor } from '../autograd/tensor';
import { conv2d, pairOf, paddingOf, type Pair } from '../ops/conv';
import { Module } from './module';
import { checkPositiveInt, uniformParameter } from './init';
import { checkOptions } from '../options';

export interface Conv2dLayerOptions {
  stride?: Pair;
  /** n, [h, w], 'valid' (0) or 'same' (stride 1, odd kernel) */
  padding?: Pair | 'same' | 'valid';
  bias?: boolean;
}

/**
 * 2-D convolution over NCHW input (torch.nn.Conv2d, same initialisation): weight
 * [out, in, kh, kw], bias [out]; stride 1, padding 0 and a bias by default; padding 'same'
 * keeps the spatial size.
 * @example new sl.nn.Conv2d(1, 32, 3).forward(x) // [n, 1, 28, 28] -> [n, 32, 26, 26]
 */
export class Conv2d extends Module {
  static readonly typeName = 'Conv2d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super();
    const spec = { stride: ['integer', 'array'], padding: ['integer', 'array', ['same', 'valid']], bias: 'boolean' } as const;
    const { stride = 1, padding = 0, bias = true } = checkOptions<Conv2dLayerOptions>('Conv2d', options, spec);
    checkPositiveInt('Conv2d', 'inChannels', inChannels);
    checkPositiveInt('Conv2d', 'outChannels', outChannels);
    this.kernelSize = pairOf('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = pairOf('Conv2d', 'stride', stride, 1);
    this.padding = paddingOf('Conv2d', padding, this.kernelSize, this.stride);
    const [kh, kw] = this.kernelSize;
    const bound = 1 / Math.sqrt(inChannels * kh * kw);
    this.weight = this.registerParameter('weight', uniformParameter('Conv2d', 'weight', [outChannels, inChannels, kh, kw], bound));
    this.bias = bias ? this.registerParameter('bias', uniformParameter('Conv2d', 'bias', [outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}
