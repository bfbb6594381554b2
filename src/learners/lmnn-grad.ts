// LMNN's objective and gradient (metric-learn 0.7's _loss_grad) on wasm buffers that live
// for one fit. The points are held sorted by class, so the impostor search of each class c
// (its points against every point of a later class) is one rectangular block.
//
// Impostor search: a float32 GEMM of the centred L-space points at a reference L_ref gives a
// lower bound on every cross-class pair's distance (a slack above the float32 error bound);
// at each later L a pair is screened against the margin radii widened by how far its two
// points moved since L_ref (assembly/kernels/impostor.ts), and the survivors are re-measured
// in float64 (differences before squaring) and tested exactly: the set found is the float64
// one. L_ref is renewed (one GEMM) when the widened screen lets through too many pairs.
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
  private readonly pRef: number;
  private readonly refAt: number[] = [];
  private readonly keepRef: boolean;
  private hasRef = false;
  private mExact = 0;
  private readonly nPairs: number;
  private readonly pSelf: number;
  private readonly pAtRef: number;
  private readonly pDelta: number;
  private readonly pP32: number;
  private readonly pD32: number;
  private readonly pNi: number;
  private readonly pSX: number;
  private readonly pXc: number;
  private readonly pSXc: number;
  private readonly pDf: number;
  private readonly pL: number;
  private readonly pGm: number;
  private readonly pG: number;
  private readonly pSq: number;
  private cap = 0;
  private pIa = 0;
  private pIb = 0;
  private pPair = 0;
  readonly dfG: Float64Array;

  /**
   * X [n, d] sorted by class (class c at rows classStart[c]..classStart[c + 1]); targets
   * [n, k] the target neighbours' rows; k0 the output dimension of L. The bounds of every
   * class block are kept when there are at most maxKept pairs (128 MB of float32).
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
    maxKept = 1 << 25,
  ) {
    // class c's bounds at refAt[c] (float32 entries): all blocks kept, or one block's room,
    // renewed at every call
    let block = 0, total = 0;
    for (let c = 0; c + 1 < classStart.length; c++) {
      const size = (classStart[c + 1] - classStart[c]) * (n - classStart[c + 1]);
      block = Math.max(block, size);
      this.refAt.push(total);
      total += size;
    }
    this.nPairs = total;
    this.keepRef = total <= maxKept;
    if (!this.keepRef) this.refAt.fill(0);
    this.pX = s.f64(X);
    this.pI = s.i32(Int32Array.from({ length: n * k }, (_, i) => Math.floor(i / k)));
    this.pT = s.i32(targets);
    this.pOnes = s.f64(new Float64Array(n * k).fill(1));
    this.pEdgeW = s.f64(n * k);
    this.pLT = s.f64(d * k0);
    // Lx at rows 0..n−1, Lx at L_ref at rows n..2n−1: δ by the row-pair kernel
    this.pLx = s.out64(2 * n * k0);
    this.pSelf = s.i32(Int32Array.from({ length: n }, (_, i) => i));
    this.pAtRef = s.i32(Int32Array.from({ length: n }, (_, i) => n + i));
    this.pDelta = s.out64(n);
    this.pP32 = s.f32(n);
    this.pD32 = s.f32(n);
    this.pLx32 = s.f32(n * k0);
    this.pRef = s.f32(Math.max(1, this.keepRef ? total : block));
    this.pNi = s.out64(n * k);
    this.pSX = s.f64(n * d);
    this.pXc = s.out64(n * d);
    this.pSXc = s.out64(n * d);
    this.pDf = s.out64(d * d);
    this.pL = s.f64(k0 * d);
    this.pGm = s.f64(d * d);
    this.pG = s.out64(k0 * d);
    this.pSq = s.out64(n);
    this.reserve(1 << 12);
    this.dfG = this.outerSums(this.pOnes, 0);
  }

  /**
   * Σ over the target edges (weights at pw) and m impostor pairs (pIa, pIb, weights pPair) of
   * w (xa − xb)(xa − xb)ᵀ. Only the rows of S·X that are not all zero enter the GEMM (a few
   * hundred of n once the impostors thin out): a zero row adds nothing to any sum, so the
   * result is bitwise the full product's.
   */
  private outerSums(pw: number, m: number): Float64Array {
    const { s, n, d } = this;
    s.view(this.pSX, n * d).fill(0);
    s.pairLaplacianMul(this.pX, this.pI, this.pT, pw, this.pSX, n * this.k, d);
    if (m > 0) s.pairLaplacianMul(this.pX, this.pIa, this.pIb, this.pPair, this.pSX, m, d);
    const mem = s.view(0, (Math.max(this.pX, this.pSX, this.pXc, this.pSXc) >>> 3) + n * d);
    const sx = this.pSX >>> 3, x = this.pX >>> 3, sxc = this.pSXc >>> 3, xc = this.pXc >>> 3;
    let r = 0;
    for (let i = 0; i < n; i++) {
      let j = 0;
      while (j < d && mem[sx + i * d + j] === 0) j++;
      if (j === d) continue;
      mem.copyWithin(sxc + r * d, sx + i * d, sx + (i + 1) * d);
      mem.copyWithin(xc + r * d, x + i * d, x + (i + 1) * d);
      r++;
    }
    s.gemm('tn', this.pXc, this.pSXc, this.pDf, d, r, d);
    return s.read(this.pDf, d * d);
  }

  /** Room for m impostor pairs, keeping the first `keep` index pairs. */
  private reserve(m: number, keep = 0): void {
    if (m <= this.cap) return;
    const { s } = this;
    this.cap = Math.max(m, 2 * this.cap, 1024);
    const ia = s.i32(this.cap), ib = s.i32(this.cap);
    if (keep > 0) {
      s.writeI32(ia, s.viewI32(this.pIa, keep).slice());
      s.writeI32(ib, s.viewI32(this.pIb, keep).slice());
    }
    this.pIa = ia;
    this.pIb = ib;
    this.pPair = s.out64(this.cap);
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
    const m0 = this.screen(radius);
    // exact float64 test of the candidates: (in, out) pairs inside either's radius
    s.sqdistPairs(this.pLx, this.pIa, this.pIb, this.pPair, m0, k0);
    const ia = s.viewI32(this.pIa, m0).slice(), ib = s.viewI32(this.pIb, m0).slice();
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
    this.mExact = m;
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

  /**
   * Cross-class (in, out) pairs, out in a later class than in, that may be inside either
   * margin radius: into pIa, pIb; their count. Against the bounds at L_ref when it has them
   * and they let through few enough pairs, else against fresh ones.
   */
  private screen(radius: Float64Array): number {
    const { s, n, k0, classStart } = this;
    const nBlocks = classStart.length - 2;
    if (this.hasRef) {
      s.sqdistPairs(this.pLx, this.pSelf, this.pAtRef, this.pDelta, n, k0);
      this.widen(radius, s.read(this.pDelta, n));
      let m = 0;
      for (let c = 0; c < nBlocks; c++) m = this.scan(c, m);
      // a pair passed costs ~k0 flops to re-measure, the renewal ~k0 per pair screened: renew
      // before the screen passes a sizeable share of them
      if (m <= 4 * this.mExact + this.nPairs / 32) return m;
    }
    const Lx = s.view(this.pLx, 2 * n * k0);
    Lx.copyWithin(n * k0, 0, n * k0);
    const mean = new Float64Array(k0);
    for (let i = 0; i < n; i++) for (let t = 0; t < k0; t++) mean[t] += Lx[i * k0 + t];
    for (let t = 0; t < k0; t++) mean[t] /= n;
    const Lx32 = s.viewF32(this.pLx32, n * k0);
    const sq = s.view(this.pSq, n);
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let t = 0; t < k0; t++) {
        const v = (Lx32[i * k0 + t] = Lx[i * k0 + t] - mean[t]);
        q += v * v;
      }
      sq[i] = q;
    }
    this.widen(radius, null);
    const slack = (k0 + 3) * F32_SLACK_PER_TERM;
    let m = 0;
    for (let c = 0; c < nBlocks; c++) {
      const i0 = classStart[c], i1 = classStart[c + 1], nc = i1 - i0, nOut = n - i1, at = this.pRef + this.refAt[c] * 4;
      s.gemmF32Nt(this.pLx32 + i1 * k0 * 4, this.pLx32 + i0 * k0 * 4, at, nOut, k0, nc);
      s.impostorBound(at, nOut, nc, this.pSq + i1 * 8, this.pSq + i0 * 8, slack);
      m = this.scan(c, m);
    }
    this.hasRef = this.keepRef;
    return m;
  }

  /** Per point, float32 rounded up: P = √radius + δ, D = δ (δ² at delta2, or 0). */
  private widen(radius: Float64Array, delta2: Float64Array | null): void {
    const { s, n } = this;
    const P = s.viewF32(this.pP32, n), D = s.viewF32(this.pD32, n);
    const up = 1 + 1e-6;
    for (let i = 0; i < n; i++) {
      const dl = delta2 ? Math.sqrt(delta2[i]) : 0;
      P[i] = (Math.sqrt(radius[i]) + dl) * up;
      D[i] = dl * up;
    }
  }

  /** Block c's screen, its pairs appended after the first m (room made as needed): the new count. */
  private scan(c: number, m: number): number {
    const { s, n, classStart } = this;
    const i0 = classStart[c], i1 = classStart[c + 1];
    const run = () => s.impostorScreen(this.pRef + this.refAt[c] * 4, n - i1, i1 - i0, this.pP32 + i1 * 4, this.pD32 + i1 * 4, this.pP32 + i0 * 4, this.pD32 + i0 * 4, i0, i1, this.pIa + m * 4, this.pIb + m * 4, this.cap - m);
    let got = run();
    if (m + got > this.cap) {
      this.reserve(m + got, m);
      got = run();
    }
    return m + got;
  }
}
