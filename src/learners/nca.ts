import { checkOptions } from '../options';
import { minimizeLbfgsB } from '../optim/lbfgsb';
import { MahalanobisLearner } from './base';
import { rngOf } from './constraints';
import { initialComponents, type ComponentsInit } from './init';
import { toLabels, toMatrix, uniqueInverse } from './input';
import { checkComponents } from './lfda';
import { NeighbourObjective, neighbourProblem } from './neighbourhood';

export interface NCAOptions {
  init?: ComponentsInit;
  nComponents?: number | null;
  maxIter?: number;
  tol?: number | null;
  verbose?: boolean;
  randomState?: number | null;
}

/**
 * Neighbourhood Components Analysis (metric-learn's NCA, Goldberger et al. 2004): maximises
 * the expected leave-one-out accuracy Σᵢ Σ_{j: yⱼ = yᵢ} pᵢⱼ of the stochastic nearest
 * neighbour rule, pᵢⱼ ∝ exp(−‖Lxᵢ − Lxⱼ‖²), by scipy's L-BFGS-B as metric-learn (nIter: its iterations).
 * `objective` holds the final Σ pᵢⱼ.
 */
export class NCA extends MahalanobisLearner {
  readonly init: ComponentsInit;
  readonly nComponents: number | null;
  readonly maxIter: number;
  readonly tol: number | null;
  readonly verbose: boolean;
  readonly randomState: number | null;
  objective = NaN;

  constructor(options?: NCAOptions) {
    super('NCA');
    const o = checkOptions<NCAOptions>('NCA', options, { init: [['auto', 'identity', 'random', 'pca', 'lda'], 'array'], nComponents: ['integer', 'null'], maxIter: 'integer', tol: ['number', 'null'], verbose: 'boolean', randomState: ['integer', 'null'] });
    this.init = o.init ?? 'auto';
    this.nComponents = o.nComponents ?? null;
    this.maxIter = o.maxIter ?? 100;
    this.tol = o.tol ?? null;
    this.verbose = o.verbose ?? false;
    this.randomState = o.randomState ?? null;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'NCA.fit';
    const x = toMatrix(fn, 'X', X, 2);
    const labels = toLabels(fn, 'y', y, x.n, false);
    const { classes, inverse } = uniqueInverse(labels);
    const k = checkComponents(fn, x.d, this.nComponents);
    const A0 = initialComponents(fn, this.init, k, x.data, x.n, x.d, rngOf(this.randomState), { inverse, nClasses: classes.length });
    // minimise −Σ pᵢ (metric-learn passes sign −1 to scipy)
    const problem = neighbourProblem(x.data, x.n, x.d, k, inverse, NeighbourObjective.nca, -2);
    try {
      // metric-learn's minimize(method='L-BFGS-B', tol=tol, options={maxiter})
      const r = minimizeLbfgsB((A, g) => -problem.evaluate(A, g), A0, { maxIter: this.maxIter, ...(this.tol === null ? {} : { ftol: this.tol, pgtol: this.tol }) });
      this.nIter = r.nIter;
      this.objective = -r.loss;
      if (this.verbose) console.log(`[NCA] ${r.nIter} iterations, ${r.funcEvals} evaluations, objective ${this.objective} (${r.message})`);
      this.setComponents(r.x, k, x.d);
    } finally {
      problem.dispose();
    }
    return this;
  }
}
