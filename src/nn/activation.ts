// Activation layers of torch.nn, each over the one kernel pair of src/ops/activation.ts.
import { Tensor } from '../autograd/tensor';
import { activation, gelu, prelu, type ActivationName } from '../ops/activation';
import { checkOptions } from '../options';
import { Module } from './module';
import { checkPositiveInt, constantParameter } from './init';

/** A layer that applies one activation of the shared kernel pair. */
abstract class Elementwise extends Module {
  protected abstract readonly fn: ActivationName;
  forward(x: Tensor): Tensor {
    return activation(this.fn, x);
  }
}

/** min(max(x, 0), 6) (torch.nn.ReLU6). */
export class ReLU6 extends Elementwise {
  static readonly typeName = 'ReLU6';
  protected readonly fn = 'relu6';
}
/** x·ReLU6(x + 3)/6 (torch.nn.Hardswish). */
export class Hardswish extends Elementwise {
  static readonly typeName = 'Hardswish';
  protected readonly fn = 'hardswish';
}
/** ReLU6(x + 3)/6 (torch.nn.Hardsigmoid). */
export class Hardsigmoid extends Elementwise {
  static readonly typeName = 'Hardsigmoid';
  protected readonly fn = 'hardsigmoid';
}
/** x·σ(x) (torch.nn.SiLU). */
export class SiLU extends Elementwise {
  static readonly typeName = 'SiLU';
  protected readonly fn = 'silu';
}
/** 1/(1 + e^−x) (torch.nn.Sigmoid). */
export class Sigmoid extends Elementwise {
  static readonly typeName = 'Sigmoid';
  protected readonly fn = 'sigmoid';
}
/** tanh x (torch.nn.Tanh). */
export class Tanh extends Elementwise {
  static readonly typeName = 'Tanh';
  protected readonly fn = 'tanh';
}

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
