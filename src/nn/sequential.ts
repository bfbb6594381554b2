import { Tensor, composite } from '../autograd/tensor';
import { Module } from './module';
import { release } from './release';

/**
 * Modules applied in order; their keys are prefixed with their index ('0.weight', '3.bias'),
 * as torch.nn.Sequential;
 * `seq[1] = new sl.nn.Identity()` replaces a layer.
 * @example new sl.nn.Sequential(new sl.nn.Linear(4, 8), new sl.nn.ReLU(), new sl.nn.Linear(8, 2))
 */
export class Sequential extends Module {
  static readonly typeName = 'Sequential';
  [index: number]: Module;

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** The layers in order (`seq[i] = m` replaces layer i). */
  get layers(): readonly Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  get length(): number {
    return this.layers.length;
  }

  /** The layers' outputs between the first and the last are owned by the result (composite). */
  forward(x: Tensor): Tensor {
    return composite(() => {
      let y = x;
      for (const m of this.layers) {
        const next = m.forward(y);
        if (next !== y) release(y, x);
        y = next;
      }
      return y;
    });
  }
}
