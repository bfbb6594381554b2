import { Tensor } from '../autograd/tensor';
import { l2Normalize } from '../ops/reduce';
import { Module } from './module';

/** Unit-length rows along the last dimension, x / max(‖x‖, eps) with eps 1e-12 (F.normalize). */
export class L2Normalize extends Module {
  constructor(readonly eps = 1e-12) {
    super();
  }

  forward(x: Tensor): Tensor {
    return l2Normalize(x, this.eps);
  }
}
