// sl.metrics: evaluation of embeddings with pytorch-metric-learning's definitions.
export { retrieval, type RetrievalOptions, type RetrievalResult } from './retrieval';
export { knnAccuracy, type KnnOptions } from './knn';
export { verification, type VerificationResult } from './verification';
export type { EvalMetric } from './neighbours';
export {
  AccuracyCalculator, ACCURACY_METRICS, type AccuracyCalculatorOptions, type AccuracyMetric, type AccuracyResult, type KnnResult,
} from './accuracy-calculator';
