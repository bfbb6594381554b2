import { checkOptions } from '../options';
import { MahalanobisLearner } from './base';
import { rngOf } from './constraints';
import { mm, outerSum, tr } from './dense';
import { initialComponents, type ComponentsInit } from './init';
import { toLabels, toMatrix, uniqueInverse } from './input';
import { checkComponents } from './lfda';

export interface LMNNOptions {
  init?: ComponentsInit;
  nNeighbors?: number;
  minIter?: number;
  maxIter?: number;
  learnRate?: number;
  regularization?: number;
  convergenceTol?: number;
  verbose?: boolean;
  nComponents?: number | null;
  randomState?: number | null;
}

/**
 * Large Margin Nearest Neighbor (metric-learn 0.7's LMNN, Weinberger & Saul 2009): pulls each
 * point's nNeighbors same-class target neighbours close and pushes differently labelled
 * impostors beyond a unit margin, by gradient descent on L with metric-learn's step rule
 * (halve on an increase, ×1.01 after a success). `objective`: the final value.
 */
export class LMNN extends MahalanobisLearner {
  readonly init: ComponentsInit;
  readonly nNeighbors: number;
  readonly minIter: number;
  readonly maxIter: number;
  readonly learnRate: number;
  readonly regularization: number;
  readonly convergenceTol: number;
  readonly verbose: boolean;
  readonly nComponents: number | null;
  readonly randomState: number | null;
  objective = NaN;

  constructor(options?: LMNNOptions) {
    super('LMNN');
    const o = checkOptions<LMNNOptions>('LMNN', options, {
      init: [['auto', 'identity', 'random', 'pca', 'lda'], 'array'], nNeighbors: 'integer', minIter: 'integer', maxIter: 'integer', learnRate: 'number', regularization: 'number', convergenceTol: 'number', verbose: 'boolean', nComponents: ['integer', 'null'], randomState: ['integer', 'null'],
    });
    this.init = o.init ?? 'auto';
    this.nNeighbors = o.nNeighbors ?? 3;
    this.minIter = o.minIter ?? 50;
    this.maxIter = o.maxIter ?? 1000;
    this.learnRate = o.learnRate ?? 1e-7;
    this.regularization = o.regularization ?? 0.5;
    this.convergenceTol = o.convergenceTol ?? 0.001;
    this.verbose = o.verbose ?? false;
    this.nComponents = o.nComponents ?? null;
    this.randomState = o.randomState ?? null;
  }

  fit(X: unknown, y: unknown): this {
    const fn = 'LMNN.fit';
    const x = toMatrix(fn, 'X', X, 2);
    const { n, d, data } = x;
    const labels = toLabels(fn, 'y', y, n, false);
    const { classes, inverse } = uniqueInverse(labels);
    const k = this.nNeighbors;
    const counts = new Array(classes.length).fill(0);
    for (const c of inverse) counts[c]++;
    const smallest = Math.min(...counts);
    if (k > smallest - 1 && k > smallest) throw new Error(`${fn}: not enough class labels for nNeighbors = ${k} (the smallest class has ${smallest})`);
    if (k > smallest) throw new Error(`${fn}: not enough class labels for nNeighbors = ${k} (the smallest class has ${smallest})`);
    const outDim = checkComponents(fn, d, this.nComponents);
    let L = initialComponents(fn, this.init, outDim, data, n, d, rngOf(this.randomState), { inverse, nClasses: classes.length });
    const targets = selectTargets(data, n, d, inverse, classes.length, k);
    const tRows = new Float64Array(n * k * d);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) for (let j = 0; j < d; j++) tRows[(i * k + t) * d + j] = data[targets[i * k + t] * d + j] - data[i * d + j];
    const dfG = outerSum(tRows, n * k, d);
    const reg = this.regularization;
    let lr = this.learnRate;
    let cur = lossGrad(data, n, d, L, outDim, dfG, k, reg, targets, inverse, classes.length);
    let it = 1;
    let deltaObj = 0;
    for (it = 2; it < this.maxIter; it++) {
      let next: LossGrad, Lnext: Float64Array;
      for (;;) {
        Lnext = L.map((v, i) => v - lr * cur.G[i]);
        next = lossGrad(data, n, d, Lnext, outDim, dfG, k, reg, targets, inverse, classes.length);
        deltaObj = next.objective - cur.objective;
        if (deltaObj > 0) lr /= 2;
        else break;
      }
      L = Lnext;
      cur = next;
      lr *= 1.01;
      if (this.verbose) console.log(`[LMNN] ${it} ${cur.objective} ${deltaObj} ${cur.active} ${lr}`);
      if (it > this.minIter && Math.abs(deltaObj) < this.convergenceTol) break;
    }
    this.nIter = Math.min(it, this.maxIter - 1);
    this.objective = cur.objective;
    this.setComponents(L, outDim, d);
    return this;
  }
}

interface LossGrad {
  G: Float64Array;
  objective: number;
  active: number;
}

/** Each point's k nearest same-class points (squared Euclidean in the input space; ties to the lower index). */
function selectTargets(X: Float64Array, n: number, d: number, inverse: Int32Array, C: number, k: number): Int32Array {
  const out = new Int32Array(n * k);
  for (let c = 0; c < C; c++) {
    const inds: number[] = [];
    for (let i = 0; i < n; i++) if (inverse[i] === c) inds.push(i);
    for (const i of inds) {
      const near = inds
        .filter((j) => j !== i)
        .map((j) => [sq(X, X, i, j, d), j] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (let t = 0; t < k; t++) out[i * k + t] = near[t][1];
    }
  }
  return out;
}

function sq(A: Float64Array, B: Float64Array, i: number, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = A[i * d + t] - B[j * d + t];
    s += v * v;
  }
  return s;
}

/** metric-learn's _loss_grad: objective and gradient 2·L·(reg·dfG + (1 − reg)·Σ active outer products). */
function lossGrad(X: Float64Array, n: number, d: number, L: Float64Array, k0: number, dfG: Float64Array, k: number, reg: number, targets: Int32Array, inverse: Int32Array, C: number): LossGrad {
  const Lx = mm(X, tr(L, k0, d), n, d, k0);
  // Ni[i, t] = 1 + ‖Lxᵢ − Lx_target‖²; margin radius of i = its largest
  const Ni = new Float64Array(n * k);
  const radius = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let t = 0; t < k; t++) {
      const v = 1 + sq(Lx, Lx, targets[i * k + t], i, k0);
      Ni[i * k + t] = v;
      if (v > best) best = v;
    }
    radius[i] = best;
  }
  // impostors: pairs (in, out) of classes c < c' with ‖Lx_in − Lx_out‖² inside either's radius
  const impIn: number[] = [], impOut: number[] = [], g0: number[] = [];
  const byClass: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < n; i++) byClass[inverse[i]].push(i);
  for (let c = 0; c < C - 1; c++) {
    const outs: number[] = [];
    for (let c2 = c + 1; c2 < C; c2++) outs.push(...byClass[c2]);
    outs.sort((a, b) => a - b);
    // metric-learn lists them ordered by (out row, in row) after np.unique on raveled indices
    for (let oi = 0; oi < outs.length; oi++) {
      const o = outs[oi];
      for (const i of byClass[c]) {
        const dist = sq(Lx, Lx, o, i, k0);
        if (dist < radius[o] || dist < radius[i]) {
          impIn.push(i);
          impOut.push(o);
          g0.push(dist);
        }
      }
    }
  }
  const m = impIn.length;
  let active = 0;
  const diffs: number[] = [];
  const weights: number[] = [];
  for (let t = k - 1; t >= 0; t--) {
    const edges = new Map<number, number>();
    for (let p = 0; p < m; p++) {
      const a = impIn[p], b = impOut[p];
      if (g0[p] < Ni[a * k + t]) {
        active++;
        const key = a * n + targets[a * k + t];
        edges.set(key, (edges.get(key) ?? 0) + 1);
        diffs.push(a, b);
        weights.push(-1);
      }
      if (g0[p] < Ni[b * k + t]) {
        active++;
        const key = b * n + targets[b * k + t];
        edges.set(key, (edges.get(key) ?? 0) + 1);
        diffs.push(a, b);
        weights.push(-1);
      }
    }
    for (const [key, w] of edges) {
      diffs.push(Math.floor(key / n), key % n);
      weights.push(w);
    }
  }
  const rows = new Float64Array((diffs.length / 2) * d);
  for (let r = 0; r < diffs.length / 2; r++) for (let j = 0; j < d; j++) rows[r * d + j] = X[diffs[2 * r] * d + j] - X[diffs[2 * r + 1] * d + j];
  const df = outerSum(rows, diffs.length / 2, d, weights);
  const Gm = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) Gm[i] = dfG[i] * reg + df[i] * (1 - reg);
  const G = mm(L, Gm, k0, d, d);
  let objective = active * (1 - reg);
  for (let i = 0; i < G.length; i++) objective += G[i] * L[i];
  for (let i = 0; i < G.length; i++) G[i] *= 2;
  return { G, objective, active };
}
