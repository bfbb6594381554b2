import { Tensor, fmtShape } from '../autograd/tensor';
import { reshape } from '../ops/shape';
import { Module } from './module';

/**
 * Merges dimensions startDim..endDim into one (torch.nn.Flatten: startDim 1, endDim −1), a
 * view without a copy.
 * @example new sl.nn.Flatten().forward(x) // [n, 64, 5, 5] -> [n, 1600]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    const nd = x.shape.length;
    const s = this.startDim < 0 ? this.startDim + nd : this.startDim;
    const e = this.endDim < 0 ? this.endDim + nd : this.endDim;
    if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e < nd)) {
      throw new Error(`Flatten: dimensions ${this.startDim}..${this.endDim} do not fit x ${fmtShape(x.shape)}`);
    }
    const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
  }
}
