// Initial transformations and metrics of the iterative learners (metric-learn's
// _initialize_components / _initialize_metric_mahalanobis).
import type { Rng } from '../random';
import { symEig } from '../ops/eigen';
import { covariance, eye, toSquare } from './dense';
import { ldaScalings } from './lda';

export type ComponentsInit = 'auto' | 'identity' | 'random' | 'pca' | 'lda' | number[][];

/** Class indices 0..nClasses − 1 of the rows, for 'lda' (null for regression targets). */
export interface ClassIndex {
  inverse: ArrayLike<number>;
  nClasses: number;
}

/**
 * L0 [k, d]. 'auto' is metric-learn's choice: 'lda' when classes allow k ≤ min(d, C − 1),
 * else 'pca' when k < min(d, n), else 'identity'. 'lda' is scikit-learn's
 * LinearDiscriminantAnalysis(n_components = k).scalings_ᵀ[:k].
 */
export function initialComponents(fn: string, init: ComponentsInit, k: number, X: Float64Array, n: number, d: number, rng: Rng, classes: ClassIndex | null): Float64Array {
  const nClasses = classes?.nClasses ?? 0;
  let how = init;
  if (Array.isArray(how)) {
    const m = how as number[][];
    if (m.length !== k || m.some((r) => r.length !== d)) throw new Error(`${fn}: init is [${m.length}, ${m[0]?.length}] but must be [${k}, ${d}] (nComponents × features)`);
    return Float64Array.from(m.flat());
  }
  if (how === 'auto') how = nClasses > 0 && k <= Math.min(d, nClasses - 1) ? 'lda' : k < Math.min(d, n) ? 'pca' : 'identity';
  if (how === 'lda') {
    if (!classes) throw new Error(`${fn}: init 'lda' needs class labels`);
    if (k > Math.min(d, nClasses - 1)) throw new Error(`${fn}: init 'lda' gives at most min(features, classes − 1) = ${Math.min(d, nClasses - 1)} components, but nComponents is ${k}`);
    const { scalings, rank } = ldaScalings(X, n, d, classes.inverse, nClasses, fn);
    if (rank < k) throw new Error(`${fn}: init 'lda' found only ${rank} discriminant directions (rank-deficient classes) for nComponents ${k}`);
    const L = new Float64Array(k * d);
    for (let r = 0; r < k; r++) for (let j = 0; j < d; j++) L[r * d + j] = scalings[j * rank + r];
    return L;
  }
  switch (how) {
    case 'identity':
      return eye(d, k);
    case 'random':
      return Float64Array.from({ length: k * d }, () => rng.normal());
    case 'pca': {
      const { vectors } = symEig(covariance(X, n, d), d, fn);
      const L = new Float64Array(k * d);
      for (let r = 0; r < k; r++) {
        const col = d - 1 - r;
        let big = 0;
        for (let j = 0; j < d; j++) if (Math.abs(vectors[j * d + col]) > Math.abs(big)) big = vectors[j * d + col];
        const s = big < 0 ? -1 : 1;
        for (let j = 0; j < d; j++) L[r * d + j] = s * vectors[j * d + col];
      }
      return L;
    }
    default:
      throw new Error(`${fn}: init must be 'auto', 'identity', 'random', 'pca', 'lda' or a [${k}, ${d}] matrix, got ${String(init)}`);
  }
}

/** make_spd_matrix (scikit-learn): V·diag(1 + u)·Vᵀ for V the eigenvectors of AᵀA, A, u uniform. */
export function randomSpd(d: number, rng: Rng): Float64Array {
  const A = Float64Array.from({ length: d * d }, () => rng.uniform());
  const AtA = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let t = 0; t < d; t++) AtA[i * d + j] += A[t * d + i] * A[t * d + j];
  const { vectors } = symEig(AtA, d);
  const u = Float64Array.from({ length: d }, () => 1 + rng.uniform());
  const M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let t = 0; t < d; t++) M[i * d + j] += vectors[i * d + t] * u[t] * vectors[j * d + t];
  return M;
}

export { toSquare };
