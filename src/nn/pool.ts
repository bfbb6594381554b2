import { Tensor } from '../autograd/tensor';
import { pairOf, type Pair } from '../ops/conv';
import { AVGPOOL_OPTIONS, MAXPOOL_OPTIONS, adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from '../ops/pool';
import { checkOptions } from '../options';
import { Module } from './module';

/**
 * Max pooling over NCHW input (torch.nn.MaxPool2d): stride defaults to the kernel size;
 * padding, dilation and ceilMode as torch.
 * @example new sl.nn.MaxPool2d(3, { stride: 2, padding: 1 }).forward(x) // ResNet's stem pool
 */
export class MaxPool2d extends Module {
  static readonly typeName = 'MaxPool2d';
  readonly kernelSize: [number, number];
  readonly options: MaxPool2dOptions;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = pairOf('MaxPool2d', 'kernelSize', kernelSize, 1);
    this.options = { ...checkOptions<MaxPool2dOptions>('MaxPool2d', options, MAXPOOL_OPTIONS) };
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * Average pooling over NCHW input (torch.nn.AvgPool2d: countIncludePad true, ceilMode false).
 * @example new sl.nn.AvgPool2d(2).forward(x) // [n, c, 8, 8] -> [n, c, 4, 4]
 */
export class AvgPool2d extends Module {
  static readonly typeName = 'AvgPool2d';
  readonly kernelSize: [number, number];
  readonly options: AvgPool2dOptions;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = pairOf('AvgPool2d', 'kernelSize', kernelSize, 1);
    this.options = { ...checkOptions<AvgPool2dOptions>('AvgPool2d', options, AVGPOOL_OPTIONS) };
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/** Average over adaptive windows to a fixed outputSize (torch.nn.AdaptiveAvgPool2d); 1 is global average pooling. */
export class AdaptiveAvgPool2d extends Module {
  static readonly typeName = 'AdaptiveAvgPool2d';
  readonly outputSize: [number, number];
  constructor(outputSize: Pair) {
    super();
    this.outputSize = pairOf('AdaptiveAvgPool2d', 'outputSize', outputSize, 1);
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** Max over adaptive windows to a fixed outputSize (torch.nn.AdaptiveMaxPool2d). */
export class AdaptiveMaxPool2d extends Module {
  static readonly typeName = 'AdaptiveMaxPool2d';
  readonly outputSize: [number, number];
  constructor(outputSize: Pair) {
    super();
    this.outputSize = pairOf('AdaptiveMaxPool2d', 'outputSize', outputSize, 1);
  }
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
}
