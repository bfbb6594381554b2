import { Tensor } from '../autograd/tensor';
import { pairOf, type Pair } from '../ops/conv';
import { maxPool2d } from '../ops/pool';
import { Module } from './module';
import { checkOptions } from '../options';

/**
 * Max pooling over NCHW input (torch.nn.MaxPool2d, floor mode, no padding); stride defaults
 * to the kernel size.
 * @example new sl.nn.MaxPool2d(2).forward(x) // [n, c, 26, 26] -> [n, c, 13, 13]
 */
export class MaxPool2d extends Module {
  static readonly typeName = 'MaxPool2d';
  readonly kernelSize: [number, number];
  readonly stride: [number, number];

  constructor(kernelSize: Pair, options: { stride?: Pair } = {}) {
    super();
    const { stride } = checkOptions<{ stride?: Pair }>('MaxPool2d', options, { stride: ['integer', 'array'] });
    this.kernelSize = pairOf('MaxPool2d', 'kernelSize', kernelSize, 1);
    this.stride = pairOf('MaxPool2d', 'stride', stride ?? kernelSize, 1);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride });
  }
}
