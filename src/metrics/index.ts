// sl.metrics: evaluation of embeddings with pytorch-metric-learning's definitions.
export { retrieval, type RetrievalOptions, type RetrievalResult } from './retrieval';
export { knnAccuracy, type KnnOptions } from './knn';
export { verification, type VerificationResult } from './verification';
export type { EvalMetric } from './neighbours';
