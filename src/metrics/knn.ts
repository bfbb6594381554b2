// k-nearest-neighbour classification accuracy of queries against a labelled reference set.
import { Tensor, fmtShape } from '../autograd/tensor';
import { checkMetric, forEachDistanceRow, labelsOf, partialSortNearest, rowsOf, type EvalMetric } from './neighbours';
import { checkOptions } from '../options';

export interface KnnOptions {
  /** Neighbours that vote (default 1). */
  k?: number;
  /** Ranking distance (default 'euclidean'). */
  metric?: EvalMetric;
}

/**
 * Fraction of queries whose majority label among their k nearest references equals their
 * own label. A tied vote goes to the tied label whose member is nearest (A at ranks 2, 3 and
 * B at ranks 1, 4 with k = 4 gives B); distance ties go to the lower reference index.
 * No self-exclusion: queries and references are separate sets.
 * @example sl.metrics.knnAccuracy(trainEmb, trainLabels, testEmb, testLabels, { k: 5 })
 */
export function knnAccuracy(
  refs: Tensor, refLabels: ArrayLike<number>, queries: Tensor, queryLabels: ArrayLike<number>, options: KnnOptions = {},
): number {
  const fn = 'knnAccuracy';
  checkOptions(fn, options, { k: 'integer', metric: 'string' });
  const r = rowsOf(fn, 'refs', refs);
  const q = rowsOf(fn, 'queries', queries);
  if (r.n === 0) throw new Error(`${fn}: refs are empty ${fmtShape(refs.shape)}; at least one reference is needed`);
  if (q.n === 0) throw new Error(`${fn}: queries are empty ${fmtShape(queries.shape)}; at least one query is needed`);
  if (r.d !== q.d) throw new Error(`${fn}: refs are ${fmtShape(refs.shape)} but queries are ${fmtShape(queries.shape)}: row sizes must match`);
  const rl = labelsOf(fn, 'refLabels', refLabels, r.n);
  const ql = labelsOf(fn, 'queryLabels', queryLabels, q.n);
  const k = options.k ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be a positive integer, got ${k}`);
  const metric = checkMetric(fn, options.metric ?? 'euclidean');

  const idx = new Int32Array(r.n);
  const scratch = new Float64Array(r.n);
  const votes = new Map<number, number>();
  let correct = 0;
  forEachDistanceRow(q.data, q.n, r.data, r.n, r.d, metric, (i, dist) => {
    for (let j = 0; j < r.n; j++) idx[j] = j;
    const kk = Math.min(k, r.n);
    partialSortNearest(idx, r.n, kk, dist, scratch);
    votes.clear();
    for (let t = 0; t < kk; t++) votes.set(rl[idx[t]], (votes.get(rl[idx[t]]) ?? 0) + 1);
    // Walking from the nearest, strictly greater keeps, among tied labels, the one whose
    // nearest member comes first.
    let best = 0, bestLabel = 0;
    for (let t = 0; t < kk; t++) {
      const v = votes.get(rl[idx[t]])!;
      if (v > best) { best = v; bestLabel = rl[idx[t]]; }
    }
    if (bestLabel === ql[i]) correct++;
  });
  return correct / q.n;
}
