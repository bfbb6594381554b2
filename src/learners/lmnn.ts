import { checkOptions } from '../options';
import { MahalanobisLearner } from './base';
import { rngOf } from './constraints';
import { initialComponents, type ComponentsInit } from './init';
import { toLabels, toMatrix, uniqueInverse } from './input';
import { checkComponents } from './lfda';
import { LmnnGradient, type LossGrad } from './lmnn-grad';
import { withF64Scope } from '../ops/f64-linalg';

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
    // the points sorted by class (stable), so each class's impostor search is one block
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => inverse[a] - inverse[b] || a - b);
    const rank = new Int32Array(n);
    order.forEach((i, r) => (rank[i] = r));
    const Xs = new Float64Array(n * d);
    order.forEach((i, r) => Xs.set(data.subarray(i * d, (i + 1) * d), r * d));
    const targetsS = new Int32Array(n * k);
    for (let r = 0; r < n; r++) for (let t = 0; t < k; t++) targetsS[r * k + t] = rank[targets[order[r] * k + t]];
    const classStart = [0];
    for (let c = 0; c < classes.length; c++) classStart.push(classStart[c] + counts[c]);
    const reg = this.regularization;
    let lr = this.learnRate;
    let it = 1;
    let deltaObj = 0;
    let cur!: LossGrad;
    withF64Scope((s) => {
      const grad = new LmnnGradient(s, Xs, n, d, outDim, targetsS, k, classStart);
      cur = grad.lossGrad(L, reg);
      for (it = 2; it < this.maxIter; it++) {
        let next: LossGrad, Lnext: Float64Array;
        for (;;) {
          Lnext = L.map((v, i) => v - lr * cur.G[i]);
          next = grad.lossGrad(Lnext, reg);
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
    });
    this.nIter = Math.min(it, this.maxIter - 1);
    this.objective = cur.objective;
    this.setComponents(L, outDim, d);
    return this;
  }
}

/** Each point's k nearest same-class points (squared Euclidean in the input space, by the float64 row-pair kernel; ties to the lower index). */
function selectTargets(X: Float64Array, n: number, d: number, inverse: Int32Array, C: number, k: number): Int32Array {
  const out = new Int32Array(n * k);
  // each row's k best so far, nearest first; candidates reach a row in increasing index
  // order, so a tie never displaces the earlier (lower) index
  const best = new Float64Array(n * k).fill(Infinity);
  const offer = (i: number, j: number, v: number) => {
    const b = i * k;
    if (!(v < best[b + k - 1])) return;
    let p = k - 1;
    for (; p > 0 && v < best[b + p - 1]; p--) {
      best[b + p] = best[b + p - 1];
      out[b + p] = out[b + p - 1];
    }
    best[b + p] = v;
    out[b + p] = j;
  };
  const members: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < n; i++) members[inverse[i]].push(i);
  const most = Math.max(...members.map((m) => (m.length * (m.length - 1)) / 2), 1);
  withF64Scope((s) => {
    const px = s.f64(X), pa = s.i32(most), pb = s.i32(most), pd = s.out64(most);
    for (const inds of members) {
      const m = (inds.length * (inds.length - 1)) / 2;
      const ia = new Int32Array(m), ib = new Int32Array(m);
      let p = 0;
      for (let a = 0; a < inds.length; a++)
        for (let b = a + 1; b < inds.length; b++) {
          ia[p] = inds[a];
          ib[p++] = inds[b];
        }
      s.writeI32(pa, ia);
      s.writeI32(pb, ib);
      s.sqdistPairs(px, pa, pb, pd, m, d);
      const dist = s.view(pd, m);
      for (let q = 0; q < m; q++) {
        offer(ia[q], ib[q], dist[q]);
        offer(ib[q], ia[q], dist[q]);
      }
    }
  });
  return out;
}
