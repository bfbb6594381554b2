import { Tensor } from '../autograd/tensor';
import { l2Normalize } from '../ops/reduce';
import { Module } from './module';

/** Unit-length rows along the last dimension, x / max(‖x‖, eps) with eps 1e-12 (F.normalize). */
export class L2Normalize extends Module {
  static readonly typeName = 'L2Normalize';
  constructor(readonly eps = 1e-12) {
    super();
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) {
      throw new Error(`L2Normalize: eps must be a finite number > 0 (it normalises the last dimension; there is no dim argument), got ${typeof eps === 'string' ? JSON.stringify(eps) : String(eps)}`);
    }
  }

  forward(x: Tensor): Tensor {
    return l2Normalize(x, this.eps);
  }
}
