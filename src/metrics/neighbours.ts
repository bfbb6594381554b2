// Nearest neighbours for evaluation, in blocks of queries: a block's distances to every
// reference come from one GEMM (‖q‖² + ‖r‖² − 2·q·r for Euclidean), then each row is
// partially sorted. So 10,000 × 10,000 never sits in memory: one block is BLOCK × n floats.
import { noGrad, tidy, Tensor, fmtShape } from '../autograd/tensor';
import { tensor } from '../autograd/create';
import { matmul, transpose } from '../ops/gemm';
import { checkLabels } from '../data/labels';

export type EvalMetric = 'euclidean' | 'sqeuclidean' | 'cosine' | 'dot';
const METRICS: readonly EvalMetric[] = ['euclidean', 'sqeuclidean', 'cosine', 'dot'];

const BLOCK = 256;

/** Rows of a tensor [n, ...] as a flat Float32Array [n, d] (trailing dimensions flattened). */
export function rowsOf(fn: string, arg: string, x: Tensor): { data: Float32Array; n: number; d: number } {
  if (!(x instanceof Tensor)) throw new Error(`${fn}: ${arg} must be a Tensor [n, d], got ${x === null ? 'null' : typeof x}`);
  if (x.isDisposed) throw new Error(`${fn}: ${arg} ${fmtShape(x.shape)} was disposed and cannot be used`);
  if (x.shape.length < 2) throw new Error(`${fn}: ${arg} must be [n, d] (or [n, ...]), got ${fmtShape(x.shape)}`);
  const n = x.shape[0];
  const d = n === 0 ? 0 : x.size / n;
  const data = x.data();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new Error(`${fn}: ${arg} ${fmtShape(x.shape)} holds a non-finite value (${data[i]}) at flat index ${i}`);
  }
  return { data, n, d };
}

/** Labels as an Int32Array of length n, checked. */
export function labelsOf(fn: string, arg: string, labels: ArrayLike<number>, n: number): Int32Array {
  const out = checkLabels(fn, labels, arg);
  if (out.length !== n) throw new Error(`${fn}: ${arg} has ${out.length} entries but there are ${n} embeddings`);
  return out;
}

export function checkMetric(fn: string, metric: unknown): EvalMetric {
  if (!METRICS.includes(metric as EvalMetric)) {
    throw new Error(`${fn}: unknown metric ${JSON.stringify(metric)}; use one of ${METRICS.map((m) => `'${m}'`).join(', ')}`);
  }
  return metric as EvalMetric;
}

function normalizeRows(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j] * inv;
  }
  return out;
}

function sqNorms(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    out[i] = s;
  }
  return out;
}

/**
 * Calls visit(query, dist) for every query row, where dist[j] ranks reference j (smaller is
 * nearer; only the order matters: squared Euclidean stands in for Euclidean, −dot for dot).
 * `dist` is reused between calls.
 */
export function forEachDistanceRow(
  queries: Float32Array, nq: number, refs: Float32Array, nr: number, d: number, metric: EvalMetric,
  visit: (q: number, dist: Float64Array) => void,
): void {
  if (metric === 'cosine') {
    queries = normalizeRows(queries, nq, d);
    refs = normalizeRows(refs, nr, d);
  }
  const euclid = metric === 'euclidean' || metric === 'sqeuclidean';
  const qn = euclid ? sqNorms(queries, nq, d) : null;
  const rn = euclid ? sqNorms(refs, nr, d) : null;
  const row = new Float64Array(nr);
  noGrad(() => {
    const rT = tidy(() => transpose(tensor(refs, [nr, d])));
    try {
      for (let q0 = 0; q0 < nq; q0 += BLOCK) {
        const b = Math.min(BLOCK, nq - q0);
        const dots = tidy(() => matmul(tensor(queries.subarray(q0 * d, (q0 + b) * d), [b, d]), rT));
        const dd = dots.data();
        dots.dispose();
        for (let i = 0; i < b; i++) {
          const q = q0 + i;
          for (let j = 0; j < nr; j++) {
            const dot = dd[i * nr + j];
            // Clamped at 0: rounding can make ‖q − r‖² slightly negative for near-duplicates.
            row[j] = euclid ? Math.max(qn![q] + rn![j] - 2 * dot, 0) : metric === 'cosine' ? 1 - dot : -dot;
          }
          visit(q, row);
        }
      }
    } finally {
      rT.dispose();
    }
  });
}

/**
 * Puts the k nearest of idx[0..len) first, nearest first, ties to the lower index
 * (quickselect, then a sort of the k selected): O(len + k log k). The distances travel in a
 * parallel array `vals` (scratch of at least len) so the selection reads memory in order.
 */
export function partialSortNearest(idx: Int32Array, len: number, k: number, dist: Float64Array, vals = new Float64Array(len)): void {
  k = Math.min(k, len);
  if (k <= 0) return;
  for (let t = 0; t < len; t++) vals[t] = dist[idx[t]];
  let lo = 0, hi = len - 1;
  while (hi > lo) {
    // Median of three as the pivot keeps sorted or constant rows from going quadratic.
    const mid = (lo + hi) >>> 1;
    let pv = vals[mid], pi = idx[mid];
    const lv = vals[lo], li = idx[lo], hv = vals[hi], hiI = idx[hi];
    const ltLo = lv < pv || (lv === pv && li < pi);
    const ltHi = hv < pv || (hv === pv && hiI < pi);
    if (ltLo === ltHi) {
      // The pivot is the smallest or the largest: take the larger (smaller) of lo and hi.
      const loBelowHi = lv < hv || (lv === hv && li < hiI);
      if (ltLo === loBelowHi) { pv = hv; pi = hiI; } else { pv = lv; pi = li; }
    }
    let i = lo, j = hi;
    while (i <= j) {
      while (vals[i] < pv || (vals[i] === pv && idx[i] < pi)) i++;
      while (pv < vals[j] || (pv === vals[j] && pi < idx[j])) j--;
      if (i <= j) {
        const tv = vals[i]; vals[i] = vals[j]; vals[j] = tv;
        const ti = idx[i]; idx[i] = idx[j]; idx[j] = ti;
        i++; j--;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else break;
  }
  idx.subarray(0, k).sort((a, b) => (dist[a] - dist[b]) || (a - b));
}
