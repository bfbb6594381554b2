import { Tensor, composite } from '../autograd/tensor';
import { Module } from './module';
import { release } from './release';
import { Conv2d } from './conv2d';
import { ReLU } from './relu';

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

  /**
   * The layers' outputs between the first and the last are owned by the result (composite).
   * A Conv2d followed by a ReLU runs as one op (conv2dRelu): the same values, the ReLU in the
   * conv's epilogue, and one activation fewer kept for backward.
   */
  forward(x: Tensor): Tensor {
    return composite(() => {
      const layers = this.layers;
      let y = x;
      for (let i = 0; i < layers.length; i++) {
        const m = layers[i];
        const fused = isExactly(m, Conv2d) && !(m as Conv2d).activation && isExactly(layers[i + 1], ReLU);
        const next = fused ? (m as Conv2d).forwardRelu(y) : m.forward(y);
        if (fused) i++;
        if (next !== y) release(y, x);
        y = next;
      }
      return y;
    });
  }
}

/** m is an instance of cls itself, not of a subclass (whose forward may differ). */
function isExactly(m: Module | undefined, cls: abstract new (...a: any[]) => Module): boolean {
  return m !== undefined && Object.getPrototypeOf(m) === cls.prototype;
}
