import { Tensor, markWritten } from '../autograd/tensor';
import { checkOptions } from '../options';
import { f32 } from '../wasm/instance';
import { LbfgsState, type LbfgsSettings } from './lbfgs-core';
import { Optimizer, checkNumber } from './optimizer';

export interface LBFGSOptions {
  lr?: number;
  maxIter?: number;
  /** default maxIter·5/4 (rounded down), as torch */
  maxEval?: number | null;
  toleranceGrad?: number;
  toleranceChange?: number;
  historySize?: number;
  lineSearchFn?: null | 'strong_wolfe';
}

/**
 * L-BFGS as torch.optim.LBFGS (1.13): `step(closure)` runs up to maxIter iterations, the
 * closure re-evaluating the loss (zeroing and filling the gradients with backward()) each time
 * it is called; returns the loss of the first evaluation. The history (s, y pairs) is kept in
 * float64 in wasm memory and the two-loop recursion runs there; the parameters stay float32.
 * @example
 * const opt = new sl.optim.LBFGS([w], { lineSearchFn: 'strong_wolfe' });
 * opt.step(() => { opt.zeroGrad(); const l = loss(w); l.backward(); return l; });
 */
export class LBFGS extends Optimizer {
  readonly settings: LbfgsSettings;
  private readonly core: LbfgsState;
  private readonly n: number;

  constructor(params: Iterable<Tensor>, options?: LBFGSOptions) {
    super('LBFGS', params);
    const o = checkOptions<LBFGSOptions>('LBFGS', options, {
      lr: 'number', maxIter: 'integer', maxEval: ['integer', 'null'], toleranceGrad: 'number', toleranceChange: 'number', historySize: 'integer', lineSearchFn: [['strong_wolfe'], 'null'],
    });
    const { lr = 1, maxIter = 20, toleranceGrad = 1e-7, toleranceChange = 1e-9, historySize = 100, lineSearchFn = null } = o;
    const maxEval = o.maxEval ?? Math.floor((maxIter * 5) / 4);
    checkNumber('LBFGS', 'lr', lr, (v) => v > 0, 'a number > 0');
    checkNumber('LBFGS', 'maxIter', maxIter, (v) => v >= 1, 'an integer ≥ 1');
    checkNumber('LBFGS', 'maxEval', maxEval, (v) => v >= 1, 'an integer ≥ 1');
    checkNumber('LBFGS', 'historySize', historySize, (v) => v >= 1, 'an integer ≥ 1');
    checkNumber('LBFGS', 'toleranceGrad', toleranceGrad, (v) => v >= 0, 'a number ≥ 0');
    checkNumber('LBFGS', 'toleranceChange', toleranceChange, (v) => v >= 0, 'a number ≥ 0');
    this.settings = { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn };
    this.n = this.params.reduce((s, p) => s + p.size, 0);
    this.core = new LbfgsState(this.n, historySize);
  }

  protected checkHyperParameters(fn: string): void {
    const s = this.settings;
    checkNumber(fn, 'lr', s.lr, (v) => v > 0, 'a number > 0');
    checkNumber(fn, 'toleranceGrad', s.toleranceGrad, (v) => v >= 0, 'a number ≥ 0');
    checkNumber(fn, 'toleranceChange', s.toleranceChange, (v) => v >= 0, 'a number ≥ 0');
  }

  /** One torch LBFGS.step(closure); the closure returns the loss (a scalar Tensor or a number) after calling backward(). */
  step(closure?: () => Tensor | number): number {
    if (typeof closure !== 'function') throw new TypeError('LBFGS.step: a closure is required (it re-evaluates the loss and calls backward())');
    this.checkHyperParameters('LBFGS.step');
    const params = this.params;
    params.forEach((p, i) => {
      if (p.isDisposed) throw new Error(`LBFGS.step: params[${i}] ${p} was disposed`);
    });
    const evaluate = (grad: Float64Array): number => {
      const r = closure();
      const loss = typeof r === 'number' ? r : r.item();
      if (typeof r !== 'number' && r instanceof Tensor) r.dispose();
      let o = 0;
      for (const p of params) {
        if (p.grad) grad.set(p.grad.data(), o);
        else grad.fill(0, o, o + p.size);
        o += p.size;
      }
      return loss;
    };
    const problem = {
      evaluate,
      addStep: (t: number, d: Float64Array) => {
        const v = f32();
        let o = 0;
        for (const p of params) {
          markWritten(p);
          const b = p.ptr >>> 2;
          for (let i = 0; i < p.size; i++) v[b + i] += t * d[o + i];
          o += p.size;
        }
      },
      save: () => params.map((p) => p.data()),
      restore: (s: unknown) => {
        const v = f32();
        (s as Float32Array[]).forEach((a, i) => {
          markWritten(params[i]);
          v.set(a, params[i].ptr >>> 2);
        });
      },
    };
    return this.core.step(problem, this.settings);
  }

  dispose(): void {
    this.core.dispose();
    super.dispose();
  }
}
