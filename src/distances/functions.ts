// Top-level distance functions: sl.cdist, sl.pairedDistance, sl.cosineSimilarity.
import { Tensor } from '../autograd/tensor';
import { CosineSimilarity } from './cosine-similarity';
import { resolveMetric, type Metric } from './metric';

export type { Metric, MetricName } from './metric';

/**
 * Pairwise distances [n, m] between the rows of x [n, d] and y [m, d]; differentiable in
 * both. `sl.cdist(x, y, 'euclidean')` matches torch.cdist(x, y) (without normalisation).
 */
export function cdist(x: Tensor, y: Tensor, metric: Metric = 'euclidean'): Tensor {
  return resolveMetric('cdist', metric).pairwiseAs('cdist', x, y);
}

/** Row-wise distances [n] between x [n, d] and y [n, d] (the diagonal of cdist, computed directly). */
export function pairedDistance(x: Tensor, y: Tensor, metric: Metric = 'euclidean'): Tensor {
  return resolveMetric('pairedDistance', metric).pairedAs('pairedDistance', x, y);
}

/** Pairwise cosine similarities [n, m] (F.normalize with eps 1e-12, then x̂·ŷᵀ). */
export function cosineSimilarity(x: Tensor, y: Tensor): Tensor {
  return new CosineSimilarity().pairwiseAs('cosineSimilarity', x, y);
}
