import { checkOptions } from '../options';
import { generalizedSymEig } from '../ops/eigen';
import { withF64Scope } from '../ops/f64-linalg';
import { MahalanobisLearner } from './base';
import { tr } from './dense';
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
    // the points sorted by class (stable): each class's rows are one block
    const start = new Int32Array(classes.length + 1);
    for (let i = 0; i < n; i++) start[inverse[i] + 1]++;
    for (let c = 0; c < classes.length; c++) start[c + 1] += start[c];
    let big = 0;
    for (let c = 0; c < classes.length; c++) big = Math.max(big, start[c + 1] - start[c]);
    withF64Scope((s) => {
      // every buffer allocated before any view is taken: no allocation (memory growth) after
      const pXs = s.out64(n * d), pXt = s.out64(big * d), pDist = s.out64(big * big), pSq = s.out64(big);
      const pSigma = s.out64(big), pColSum = s.out64(big), pC = s.out64(big * d), pH = s.out64(d * d), pXX = s.out64(d * d);
      const Xs = s.view(pXs, n * d), Xt = s.view(pXt, big * d), C = s.view(pC, big * d), sigma = s.view(pSigma, big), colSum = s.view(pColSum, big);
      const H = s.view(pH, d * d), XX = s.view(pXX, d * d);
      for (let i = 0, next = start.slice(); i < n; i++) Xs.set(data.subarray(i * d, (i + 1) * d), next[inverse[i]]++ * d);
      for (let c = 0; c < classes.length; c++) {
        const r0 = start[c], nc = start[c + 1] - r0;
        const Xc = Xs.subarray(r0 * d, (r0 + nc) * d);
        const pX = pXs + r0 * d * 8;
        for (let i = 0; i < nc; i++) for (let t = 0; t < d; t++) Xt[t * nc + i] = Xc[i * d + t];
        s.sqdistGram(pX, pXt, pSq, pDist, nc, d);
        k = Math.min(k, nc - 1);
        // metric-learn's sigma: np.partition(dist, k, axis=0)[:, k], i.e. column k partitioned
        const dist = s.view(pDist, nc * nc);
        const col = new Float64Array(nc);
        for (let i = 0; i < nc; i++) col[i] = dist[i * nc + k];
        introselect(col, k);
        for (let i = 0; i < nc; i++) sigma[i] = Math.sqrt(col[i]);
        s.heatAffinity(pDist, pSigma, pDist, pColSum, nc);
        // H = Xcᵀ (A − diag(colsum A)) Xc, the negated local scatter G
        for (let i = 0; i < nc; i++) for (let t = 0; t < d; t++) C[i * d + t] = -Xc[i * d + t] * colSum[i];
        s.gemm('nn', pDist, pX, pC, nc, nc, d, true);
        s.gemm('tn', pX, pC, pH, d, nc, d);
        s.gemm('tn', pX, pX, pXX, d, nc, d);
        const so = sumOuter(Xc, nc, d);
        for (let i = 0; i < d * d; i++) {
          const g = -H[i];
          tSb[i] += g / n + (1 - nc / n) * XX[i] + so[i] / n;
          tSw[i] += g / nc;
        }
      }
    });
    const so = sumOuter(data, n, d);
    for (let i = 0; i < d * d; i++) tSb[i] -= so[i] / n - tSw[i];
    symmetrise(tSb, d);
    symmetrise(tSw, d);
    const { values, vectors } = generalizedSymEig(tSb, tSw, d, fn, true);
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

/** (Σᵢ xᵢ)(Σᵢ xᵢ)ᵀ over the rows of X [n, d]. */
function sumOuter(X: Float64Array, n: number, d: number): Float64Array {
  const s = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) s[j] += X[i * d + j];
  const S = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a * d + b] = s[a] * s[b];
  return S;
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
