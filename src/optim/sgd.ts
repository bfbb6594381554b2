import { Tensor } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';
import { Optimizer, checkNumber } from './optimizer';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent as torch.optim.SGD: d = g + weightDecay·p; with momentum,
 * buf = momentum·buf + (1 − dampening)·d (buf = d on the first step) and d = buf, or
 * d + momentum·buf with nesterov; p −= lr·d.
 * @example const opt = new sl.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 */
export class SGD extends Optimizer {
  /** Learning rate; may be changed between steps (a schedule). */
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super('SGD', params);
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = options ?? ({} as SGDOptions);
    checkNumber('SGD', 'lr', lr, (v) => v >= 0, 'a number ≥ 0');
    checkNumber('SGD', 'momentum', momentum, (v) => v >= 0, 'a number ≥ 0');
    checkNumber('SGD', 'dampening', dampening, Number.isFinite, 'a finite number');
    checkNumber('SGD', 'weightDecay', weightDecay, (v) => v >= 0, 'a number ≥ 0');
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new Error(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${momentum}, dampening ${dampening}`);
    }
    this.lr = lr;
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  step(): void {
    const k = getEngine().k;
    for (const p of this.withGrads('SGD')) {
      let buf = 0, first = 0;
      if (this.momentum !== 0) {
        const s = this.stateOf(p, 1);
        buf = s.bufs[0].ptr;
        first = s.fresh ? 1 : 0;
      }
      k.f32_sgd_step(p.ptr, p.grad!.ptr, buf, p.size, this.lr, this.momentum, 1 - this.dampening, this.weightDecay, this.nesterov ? 1 : 0, first);
    }
  }
}
