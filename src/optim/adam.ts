import { Tensor } from '../autograd/tensor';
import { getEngine } from '../wasm/instance';
import { Optimizer, checkNumber } from './optimizer';

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
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** Steps taken (torch keeps one per parameter; they agree unless a gradient was missing). */
  private readonly steps = new Map<Tensor, number>();

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, name = 'Adam', defaultWeightDecay = 0, private readonly decoupled = false) {
    super(name, params);
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = defaultWeightDecay } = options ?? {};
    checkNumber(name, 'lr', lr, (v) => v >= 0, 'a number ≥ 0');
    checkNumber(name, 'eps', eps, (v) => v >= 0, 'a number ≥ 0');
    checkNumber(name, 'weightDecay', weightDecay, (v) => v >= 0, 'a number ≥ 0');
    if (!Array.isArray(betas) || betas.length !== 2 || betas.some((b) => typeof b !== 'number' || !(b >= 0 && b < 1))) {
      throw new Error(`${name}: betas must be [beta1, beta2] with each in [0, 1), got ${JSON.stringify(betas)}`);
    }
    this.lr = lr;
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  step(): void {
    const k = getEngine().k;
    const [b1, b2] = this.betas;
    const decay = this.decoupled ? 1 - this.lr * this.weightDecay : 1;
    const l2 = this.decoupled ? 0 : this.weightDecay;
    for (const p of this.withGrads(this.constructor.name)) {
      const [m, v] = this.stateOf(p, 2).bufs;
      const t = (this.steps.get(p) ?? 0) + 1;
      this.steps.set(p, t);
      const stepSize = this.lr / (1 - b1 ** t);
      const bc2Sqrt = Math.sqrt(1 - b2 ** t);
      k.f32_adam_step(p.ptr, p.grad!.ptr, m.ptr, v.ptr, p.size, b1, b2, 1 - b1, 1 - b2, stepSize, bc2Sqrt, this.eps, l2, decay);
    }
  }
}
