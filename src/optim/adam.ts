import { Tensor } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';
import { Optimizer, checkNumber } from './optimizer';
import { checkOptions } from '../options';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * Adam as torch.optim.Adam: weightDecay is an L2 term added to the gradient; bias-corrected
 * moments, eps added outside the square root.
 * @example const opt = new sl.optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer {
  /** Learning rate; may be changed between steps (a schedule). */
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  /** Steps taken (torch keeps one per parameter; they agree unless a gradient was missing). */
  private readonly steps = new Map<Tensor, number>();

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, name = 'Adam', defaultWeightDecay = 0, private readonly decoupled = false) {
    super(name, params);
    const spec = { lr: 'any', betas: 'any', eps: 'any', weightDecay: 'any' } as const; // values checked below, with their ranges
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = defaultWeightDecay } = checkOptions<AdamOptions>(name, options, spec);
    this.lr = lr;
    this.betas = Array.isArray(betas) ? [betas[0], betas[1]] : betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.checkHyperParameters(name);
  }

  protected checkHyperParameters(fn: string): void {
    checkNumber(fn, 'lr', this.lr);
    checkNumber(fn, 'eps', this.eps);
    checkNumber(fn, 'weightDecay', this.weightDecay);
    const b = this.betas;
    if (!Array.isArray(b) || b.length !== 2 || b.some((x) => typeof x !== 'number' || !(x >= 0 && x < 1))) {
      throw new Error(`${fn}: betas must be [beta1, beta2] with each in [0, 1), got ${JSON.stringify(b)}`);
    }
  }

  step(): void {
    const ready = this.prepare(2);
    const k = getEngine().k;
    const [b1, b2] = this.betas;
    const decay = this.decoupled ? 1 - this.lr * this.weightDecay : 1;
    const l2 = this.decoupled ? 0 : this.weightDecay;
    for (const { p, bufs: [m, v] } of ready) {
      const t = (this.steps.get(p) ?? 0) + 1;
      this.steps.set(p, t);
      const stepSize = this.lr / (1 - b1 ** t);
      const bc2Sqrt = Math.sqrt(1 - b2 ** t);
      k.f32_adam_step(p.ptr, p.grad!.ptr, m.ptr, v.ptr, p.size, b1, b2, 1 - b1, 1 - b2, stepSize, bc2Sqrt, this.eps, l2, decay);
    }
  }

  dispose(): void {
    super.dispose();
    this.steps.clear();
  }
}
