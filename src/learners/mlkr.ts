import { checkOptions } from '../options';
import { minimizeLbfgsB } from '../optim/lbfgsb';
import { MahalanobisLearner } from './base';
import { rngOf } from './constraints';
import { initialComponents, type ComponentsInit } from './init';
import { toLabels, toMatrix } from './input';
import { checkComponents } from './lfda';
import { NeighbourObjective, neighbourProblem } from './neighbourhood';

export interface MLKROptions {
  nComponents?: number | null;
  init?: ComponentsInit;
  tol?: number | null;
  maxIter?: number;
  verbose?: boolean;
  randomState?: number | null;
}

/**
 * Metric Learning for Kernel Regression (metric-learn's MLKR, Weinberger & Tesauro 2007):
 * minimises the leave-one-out squared error of Gaussian-kernel regression, ŷᵢ = Σⱼ pᵢⱼ yⱼ
 * with pᵢⱼ ∝ exp(−‖Lxᵢ − Lxⱼ‖²), by scipy's L-BFGS-B as metric-learn (nIter: its iterations).
 * y is real-valued. `objective`: the final Σ (ŷᵢ − yᵢ)².
 */
export class MLKR extends MahalanobisLearner {
  readonly nComponents: number | null;
  readonly init: ComponentsInit;
  readonly tol: number | null;
  readonly maxIter: number;
  readonly verbose: boolean;
  readonly randomState: number | null;
  objective = NaN;

  constructor(options?: MLKROptions) {
    super('MLKR');
    const o = checkOptions<MLKROptions>('MLKR', options, { nComponents: ['integer', 'null'], init: [['auto', 'identity', 'random', 'pca'], 'array'], tol: ['number', 'null'], maxIter: 'integer', verbose: 'boolean', randomState: ['integer', 'null'] });
    this.nComponents = o.nComponents ?? null;
    this.init = o.init ?? 'auto';
    this.tol = o.tol ?? null;
    this.maxIter = o.maxIter ?? 1000;
    this.verbose = o.verbose ?? false;
    this.randomState = o.randomState ?? null;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'MLKR.fit';
    const x = toMatrix(fn, 'X', X, 2);
    const target = toLabels(fn, 'y', y, x.n, false);
    const k = checkComponents(fn, x.d, this.nComponents);
    const A0 = initialComponents(fn, this.init, k, x.data, x.n, x.d, rngOf(this.randomState), null);
    const problem = neighbourProblem(x.data, x.n, x.d, k, target, NeighbourObjective.mlkr, 4);
    try {
      // metric-learn's minimize(method='L-BFGS-B', tol=tol, options={maxiter})
      const r = minimizeLbfgsB((A, g) => problem.evaluate(A, g), A0, { maxIter: this.maxIter, ...(this.tol === null ? {} : { ftol: this.tol, pgtol: this.tol }) });
      this.nIter = r.nIter;
      this.objective = r.loss;
      if (this.verbose) console.log(`[MLKR] ${r.nIter} iterations, ${r.funcEvals} evaluations, objective ${this.objective} (${r.message})`);
      this.setComponents(r.x, k, x.d);
    } finally {
      problem.dispose();
    }
    return this;
  }
}
