import { Tensor } from '../autograd/tensor';
import { relu } from '../ops/eltwise';
import { Module } from './module';

/** max(x, 0) elementwise (torch.nn.ReLU). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}
