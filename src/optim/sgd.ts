import { Tensor } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';
import { Optimizer, checkNumber } from './optimizer';
import { checkOptions } from '../options';

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
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super('SGD', params);
    const spec = { lr: 'any', momentum: 'any', dampening: 'any', weightDecay: 'any', nesterov: 'any' } as const; // values checked below, with their ranges
    if (options === undefined) throw new TypeError('SGD: options { lr } are required (torch.optim.SGD has no default learning rate)');
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = checkOptions<SGDOptions>('SGD', options, spec);
    this.lr = lr as number;
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
    this.checkHyperParameters('SGD');
  }

  protected checkHyperParameters(fn: string): void {
    checkNumber(fn, 'lr', this.lr);
    checkNumber(fn, 'momentum', this.momentum);
    checkNumber(fn, 'dampening', this.dampening, () => true, 'a finite number');
    checkNumber(fn, 'weightDecay', this.weightDecay);
    if (typeof this.nesterov !== 'boolean') throw new Error(`${fn}: nesterov must be a boolean, got ${JSON.stringify(this.nesterov)}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error(`${fn}: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum}, dampening ${this.dampening}`);
    }
  }

  step(): void {
    const ready = this.prepare(this.momentum !== 0 ? 1 : 0);
    const k = getEngine().k;
    for (const { p, bufs, fresh } of ready) {
      const buf = bufs.length > 0 ? bufs[0].ptr : 0;
      k.f32_sgd_step(p.ptr, p.grad!.ptr, buf, p.size, this.lr, this.momentum, 1 - this.dampening, this.weightDecay, this.nesterov ? 1 : 0, fresh ? 1 : 0);
    }
  }
}
