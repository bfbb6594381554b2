import { checkOptions } from '../options';
import { generalizedSymEig, symEig } from '../ops/eigen';
import { MahalanobisLearner } from './base';
import { chunksFromLabels, rngOf } from './constraints';
import { covariance } from './dense';
import { toLabels, toMatrix, type Matrix } from './input';
import { checkComponents } from './lfda';

export interface RCAOptions {
  nComponents?: number | null;
}

/**
 * Relevant Components Analysis (metric-learn's RCA, Shental et al. 2002): the within-chunk
 * covariance C of points centred on their chunk mean, and L = C^(−1/2), so M = C⁻¹. With
 * nComponents < d, the directions of smallest C relative to the total covariance T
 * (C v = λ T v) are kept first. fit(X, chunks): chunks[i] the chunk id of row i, −1 for none.
 */
export class RCA extends MahalanobisLearner {
  readonly nComponents: number | null;

  constructor(options?: RCAOptions, name = 'RCA') {
    super(name);
    const o = checkOptions<RCAOptions>(name, options, { nComponents: ['integer', 'null'] });
    this.nComponents = o.nComponents ?? null;
  }

  fit(X: unknown, chunks: unknown): this {
    const fn = `${this.typeName}.fit`;
    const x = toMatrix(fn, 'X', X, 2);
    const ch = toLabels(fn, 'chunks', chunks, x.n, true);
    return this.fitChunks(fn, x, ch);
  }

  protected fitChunks(fn: string, x: Matrix, ch: ArrayLike<number>): this {
    const { n, d, data } = x;
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (ch[i] >= 0) rows.push(i);
    if (rows.length < 2) throw new Error(`${fn}: chunks put fewer than 2 points in chunks: the constraint set is empty`);
    const nChunks = Math.max(...rows.map((i) => ch[i])) + 1;
    const sums = new Float64Array(nChunks * d), counts = new Float64Array(nChunks);
    for (const i of rows) {
      counts[ch[i]]++;
      for (let j = 0; j < d; j++) sums[ch[i] * d + j] += data[i * d + j];
    }
    const centred = new Float64Array(rows.length * d), chunked = new Float64Array(rows.length * d);
    rows.forEach((i, r) => {
      for (let j = 0; j < d; j++) {
        centred[r * d + j] = data[i * d + j] - sums[ch[i] * d + j] / counts[ch[i]];
        chunked[r * d + j] = data[i * d + j];
      }
    });
    const inner = covarianceAboutZeroMean(centred, rows.length, d);
    const dim = checkComponents(fn, d, this.nComponents);
    if (dim < d) {
      const total = covariance(chunked, rows.length, d);
      const { values, vectors } = generalizedSymEig(inner, total, d, fn);
      // smallest dim eigenvalues (ascending already); B-orthonormal vectors give AᵀCA = diag(λ)
      const L = new Float64Array(dim * d);
      for (let r = 0; r < dim; r++) {
        if (!(values[r] > 0)) throw new Error(`${fn}: the inner covariance is singular along a kept direction: remove linearly dependent features or use more chunks`);
        const s = 1 / Math.sqrt(values[r]);
        for (let j = 0; j < d; j++) L[r * d + j] = vectors[j * d + r] * s;
      }
      this.setComponents(L, dim, d);
      return this;
    }
    // L = C^(−1/2) (symmetric), as metric-learn's _inv_sqrtm(C).T
    const { values, vectors } = symEig(inner, d, fn);
    if (!(values[0] > 0)) throw new Error(`${fn}: the inner covariance is not invertible (smallest eigenvalue ${values[0]}): remove linearly dependent features, reduce nComponents, or use more or larger chunks`);
    const L = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (vectors[i * d + k] * vectors[j * d + k]) / Math.sqrt(values[k]);
        L[i * d + j] = L[j * d + i] = s;
      }
    this.setComponents(L, d, d);
    return this;
  }
}

/** np.cov(X, rowvar=0, bias=1) of rows already centred per chunk (their overall mean is 0 but is subtracted, as numpy does). */
function covarianceAboutZeroMean(X: Float64Array, n: number, d: number): Float64Array {
  return covariance(X, n, d, true);
}

export interface RCASupervisedOptions extends RCAOptions {
  nChunks?: number;
  chunkSize?: number;
  randomState?: number | null;
}

/** RCA with chunks drawn from class labels (metric-learn's RCA_Supervised), seeded by randomState. */
export class RCASupervised extends RCA {
  readonly nChunks: number;
  readonly chunkSize: number;
  readonly randomState: number | null;

  constructor(options?: RCASupervisedOptions) {
    const o = checkOptions<RCASupervisedOptions>('RCASupervised', options, { nComponents: ['integer', 'null'], nChunks: 'integer', chunkSize: 'integer', randomState: ['integer', 'null'] });
    super({ nComponents: o.nComponents }, 'RCASupervised');
    this.nChunks = o.nChunks ?? 100;
    this.chunkSize = o.chunkSize ?? 2;
    this.randomState = o.randomState ?? null;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'RCASupervised.fit';
    const x = toMatrix(fn, 'X', X, 2);
    const labels = toLabels(fn, 'y', y, x.n, true);
    const chunks = chunksFromLabels(fn, labels, this.nChunks, this.chunkSize, rngOf(this.randomState));
    return this.fitChunks(fn, x, chunks);
  }
}
