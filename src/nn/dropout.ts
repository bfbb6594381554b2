import { Tensor } from '../autograd/tensor';
import { dropout } from '../ops/dropout';
import { Module } from './module';

/**
 * Inverted dropout (torch.nn.Dropout): in training, zeroes each element with probability p
 * and scales the rest by 1/(1 − p), masks drawn from the global generator (sl.manualSeed);
 * identity in eval mode.
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new Error(`Dropout: p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training });
  }
}
