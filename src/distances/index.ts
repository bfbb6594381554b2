// sl.distances: distance and similarity objects in the pytorch-metric-learning style.
export { BaseDistance, type DistanceOptions } from './base-distance';
export { LpDistance, type LpDistanceOptions } from './lp-distance';
export { CosineSimilarity, type CosineSimilarityOptions } from './cosine-similarity';
export { DotProductSimilarity, type DotProductSimilarityOptions } from './dot-product-similarity';
export { CosineDistance } from './cosine-distance';
export { Mahalanobis, type MahalanobisOptions, type FromDataOptions } from './mahalanobis';
export { LearnedMahalanobis, type LearnedMahalanobisOptions } from './learned-mahalanobis';
export { SNRDistance, type SNRDistanceOptions } from './snr-distance';
export { BatchedDistance, type BatchedDistanceOptions, type BatchedDistanceIterFn } from './batched-distance';
