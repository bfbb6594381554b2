import { checkOptions } from '../options';
import { pinvh } from '../ops/eigen';
import { MahalanobisLearner } from './base';
import { componentsFromMetric, covariance } from './dense';
import { toMatrix } from './input';

/**
 * metric-learn's Covariance: M = pinvh(cov(X)), the inverse of the unbiased covariance
 * (the pseudo-inverse, scipy's cut-off, when it is singular). Labels are ignored.
 * @example const m = new sl.learners.Covariance().fit(X); m.getMahalanobisMatrix();
 */
export class Covariance extends MahalanobisLearner {
  constructor(options?: Record<string, never>) {
    super('Covariance');
    checkOptions('Covariance', options, {});
  }

  fit(X: unknown, _y?: unknown): this {
    const x = toMatrix('Covariance.fit', 'X', X, 2);
    const C = covariance(x.data, x.n, x.d);
    const M = x.d === 1 ? Float64Array.of(1 / C[0]) : pinvh(C, x.d, x.d * 2.220446049250313e-16, 'Covariance.fit').inverse;
    this.setComponents(componentsFromMetric('Covariance.fit', M, x.d), x.d, x.d);
    return this;
  }
}
