// Retrieval metrics with pytorch-metric-learning's AccuracyCalculator definitions, the query
// set being the reference set with each query's own row excluded:
//   R(q)          number of other embeddings with q's label
//   precision@1   fraction of queries whose nearest neighbour has their label
//   recall@k      fraction of queries with at least one same-label item among their k
//                 nearest (the "Recall@K" of deep metric learning papers; pml has no such
//                 entry, and this is not the fraction of all R relevant items found)
//   R-precision   mean over queries of (same-label items among the R nearest) / R
//   MAP@R         mean over queries of (1/R) Σ_{i≤R} P(i)·rel(i), P(i) the precision at i
// Queries with R = 0 (the only member of their class) have nothing to retrieve: as pml (its
// "lone query labels") they are left out of every average. Ties in distance go to the lower
// index. Sums and averages are float64.
import { Tensor } from '../autograd/tensor';
import { checkMetric, forEachDistanceRow, labelsOf, partialSortNearest, rowsOf, type EvalMetric } from './neighbours';
import { checkOptions } from '../options';

export interface RetrievalOptions {
  /** Cut-offs of recall@k (default [1, 5]). */
  k?: number[];
  /** Ranking distance (default 'euclidean'). */
  metric?: EvalMetric;
}

export interface RetrievalResult {
  precisionAt1: number;
  /** Aligned with options.k. */
  recallAtK: number[];
  rPrecision: number;
  mapAtR: number;
  /** Queries that entered the averages (those with R ≥ 1). */
  queries: number;
}

/**
 * Precision@1, recall@k, R-precision and MAP@R of embeddings [n, d] retrieving each other.
 * @example const { precisionAt1, mapAtR } = sl.metrics.retrieval(emb, labels, { k: [1, 5] })
 */
export function retrieval(embeddings: Tensor, labels: ArrayLike<number>, options: RetrievalOptions = {}): RetrievalResult {
  const fn = 'retrieval';
  checkOptions(fn, options, { k: 'array', metric: 'string' });
  const { data, n, d } = rowsOf(fn, 'embeddings', embeddings);
  const lab = labelsOf(fn, 'labels', labels, n);
  const ks = options.k ?? [1, 5];
  if (!Array.isArray(ks) || ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new Error(`${fn}: k must be a non-empty array of positive integers, got ${JSON.stringify(ks)}`);
  }
  const metric = checkMetric(fn, options.metric ?? 'euclidean');

  const count = new Map<number, number>();
  for (const l of lab) count.set(l, (count.get(l) ?? 0) + 1);
  const maxK = Math.max(...ks);

  let used = 0, p1 = 0, rPrec = 0, map = 0;
  const hits = new Float64Array(ks.length);
  const idx = new Int32Array(n);
  const scratch = new Float64Array(n);
  forEachDistanceRow(data, n, data, n, d, metric, (q, dist) => {
    const R = count.get(lab[q])! - 1;
    if (R === 0) return;
    // Every reference but q itself, then the max(R, k) nearest in order.
    let len = 0;
    for (let j = 0; j < n; j++) if (j !== q) idx[len++] = j;
    const depth = Math.max(R, maxK);
    partialSortNearest(idx, len, depth, dist, scratch);
    let firstHit = Infinity, correct = 0, ap = 0;
    for (let i = 0; i < Math.min(depth, len); i++) {
      if (lab[idx[i]] !== lab[q]) continue;
      if (firstHit === Infinity) firstHit = i;
      if (i < R) {
        correct++;
        ap += correct / (i + 1);
      }
    }
    used++;
    if (firstHit === 0) p1++;
    ks.forEach((k, t) => { if (firstHit < k) hits[t]++; });
    rPrec += correct / R;
    map += ap / R;
  });
  // pml returns 0 when no query has a match.
  const avg = (s: number) => (used === 0 ? 0 : s / used);
  return { precisionAt1: avg(p1), recallAtK: Array.from(hits, avg), rPrecision: avg(rPrec), mapAtR: avg(map), queries: used };
}
