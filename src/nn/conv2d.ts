import { Tensor } from '../autograd/tensor';
import { conv1d, conv2d, conv2dActivated, conv2dRelu, isRecorded, pairOf, paddingOf, type Conv2dOptions, type Pair } from '../ops/conv';
import { conv2dInfer, type ConvActivation } from '../ops/conv-infer';
import { checkOptions } from '../options';
import { Module } from './module';
import { checkPositiveInt, uniformParameter } from './init';

export interface Conv2dLayerOptions {
  stride?: Pair;
  /** n, [h, w], 'valid' (0) or 'same' (keeps the spatial size; stride 1) */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** Only 'zeros' (torch's default) is supported. */
  paddingMode?: 'zeros';
}

const LAYER_OPTIONS = { stride: ['integer', 'array'], padding: ['integer', 'array', ['same', 'valid']], dilation: ['integer', 'array'], groups: 'integer', bias: 'boolean', paddingMode: [['zeros']] } as const;

/** Checks the options shared by Conv1d and Conv2d; returns the weight's in-channel count and init bound. */
function convSetup(name: string, inChannels: number, outChannels: number, groups: number, kernelArea: number): number {
  checkPositiveInt(name, 'inChannels', inChannels);
  checkPositiveInt(name, 'outChannels', outChannels);
  checkPositiveInt(name, 'groups', groups);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`${name}: groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
  }
  return 1 / Math.sqrt((inChannels / groups) * kernelArea);
}

/**
 * 2-D convolution over NCHW input (torch.nn.Conv2d, same options, defaults and
 * initialisation): weight [out, in / groups, kh, kw], bias [out]. groups = in channels is a
 * depthwise convolution (its own kernel).
 * @example new sl.nn.Conv2d(1, 32, 3).forward(x) // [n, 1, 28, 28] -> [n, 32, 26, 26]
 * @example new sl.nn.Conv2d(32, 32, 3, { stride: 2, padding: 1, groups: 32, bias: false }) // depthwise
 */
export class Conv2d extends Module {
  static readonly typeName = 'Conv2d';
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same';
  readonly dilation: [number, number];
  readonly groups: number;
  /**
   * An activation applied to the output (null: none), set by nn.fuseBatchNorm when it fuses
   * the ReLU / ReLU6 that followed; it runs in the conv kernel when no backward can follow.
   */
  activation: 'relu' | 'relu6' | null = null;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true } = checkOptions<Conv2dLayerOptions>('Conv2d', options, LAYER_OPTIONS);
    this.kernelSize = pairOf('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = pairOf('Conv2d', 'stride', stride, 1);
    this.dilation = pairOf('Conv2d', 'dilation', dilation, 1);
    const pad = paddingOf('Conv2d', padding, this.kernelSize, this.stride, this.dilation);
    // an uneven 'same' (even kernel extent) stays 'same'; otherwise the padding per side
    this.padding = pad[0] !== pad[2] || pad[1] !== pad[3] ? 'same' : [pad[0], pad[1]];
    this.groups = groups;
    const bound = convSetup('Conv2d', inChannels, outChannels, groups, this.kernelSize[0] * this.kernelSize[1]);
    this.weight = this.registerParameter('weight', uniformParameter('Conv2d', 'weight', [outChannels, inChannels / groups, ...this.kernelSize], bound));
    this.bias = bias ? this.registerParameter('bias', uniformParameter('Conv2d', 'bias', [outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    const options = this.convOptions();
    if (!isRecorded(x, this.weight, this.bias)) return conv2dInfer(x, this.weight, this.bias, options, this.activation);
    if (this.activation) return conv2dActivated(x, this.weight, this.bias, options, this.activation);
    return conv2d(x, this.weight, this.bias, options);
  }

  /** relu(forward(x)) as one op (conv2dRelu); nn.Sequential calls it for a Conv2d followed by a ReLU. */
  forwardRelu(x: Tensor): Tensor {
    if (this.activation === null && !isRecorded(x, this.weight, this.bias)) return conv2dInfer(x, this.weight, this.bias, this.convOptions(), 'relu');
    return conv2dRelu(x, this.weight, this.bias, this.convOptions());
  }

  /**
   * Inference, when nothing is recorded (isRecorded false; the models check): act(forward(x) +
   * residual) with the shortcut and act in the conv's last pass. The layer's own activation
   * must be null (the caller's act replaces it).
   */
  forwardInfer(x: Tensor, act: ConvActivation, residual: Tensor | null): Tensor {
    if (this.activation !== null) throw new Error(`Conv2d.forwardInfer: the layer already has activation '${this.activation}'`);
    return conv2dInfer(x, this.weight, this.bias, this.convOptions(), act, residual);
  }

  private convOptions(): Conv2dOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }
}

export interface Conv1dLayerOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  bias?: boolean;
  paddingMode?: 'zeros';
}

/**
 * 1-D convolution over [n, c, l] input (torch.nn.Conv1d): weight [out, in / groups, k], bias [out].
 * @example new sl.nn.Conv1d(8, 16, 3, { padding: 'same' }).forward(x) // [n, 8, 50] -> [n, 16, 50]
 */
export class Conv1d extends Module {
  static readonly typeName = 'Conv1d';
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, options: Conv1dLayerOptions = {}) {
    super();
    const o = checkOptions<Conv1dLayerOptions>('Conv1d', options, { stride: 'integer', padding: ['integer', ['same', 'valid']], dilation: 'integer', groups: 'integer', bias: 'boolean', paddingMode: [['zeros']] });
    checkPositiveInt('Conv1d', 'kernelSize', kernelSize);
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.groups = o.groups ?? 1;
    const bound = convSetup('Conv1d', inChannels, outChannels, this.groups, kernelSize);
    this.weight = this.registerParameter('weight', uniformParameter('Conv1d', 'weight', [outChannels, inChannels / this.groups, kernelSize], bound));
    this.bias = (o.bias ?? true) ? this.registerParameter('bias', uniformParameter('Conv1d', 'bias', [outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}
