// LMNN's objective and gradient (metric-learn 0.7's _loss_grad) on wasm buffers that live
// for one fit. The points are held sorted by class, so the impostor search of each class c
// (its points against every point of a later class) is one rectangular block.
//
// Impostor search: a float32 GEMM of the centred L-space points screens every cross-class
// pair against the margin radii with a slack above the float32 error bound, then the
// survivors are re-measured in float64 (differences before squaring) and tested exactly;
// the set found is the float64 one, at float32 GEMM speed.
// Gradient: Σ w (xa − xb)(xa − xb)ᵀ over active pairs is Xᵀ·(S·X), S the pair graph's
// Laplacian: O(pairs·d) scatter + one GEMM instead of O(pairs·d²) outer products.
import { tr } from './dense';
import type { F64Scope } from '../ops/f64-linalg';

/** |float32 Gram distance − exact| ≤ (k + 3)·2⁻²⁴·(‖a‖² + ‖b‖²); 4× that, for any summation order. */
const F32_SLACK_PER_TERM = 4 * 5.960464477539063e-8;

export interface LossGrad {
  G: Float64Array;
  objective: number;
  active: number;
}

export class LmnnGradient {
  private readonly pX: number;
  private readonly pI: number;
  private readonly pT: number;
  private readonly pOnes: number;
  private readonly pEdgeW: number;
  private readonly pLT: number;
  private readonly pLx: number;
  private readonly pLx32: number;
  private readonly pBlock: number;
  private readonly pNi: number;
  private readonly pSX: number;
  private readonly pDf: number;
  private readonly pL: number;
  private readonly pGm: number;
  private readonly pG: number;
  private cap = 0;
  private pIa = 0;
  private pIb = 0;
  private pPair = 0;
  readonly dfG: Float64Array;

  /**
   * X [n, d] sorted by class (class c at rows classStart[c]..classStart[c + 1]); targets
   * [n, k] the target neighbours' rows; k0 the output dimension of L.
   */
  constructor(
    private readonly s: F64Scope,
    X: Float64Array,
    private readonly n: number,
    private readonly d: number,
    private readonly k0: number,
    private readonly targets: Int32Array,
    private readonly k: number,
    private readonly classStart: number[],
  ) {
    let block = 0;
    for (let c = 0; c + 1 < classStart.length; c++) block = Math.max(block, (classStart[c + 1] - classStart[c]) * (n - classStart[c + 1]));
    this.pX = s.f64(X);
    this.pI = s.i32(Int32Array.from({ length: n * k }, (_, i) => Math.floor(i / k)));
    this.pT = s.i32(targets);
    this.pOnes = s.f64(new Float64Array(n * k).fill(1));
    this.pEdgeW = s.f64(n * k);
    this.pLT = s.f64(d * k0);
    this.pLx = s.out64(n * k0);
    this.pLx32 = s.f32(n * k0);
    this.pBlock = s.f32(Math.max(1, block));
    this.pNi = s.out64(n * k);
    this.pSX = s.f64(n * d);
    this.pDf = s.out64(d * d);
    this.pL = s.f64(k0 * d);
    this.pGm = s.f64(d * d);
    this.pG = s.out64(k0 * d);
    this.dfG = this.outerSums(this.pOnes, 0);
  }

  /** Σ over the target edges (weights at pw) and m impostor pairs (pIa, pIb, weights pPair) of w (xa − xb)(xa − xb)ᵀ. */
  private outerSums(pw: number, m: number): Float64Array {
    const { s, n, d } = this;
    s.view(this.pSX, n * d).fill(0);
    s.pairLaplacianMul(this.pX, this.pI, this.pT, pw, this.pSX, n * this.k, d);
    if (m > 0) s.pairLaplacianMul(this.pX, this.pIa, this.pIb, this.pPair, this.pSX, m, d);
    s.gemm('tn', this.pX, this.pSX, this.pDf, d, n, d);
    return s.read(this.pDf, d * d);
  }

  private reserve(m: number): void {
    if (m <= this.cap) return;
    this.cap = Math.max(m, 2 * this.cap, 1024);
    this.pIa = this.s.i32(this.cap);
    this.pIb = this.s.i32(this.cap);
    this.pPair = this.s.out64(this.cap);
  }

  lossGrad(L: Float64Array, reg: number): LossGrad {
    const { s, n, d, k0, k } = this;
    s.write(this.pLT, tr(L, k0, d));
    s.gemm('nn', this.pX, this.pLT, this.pLx, n, d, k0);
    // Ni[i, t] = 1 + ‖Lxᵢ − Lx_target‖²; margin radius of i = its largest
    s.sqdistPairs(this.pLx, this.pI, this.pT, this.pNi, n * k, k0);
    const Ni = s.read(this.pNi, n * k);
    const radius = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = -Infinity;
      for (let t = 0; t < k; t++) best = Math.max(best, (Ni[i * k + t] += 1));
      radius[i] = best;
    }
    const cand = this.screen(radius);
    const m0 = cand.length / 2;
    // exact float64 test of the candidates: (in, out) pairs inside either's radius
    this.reserve(m0);
    const ia = new Int32Array(m0), ib = new Int32Array(m0);
    for (let p = 0; p < m0; p++) {
      ia[p] = cand[2 * p];
      ib[p] = cand[2 * p + 1];
    }
    s.writeI32(this.pIa, ia);
    s.writeI32(this.pIb, ib);
    s.sqdistPairs(this.pLx, this.pIa, this.pIb, this.pPair, m0, k0);
    const dist = s.read(this.pPair, m0);
    let m = 0;
    for (let p = 0; p < m0; p++) {
      const g = dist[p];
      if (g < radius[ib[p]] || g < radius[ia[p]]) {
        ia[m] = ia[p];
        ib[m] = ib[p];
        dist[m++] = g;
      }
    }
    // active triplets: impostor pair p pushes on the edge (a, target t of a) when closer than it
    const edgeW = new Float64Array(n * k), pairW = new Float64Array(m);
    let active = 0;
    for (let p = 0; p < m; p++) {
      const a = ia[p] * k, b = ib[p] * k, g = dist[p];
      for (let t = 0; t < k; t++) {
        if (g < Ni[a + t]) {
          edgeW[a + t]++;
          pairW[p]--;
        }
        if (g < Ni[b + t]) {
          edgeW[b + t]++;
          pairW[p]--;
        }
      }
      active -= pairW[p];
    }
    s.writeI32(this.pIa, ia.subarray(0, m));
    s.writeI32(this.pIb, ib.subarray(0, m));
    s.write(this.pPair, pairW);
    s.write(this.pEdgeW, edgeW);
    const df = this.outerSums(this.pEdgeW, m);
    const Gm = s.view(this.pGm, d * d);
    for (let i = 0; i < d * d; i++) Gm[i] = this.dfG[i] * reg + df[i] * (1 - reg);
    s.write(this.pL, L);
    s.gemm('nn', this.pL, this.pGm, this.pG, k0, d, d);
    const G = s.read(this.pG, k0 * d);
    let objective = active * (1 - reg);
    for (let i = 0; i < G.length; i++) objective += G[i] * L[i];
    for (let i = 0; i < G.length; i++) G[i] *= 2;
    return { G, objective, active };
  }

  /** Cross-class (in, out) pairs, in a later class than in, whose float32 distance may be inside either margin radius. */
  private screen(radius: Float64Array): Int32Array {
    const { s, n, k0, classStart } = this;
    const Lx = s.view(this.pLx, n * k0);
    const mean = new Float64Array(k0);
    for (let i = 0; i < n; i++) for (let t = 0; t < k0; t++) mean[t] += Lx[i * k0 + t];
    for (let t = 0; t < k0; t++) mean[t] /= n;
    const Lx32 = s.viewF32(this.pLx32, n * k0);
    const sq = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let t = 0; t < k0; t++) {
        const v = (Lx32[i * k0 + t] = Lx[i * k0 + t] - mean[t]);
        q += v * v;
      }
      sq[i] = q;
    }
    const slack = (k0 + 3) * F32_SLACK_PER_TERM;
    let out = new Int32Array(1 << 16), m = 0;
    for (let c = 0; c + 2 < classStart.length; c++) {
      const i0 = classStart[c], i1 = classStart[c + 1], nc = i1 - i0, nOut = n - i1;
      s.gemmF32Nt(this.pLx32 + i1 * k0 * 4, this.pLx32 + i0 * k0 * 4, this.pBlock, nOut, k0, nc);
      const B = s.viewF32(this.pBlock, nOut * nc);
      for (let oi = 0; oi < nOut; oi++) {
        const o = i1 + oi, ro = radius[o], so = sq[o], row = oi * nc;
        for (let ii = 0; ii < nc; ii++) {
          const i = i0 + ii, q = so + sq[i];
          if (q - 2 * B[row + ii] < Math.max(ro, radius[i]) + slack * q) {
            if (m + 2 > out.length) {
              const grown = new Int32Array(out.length * 2);
              grown.set(out);
              out = grown;
            }
            out[m++] = i;
            out[m++] = o;
          }
        }
      }
    }
    return out.subarray(0, m);
  }
}
