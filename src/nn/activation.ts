// Activation layers of torch.nn, each over the one kernel pair of src/ops/activation.ts.
import { Tensor } from '../autograd/tensor';
import { activation, gelu, prelu, type ActivationName } from '../ops/activation';
import { checkOptions } from '../options';
import { Module } from './module';
import { checkPositiveInt, constantParameter } from './init';

function simple(name: ActivationName, typeName: string) {
  return class extends Module {
    static readonly typeName = typeName;
    forward(x: Tensor): Tensor {
      return activation(name, x);
    }
  };
}

/** min(max(x, 0), 6) (torch.nn.ReLU6). */
export const ReLU6 = simple('relu6', 'ReLU6');
/** x·ReLU6(x + 3)/6 (torch.nn.Hardswish). */
export const Hardswish = simple('hardswish', 'Hardswish');
/** ReLU6(x + 3)/6 (torch.nn.Hardsigmoid). */
export const Hardsigmoid = simple('hardsigmoid', 'Hardsigmoid');
/** x·σ(x) (torch.nn.SiLU). */
export const SiLU = simple('silu', 'SiLU');
/** 1/(1 + e^−x) (torch.nn.Sigmoid). */
export const Sigmoid = simple('sigmoid', 'Sigmoid');
/** tanh x (torch.nn.Tanh). */
export const Tanh = simple('tanh', 'Tanh');

/** x·Φ(x), or its tanh approximation with { approximate: 'tanh' } (torch.nn.GELU). */
export class GELU extends Module {
  static readonly typeName = 'GELU';
  readonly approximate: 'none' | 'tanh';
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = checkOptions<{ approximate: 'none' | 'tanh' }>('GELU', options, { approximate: [['none', 'tanh']] }).approximate ?? 'none';
  }
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
}

/** x if x > 0 else negativeSlope·x (torch.nn.LeakyReLU, slope 0.01). */
export class LeakyReLU extends Module {
  static readonly typeName = 'LeakyReLU';
  readonly negativeSlope: number;
  constructor(options: { negativeSlope?: number } = {}) {
    super();
    this.negativeSlope = checkOptions<{ negativeSlope: number }>('LeakyReLU', options, { negativeSlope: 'number' }).negativeSlope ?? 0.01;
  }
  forward(x: Tensor): Tensor {
    return activation('leakyRelu', x, this.negativeSlope);
  }
}

/** x if x > 0 else a·x with a learnt slope per channel, or one shared (torch.nn.PReLU: numParameters 1, init 0.25). */
export class PReLU extends Module {
  static readonly typeName = 'PReLU';
  declare weight: Tensor;
  constructor(options: { numParameters?: number; init?: number } = {}) {
    super();
    const { numParameters = 1, init = 0.25 } = checkOptions<{ numParameters: number; init: number }>('PReLU', options, { numParameters: 'integer', init: 'number' });
    checkPositiveInt('PReLU', 'numParameters', numParameters);
    this.weight = this.registerParameter('weight', constantParameter([numParameters], init));
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}

/** Returns its input (torch.nn.Identity): the stand-in for a replaced head. */
export class Identity extends Module {
  static readonly typeName = 'Identity';
  forward(x: Tensor): Tensor {
    return x;
  }
}
