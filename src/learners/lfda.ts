import { checkOptions } from '../options';
import { generalizedSymEig } from '../ops/eigen';
import { F64Scope, withF64Scope } from '../ops/f64-linalg';
import { getEngine } from '../wasm/instance';
import { MahalanobisLearner } from './base';
import { tr } from './dense';
import { nonFinite, readMatrix, toLabels, uniqueInverse } from './input';
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
    const { tSb, tSw, d, dim } = withF64Scope((s) => scatterMatrices(fn, s, X, y, this.k, this.nComponents));
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

/**
 * metric-learn's tSb and tSw (not yet symmetrised) for X [n, d] and labels y. X goes straight
 * into wasm memory: a fresh array of n·d would cost its page faults on every fit.
 */
function scatterMatrices(fn: string, s: F64Scope, X: unknown, y: unknown, kOpt: number | null, nComponents: number | null): { tSb: Float64Array; tSw: Float64Array; d: number; dim: number } {
  let pIn = 0;
  const { n, d } = readMatrix(fn, 'X', X, 2, (size) => s.view((pIn = s.out64(size)), size));
  const labels = toLabels(fn, 'y', y, n, false);
  const { classes, inverse } = uniqueInverse(labels);
  const dim = checkComponents(fn, d, nComponents);
  let k = kOpt === null ? Math.min(7, d - 1) : kOpt >= d ? d - 1 : kOpt;
  // the points sorted by class (stable): each class's rows are one block
  const start = new Int32Array(classes.length + 1);
  for (let i = 0; i < n; i++) start[inverse[i] + 1]++;
  for (let c = 0; c < classes.length; c++) start[c + 1] += start[c];
  let big = 0;
  for (let c = 0; c < classes.length; c++) big = Math.max(big, start[c + 1] - start[c]);
  const { k: kk, gemmWorkspace: ws } = getEngine();
  // every buffer allocated before any view is taken: no allocation (memory growth) after
  const pXs = s.out64(n * d), pOrder = s.i32(n), pCol = s.out64(big), pMeans = s.out64(classes.length * d), pLo = s.out64(d), pHi = s.out64(d);
  // the rows of pLZ [n_c, 2d] are ((D − 2Uᵀ)Z | Z): G and W from one product
  const pZ = s.f32(big * d), pLZ = s.f32(2 * big * d), pGram = s.f32(big * big), pU = s.f32(big * big);
  const pR = s.f32(big), pSq = s.f32(big), pDeg = s.f32(big), pGW = s.f32(2 * d * d);
  const pSw = s.f64(d * d), pSb = s.f64(d * d);
  // the rows in class order (stable), once X is known to be finite
  const order = s.viewI32(pOrder, n);
  for (let i = 0, next = start.slice(); i < n; i++) order[next[inverse[i]]++] = i;
  const bad = kk.f64_lfda_gather(pIn, pOrder, pXs, n, d);
  if (bad >= 0) nonFinite(fn, 'X', s.view(pIn, n * d), bad);
  for (let c = 0; c < classes.length; c++) {
    const r0 = start[c], nc = start[c + 1] - r0;
    const pX = pXs + r0 * d * 8;
    k = Math.min(k, nc - 1);
    // metric-learn's σ: np.partition(dist, k, axis=0)[:, k], i.e. column k of the distances partitioned
    kk.f64_lfda_distance_column(pX, nc, d, k, pCol);
    const col = s.view(pCol, nc);
    introselect(col, k);
    // the class centred and scaled by a power of two in float32; σ scaled alike
    const scale = kk.f32_lfda_centre(pX, nc, d, pMeans + c * d * 8, pZ, pLZ + d * 4, 2 * d, pLo, pHi);
    const rinv = s.viewF32(pR, nc);
    for (let i = 0; i < nc; i++) {
      const sg = Math.sqrt(col[i]) * scale;
      rinv[i] = sg > 0 ? Math.min(1 / sg, 1e18) : 0;
    }
    // G = Zᵀ(D − 2U)Z, whose symmetric part is Zᵀ(D − A)Z (fit symmetrises tSb and tSw, as
    // metric-learn does), and W = ZᵀZ, both times scale²
    kk.f32_gemm_nt_self(pZ, pGram, nc, d, ws);
    kk.f32_lfda_affinity(pGram, pR, nc, pU, pDeg, pSq);
    kk.f32_lfda_laplacian(pU, pZ, pLZ, nc, d, 2 * d, ws);
    kk.f32_gemm_tn(pLZ, pZ, pGW, 2 * d, nc, d, 0, ws);
    const s2 = 1 / (scale * scale);
    // tSb also takes tSw whole (metric-learn's tSb −= … − tSw)
    kk.f64_lfda_scatter_add(pGW, pGW + d * d * 4, d, s2 / nc, s2 / n + s2 / nc, (1 - nc / n) * s2, pSw, pSb);
  }
  // metric-learn's Σ_c [(1 − n_c/n)·X_cᵀX_c + s_c s_cᵀ/n] − s sᵀ/n (s the sums of the rows) is
  // Σ_c (1 − n_c/n)·W_c (above) plus the between-class scatter Σ_c n_c (μ_c − μ)(μ_c − μ)ᵀ,
  // added as VᵀV with the rows of V [classes, d] = √n_c·(μ_c − μ)
  const V = s.view(pMeans, classes.length * d), mu = new Float64Array(d);
  for (let c = 0; c < classes.length; c++) for (let t = 0; t < d; t++) mu[t] += (start[c + 1] - start[c]) * V[c * d + t];
  for (let t = 0; t < d; t++) mu[t] /= n;
  for (let c = 0; c < classes.length; c++) {
    const w = Math.sqrt(start[c + 1] - start[c]);
    for (let t = 0; t < d; t++) V[c * d + t] = w * (V[c * d + t] - mu[t]);
  }
  s.gemm('tn', pMeans, pMeans, pSb, d, classes.length, d, true);
  return { tSb: s.read(pSb, d * d), tSw: s.read(pSw, d * d), d, dim };
}

export function checkComponents(fn: string, d: number, nComponents: number | null): number {
  if (nComponents === null) return d;
  if (!(nComponents > 0 && nComponents <= d)) throw new Error(`${fn}: nComponents must be in [1, ${d}] (the number of features), got ${nComponents}`);
  return nComponents;
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
