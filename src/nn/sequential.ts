import { Tensor, composite } from '../autograd/tensor';
import { Module } from './module';

/**
 * Modules applied in order; their keys are prefixed with their index ('0.weight', '3.bias'),
 * as torch.nn.Sequential.
 * @example new sl.nn.Sequential(new sl.nn.Linear(4, 8), new sl.nn.ReLU(), new sl.nn.Linear(8, 2))
 */
export class Sequential extends Module {
  static readonly typeName = 'Sequential';
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => this.registerModule(String(i), m));
    this.layers = layers.slice();
  }

  get length(): number {
    return this.layers.length;
  }

  /** The layers' outputs between the first and the last are owned by the result (composite). */
  forward(x: Tensor): Tensor {
    return composite(() => {
      let y = x;
      for (const m of this.layers) y = m.forward(y);
      return y;
    });
  }
}
