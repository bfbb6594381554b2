import { checkOptions } from '../options';
import { mmcProject } from '../ops/eigen';
import { withF64Scope, type F64Scope } from '../ops/f64-linalg';
import { MahalanobisLearner, PairsLearner } from './base';
import type { CalibrationOptions } from './calibration';
import { rngOf } from './constraints';
import { componentsFromMetric, frob, norm2, priorMetric } from './dense';
import { randomSpd } from './init';
import { tupleDiff, tupleDiffIn, type Tuples } from './input';
import { pairsFromLabels, pairsInput } from './pairs-input';

export interface MMCOptions {
  maxIter?: number;
  maxProj?: number;
  tol?: number;
  init?: 'identity' | 'covariance' | 'random' | number[][];
  diagonal?: boolean;
  diagonalC?: number;
  verbose?: boolean;
  randomState?: number | null;
}
export interface MMCSupervisedOptions extends MMCOptions {
  nConstraints?: number | null;
}

const SPEC = { maxIter: 'integer', maxProj: 'integer', tol: 'number', init: [['identity', 'covariance', 'random'], 'array'], diagonal: 'boolean', diagonalC: 'number', verbose: 'boolean', randomState: ['integer', 'null'] } as const;

/**
 * Mahalanobis Metric for Clustering (Xing et al. 2002), metric-learn's algorithm: maximise
 * the sum of dissimilar-pair distances subject to Σ similar-pair squared distances ≤ t, by
 * gradient ascent with alternating projections onto the constraint and the PSD cone (the
 * cone projection in wasm); or, with diagonal, Newton steps on a diagonal M.
 */
function fitMmc(o: MMCOptions & { randomState: number | null }, fn: string, t: Tuples, y: Int8Array): { M: Float64Array; nIter: number; converged: boolean } {
  const d = t.d;
  const init = o.init === 'random' ? randomSpd(d, rngOf(o.randomState)) : o.init;
  const A0 = priorMetric(fn, 'init', init, t.data, t.m * 2, d, false).M;
  const posRows: number[] = [], negRows: number[] = [];
  y.forEach((v, i) => (v === 1 ? posRows : negRows).push(i));
  if (!posRows.length || !negRows.length) throw new Error(`${fn}: MMC needs both similar (+1) and dissimilar (−1) pairs: got ${posRows.length} and ${negRows.length}`);
  if (o.diagonal) return fitDiag(o, tupleDiff(t, 0, 1, posRows), posRows.length, tupleDiff(t, 0, 1, negRows), negRows.length, d, A0);
  return fitFull(o, fn, t, posRows, negRows, A0);
}

/**
 * The dissimilar pairs' differences V [m, d] held in wasm memory for one fit, with their
 * buffers: each evaluation of g(A) or its gradient copies in A alone (d² doubles).
 */
class NegPairs {
  private readonly v: number;
  private readonly a: number;
  private readonly va: number;
  private readonly wv: number;
  private readonly g: number;

  private readonly m: number;
  private readonly d: number;

  /** The differences of the pairs `rows` of t, written in wasm memory. */
  constructor(private readonly s: F64Scope, t: Tuples, rows: number[]) {
    const m = (this.m = rows.length), d = (this.d = t.d);
    this.v = tupleDiffIn(s, t, 0, 1, rows);
    this.a = s.out64(d * d);
    this.va = s.out64(m * d);
    this.wv = s.out64(m * d);
    this.g = s.out64(d * d);
  }

  /** √(vᵀAv) for each row v (V·A through the wasm GEMM). */
  dists(A: Float64Array): Float64Array {
    const { s, m, d } = this;
    s.write(this.a, A);
    s.gemm('nn', this.v, this.a, this.va, m, d, d);
    const VA = s.view(this.va, m * d), V = s.view(this.v, m * d);
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let q = 0;
      for (let a = 0; a < d; a++) q += VA[i * d + a] * V[i * d + a];
      out[i] = Math.sqrt(q);
    }
    return out;
  }

  /** g(A) = log(Σ dist + 1e-6). */
  fD(A: Float64Array): number {
    let q = 0;
    for (const x of this.dists(A)) q += x;
    return Math.log(q + 1e-6);
  }

  /** Σ_i ½(dist_i + 1e-6)⁻¹ v_i v_iᵀ / (Σ dist + 1e-6), as Vᵀ·(w ∘ V) through the wasm GEMM. */
  fD1(A: Float64Array): Float64Array {
    const { s, m, d } = this;
    const dist = this.dists(A);
    let sum = 0;
    const wV = s.view(this.wv, m * d), V = s.view(this.v, m * d);
    for (let i = 0; i < m; i++) {
      sum += dist[i];
      const w = 0.5 / (dist[i] + 1e-6);
      for (let a = 0; a < d; a++) wV[i * d + a] = w * V[i * d + a];
    }
    s.gemm('tn', this.v, this.wv, this.g, d, m, d);
    const G = s.read(this.g, d * d);
    for (let i = 0; i < G.length; i++) G[i] /= sum + 1e-6;
    return G;
  }
}

function gradProjection(g1: Float64Array, g2: Float64Array): Float64Array {
  const n2 = norm2(g2);
  const u = g2.map((v) => v / n2);
  const dotp = frob(g1, u);
  const g = g1.map((v, i) => v - dotp * u[i]);
  const ng = norm2(g);
  return g.map((v) => v / ng);
}

function fitFull(o: MMCOptions, fn: string, pairs: Tuples, posRows: number[], negRows: number[], A0: Float64Array): { M: Float64Array; nIter: number; converged: boolean } {
  const d = pairs.d;
  return withF64Scope((s) => {
    const negPairs = new NegPairs(s, pairs, negRows);
    const eps = 0.01;
    let A: Float64Array<ArrayBufferLike> = A0.slice();
    // w = Σ over similar pairs of v·vᵀ, as Vᵀ·V through the wasm GEMM
    const pos = tupleDiffIn(s, pairs, 0, 1, posRows), pw = s.out64(d * d);
    s.gemm('tn', pos, pos, pw, d, posRows.length, d);
    const w = s.read(pw, d * d);
    const t = frob(w, A) / 100;
    const wNorm = norm2(w);
    const w1 = w.map((v) => v / wNorm), t1 = t / wNorm;
    let alpha = 0.1;
    let M = gradProjection(w, negPairs.fD1(A));
    // every step binds A to a new array (nothing writes into one), so A_old is A, not a copy
    let Aold = A;
    // g(A_old), kept with A_old: it changes only where A_old does
    let objOld = negPairs.fD(Aold);
    let cycle = 0, delta = Infinity;
    for (cycle = 0; cycle < o.maxIter!; cycle++) {
      const proj = mmcProject(A, w, w1, d, t, t1, o.maxProj!, eps, fn);
      A = proj.A;
      const satisfy = proj.satisfied;
      const obj = negPairs.fD(A);
      if (satisfy && (obj > objOld || cycle === 0)) {
        alpha *= 1.05;
        Aold = A;
        objOld = obj;
        M = gradProjection(negPairs.fD1(A), w);
        A = A.map((v, i) => v + alpha * M[i]);
      } else {
        alpha /= 2;
        A = Aold.map((v, i) => v + alpha * M[i]);
      }
      delta = (alpha * norm2(M)) / norm2(Aold);
      if (delta < o.tol!) break;
      if (o.verbose) console.log(`mmc iter: ${cycle}, conv = ${delta}`);
    }
    return { M: Aold, nIter: cycle, converged: !(delta > o.tol!) };
  });
}

function fitDiag(o: MMCOptions, pos: Float64Array, np: number, neg: Float64Array, nn: number, d: number, A0: Float64Array): { M: Float64Array; nIter: number; converged: boolean } {
  const sSum = new Float64Array(d);
  for (let i = 0; i < np; i++) for (let j = 0; j < d; j++) sSum[j] += pos[i * d + j] ** 2;
  const negSq = neg.map((v) => v * v);
  const dObjective = (w: Float64Array) => {
    let s = 0;
    for (let i = 0; i < nn; i++) {
      let q = 0;
      for (let j = 0; j < d; j++) q += negSq[i * d + j] * w[j];
      s += Math.sqrt(q + 1e-6);
    }
    return Math.log(s);
  };
  const w = Float64Array.from({ length: d }, (_, i) => A0[i * d + i]);
  let it = 0, error = 1;
  const c = o.diagonalC!;
  while (error > o.tol! && it < o.maxIter!) {
    // D constraint: value, gradient, Hessian
    const dist = new Float64Array(nn);
    let sumDist = 0;
    for (let i = 0; i < nn; i++) {
      let q = 0;
      for (let j = 0; j < d; j++) q += negSq[i * d + j] * w[j];
      dist[i] = Math.sqrt(q);
      sumDist += dist[i];
    }
    const d1 = new Float64Array(d);
    const d2 = new Float64Array(d * d);
    for (let i = 0; i < nn; i++) {
      const a = 0.5 / Math.max(dist[i], 1e-6), b = 1 / (-4 * Math.max(1e-6, dist[i] ** 3));
      for (let j = 0; j < d; j++) {
        d1[j] += negSq[i * d + j] * a;
        for (let k = 0; k < d; k++) d2[j * d + k] += negSq[i * d + j] * negSq[i * d + k] * b;
      }
    }
    const fD0 = Math.log(sumDist);
    const g1 = d1.map((v) => v / sumDist);
    const H = new Float64Array(d * d);
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) H[j * d + k] = -c * (d2[j * d + k] / sumDist - (d1[j] * d1[k]) / (sumDist * sumDist)) + (j === k ? 1e-6 : 0);
    const objInitial = frob(sSum, w) + c * fD0;
    const grad = sSum.map((v, j) => v - c * g1[j]);
    const step = solve(H, grad, d);
    let lambd = 1;
    let wTmp = w.map((v, j) => Math.max(0, v - lambd * step[j]));
    let obj = frob(sSum, wTmp) + c * dObjective(wTmp);
    let objPrev = Infinity;
    let wPrev = wTmp;
    while (obj < objPrev) {
      objPrev = obj;
      wPrev = wTmp.slice();
      lambd /= 2;
      wTmp = w.map((v, j) => Math.max(0, v - lambd * step[j]));
      obj = frob(sSum, wTmp) + c * dObjective(wTmp);
    }
    w.set(wPrev);
    error = Math.abs((objPrev - objInitial) / objPrev);
    it++;
  }
  const M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) M[i * d + i] = w[i];
  return { M, nIter: it, converged: error <= o.tol! };
}

/** H x = g by Gaussian elimination with partial pivoting (metric-learn inverts H; same solution). */
function solve(H: Float64Array, g: Float64Array, d: number): Float64Array {
  const A = H.slice(), b = g.slice();
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(A[r * d + c]) > Math.abs(A[p * d + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < d; k++) [A[c * d + k], A[p * d + k]] = [A[p * d + k], A[c * d + k]];
      [b[c], b[p]] = [b[p], b[c]];
    }
    for (let r = c + 1; r < d; r++) {
      const f = A[r * d + c] / A[c * d + c];
      if (f === 0) continue;
      for (let k = c; k < d; k++) A[r * d + k] -= f * A[c * d + k];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(d);
  for (let r = d - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < d; k++) s -= A[r * d + k] * x[k];
    x[r] = s / A[r * d + r];
  }
  return x;
}

function readOptions(self: MMCOptions & { randomState: number | null }, o: MMCOptions, tol: number): void {
  self.maxIter = o.maxIter ?? 100;
  self.maxProj = o.maxProj ?? 10000;
  self.tol = o.tol ?? tol;
  self.init = o.init ?? 'identity';
  self.diagonal = o.diagonal ?? false;
  self.diagonalC = o.diagonalC ?? 1;
  self.verbose = o.verbose ?? false;
  self.randomState = o.randomState ?? null;
}

/** MMC on pairs [m, 2, d] with y ±1; fit calibrates the threshold on the training pairs. `converged` after fit. */
export class MMC extends PairsLearner implements MMCOptions {
  maxIter!: number;
  maxProj!: number;
  tol!: number;
  init!: MMCOptions['init'];
  diagonal!: boolean;
  diagonalC!: number;
  verbose!: boolean;
  randomState!: number | null;
  converged = false;

  constructor(options?: MMCOptions) {
    super('MMC');
    readOptions(this, checkOptions<MMCOptions>('MMC', options, SPEC), 1e-3);
  }

  fit(pairs: unknown, y: unknown, calibrationParams?: CalibrationOptions): this {
    const { t, y: yy } = pairsInput('MMC.fit', pairs, y);
    const r = fitMmc(this, 'MMC.fit', t, yy);
    this.nIter = r.nIter;
    this.converged = r.converged;
    this.setComponents(componentsFromMetric('MMC.fit', r.M, t.d), t.d, t.d);
    this.calibrateAfterFit(t, yy, calibrationParams);
    return this;
  }
}

/** MMC with pairs drawn from class labels (metric-learn's MMC_Supervised; its tol default 1e-6). */
export class MMCSupervised extends MahalanobisLearner implements MMCOptions {
  maxIter!: number;
  maxProj!: number;
  tol!: number;
  init!: MMCOptions['init'];
  diagonal!: boolean;
  diagonalC!: number;
  verbose!: boolean;
  randomState!: number | null;
  readonly nConstraints: number | null;
  converged = false;

  constructor(options?: MMCSupervisedOptions) {
    super('MMCSupervised');
    const o = checkOptions<MMCSupervisedOptions>('MMCSupervised', options, { ...SPEC, nConstraints: ['integer', 'null'] });
    readOptions(this, o, 1e-6);
    this.nConstraints = o.nConstraints ?? null;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'MMCSupervised.fit';
    const { t, y: yy } = pairsFromLabels(fn, X, y, this.nConstraints, rngOf(this.randomState));
    const r = fitMmc(this, fn, t, yy);
    this.nIter = r.nIter;
    this.converged = r.converged;
    this.setComponents(componentsFromMetric(fn, r.M, t.d), t.d, t.d);
    return this;
  }
}
