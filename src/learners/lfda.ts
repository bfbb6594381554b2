import { checkOptions } from '../options';
import { generalizedSymEig } from '../ops/eigen';
import { withF64Scope, type F64Scope } from '../ops/f64-linalg';
import { MahalanobisLearner } from './base';
import { mm, tr } from './dense';
import { toLabels, toMatrix, uniqueInverse } from './input';
import { introselect } from './partition';

export interface LFDAOptions {
  nComponents?: number | null;
  /** nearest neighbour used for the local scale; default min(7, d − 1) */
  k?: number | null;
  embeddingType?: 'weighted' | 'orthonormalized' | 'plain';
}

/**
 * Local Fisher Discriminant Analysis (metric-learn's LFDA, Sugiyama 2007): local between-
 * and within-class scatter with heat-kernel affinities, then the generalised symmetric
 * eigenproblem S_b v = λ S_w v (in wasm, through the Cholesky factor of S_w); the top
 * nComponents vectors, scaled by √λ ('weighted'), orthonormalised, or as they are ('plain').
 */
export class LFDA extends MahalanobisLearner {
  readonly nComponents: number | null;
  readonly k: number | null;
  readonly embeddingType: 'weighted' | 'orthonormalized' | 'plain';

  constructor(options?: LFDAOptions) {
    super('LFDA');
    const o = checkOptions<LFDAOptions>('LFDA', options, { nComponents: ['integer', 'null'], k: ['integer', 'null'], embeddingType: [['weighted', 'orthonormalized', 'plain']] });
    this.nComponents = o.nComponents ?? null;
    this.k = o.k ?? null;
    this.embeddingType = o.embeddingType ?? 'weighted';
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'LFDA.fit';
    const x = toMatrix(fn, 'X', X, 2);
    const { n, d, data } = x;
    const labels = toLabels(fn, 'y', y, n, false);
    const { classes, inverse } = uniqueInverse(labels);
    const dim = checkComponents(fn, d, this.nComponents);
    let k = this.k === null ? Math.min(7, d - 1) : this.k >= d ? d - 1 : this.k;
    const tSb = new Float64Array(d * d), tSw = new Float64Array(d * d);
    withF64Scope((s) => {
      for (let c = 0; c < classes.length; c++) {
        const rows: number[] = [];
        for (let i = 0; i < n; i++) if (inverse[i] === c) rows.push(i);
        const nc = rows.length;
        const Xc = new Float64Array(nc * d);
        rows.forEach((r, i) => Xc.set(data.subarray(r * d, (r + 1) * d), i * d));
        const pX = s.f64(Xc);
        const dist = sklearnSqDistances(s, pX, Xc, nc, d);
        k = Math.min(k, nc - 1);
        // metric-learn's sigma: np.partition(dist, k, axis=0)[:, k], i.e. column k partitioned
        const col = Float64Array.from({ length: nc }, (_, i) => dist[i * nc + k]);
        introselect(col, k);
        const sigma = col.map(Math.sqrt);
        const A = new Float64Array(nc * nc);
        const colSum = new Float64Array(nc);
        for (let i = 0; i < nc; i++)
          for (let j = 0; j < nc; j++) {
            const sg = sigma[i] * sigma[j];
            const a = sg === 0 ? 0 : Math.exp(-dist[i * nc + j] / sg);
            A[i * nc + j] = a;
            colSum[j] += a;
          }
        // G = Xcᵀ diag(colsum A) Xc − Xcᵀ A Xc
        const scaled = Xc.map((v, i) => v * colSum[Math.floor(i / d)]);
        const pA = s.f64(A), pScaled = s.f64(scaled), pAX = s.f64(nc * d), pG = s.f64(d * d), pXAX = s.f64(d * d), pXX = s.f64(d * d);
        s.gemm('tn', pX, pScaled, pG, d, nc, d);
        s.gemm('nn', pA, pX, pAX, nc, nc, d);
        s.gemm('tn', pX, pAX, pXAX, d, nc, d);
        s.gemm('tn', pX, pX, pXX, d, nc, d);
        const G = s.view(pG, d * d), XAX = s.view(pXAX, d * d), XX = s.view(pXX, d * d);
        const so = sumOuter(Xc, nc, d);
        for (let i = 0; i < d * d; i++) {
          const g = G[i] - XAX[i];
          tSb[i] += g / n + (1 - nc / n) * XX[i] + so[i] / n;
          tSw[i] += g / nc;
        }
        s.dispose();
      }
    });
    const so = sumOuter(data, n, d);
    for (let i = 0; i < d * d; i++) tSb[i] -= so[i] / n - tSw[i];
    symmetrise(tSb, d);
    symmetrise(tSw, d);
    const { values, vectors } = generalizedSymEig(tSb, tSw, d, fn);
    // the top dim eigenpairs, largest first
    const order = Array.from(values, (_, i) => i).sort((a, b) => values[b] - values[a]).slice(0, dim);
    let V: Float64Array<ArrayBufferLike> = new Float64Array(d * dim);
    order.forEach((o, j) => {
      const s = this.embeddingType === 'weighted' ? Math.sqrt(values[o]) : 1;
      for (let i = 0; i < d; i++) V[i * dim + j] = vectors[i * d + o] * s;
    });
    if (this.embeddingType === 'orthonormalized') V = gramSchmidt(V, d, dim);
    this.setComponents(tr(V, d, dim), dim, d);
    return this;
  }
}

export function checkComponents(fn: string, d: number, nComponents: number | null): number {
  if (nComponents === null) return d;
  if (!(nComponents > 0 && nComponents <= d)) throw new Error(`${fn}: nComponents must be in [1, ${d}] (the number of features), got ${nComponents}`);
  return nComponents;
}

/**
 * Squared distances the way scikit-learn's euclidean_distances forms them (−2·xᵢᵀxⱼ + ‖xᵢ‖²
 * + ‖xⱼ‖², clipped at 0, zero diagonal): LFDA's local scale depends on where ties and near-ties
 * fall in a partition, so the rounding has to be the same as metric-learn's.
 */
function sklearnSqDistances(s: F64Scope, pX: number, X: Float64Array, n: number, d: number): Float64Array {
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) sq[i] += X[i * d + t] * X[i * d + t];
  // X·Xᵀ through the nn GEMM on Xᵀ: each dot summed over t in order, as the plain loop
  const pT = s.f64(tr(X, n, d)), pDot = s.f64(n * n);
  s.gemm('nn', pX, pT, pDot, n, d, n);
  const D = s.read(pDot, n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) D[i * n + j] = i === j ? 0 : Math.max(0, -2 * D[i * n + j] + sq[i] + sq[j]);
  return D;
}

function sumOuter(X: Float64Array, n: number, d: number): Float64Array {
  const s = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) s[j] += X[i * d + j];
  return mm(s, s, d, 1, d);
}

function symmetrise(A: Float64Array, d: number): void {
  for (let i = 0; i < d; i++)
    for (let j = 0; j < i; j++) {
      const m = (A[i * d + j] + A[j * d + i]) / 2;
      A[i * d + j] = A[j * d + i] = m;
    }
}

/** Q of the thin QR of V [d, k] (modified Gram–Schmidt; signs do not reach M = QQᵀ). */
function gramSchmidt(V: Float64Array, d: number, k: number): Float64Array {
  const Q = V.slice();
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let r = 0;
      for (let i = 0; i < d; i++) r += Q[i * k + p] * Q[i * k + j];
      for (let i = 0; i < d; i++) Q[i * k + j] -= r * Q[i * k + p];
    }
    let nrm = 0;
    for (let i = 0; i < d; i++) nrm += Q[i * k + j] ** 2;
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < d; i++) Q[i * k + j] /= nrm;
  }
  return Q;
}
