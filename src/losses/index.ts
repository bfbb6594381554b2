// sl.losses
export { BaseMetricLossFunction, BASE_LOSS_OPTIONS, type BaseLossOptions, type LossInputs, type LossStats, type Regularizer } from './base-metric-loss-function';
export { BaseMetricLossFunction as BaseMetricLoss } from './base-metric-loss-function';
export type { Distance } from '../tuples/checks';
export { ContrastiveLoss, type ContrastiveLossOptions } from './contrastive-loss';
export { TripletMarginLoss, type TripletMarginLossOptions } from './triplet-margin-loss';
export { SimilarityRegressionLoss, type SimilarityRegressionLossOptions } from './similarity-regression-loss';
export { PairClassificationLoss, type PairClassificationLossOptions } from './pair-classification-loss';
export { NTXentLoss, type NTXentLossOptions } from './ntxent-loss';
export { MultiSimilarityLoss, type MultiSimilarityLossOptions } from './multi-similarity-loss';
export { GeneralizedLiftedStructureLoss, type GeneralizedLiftedStructureLossOptions } from './generalized-lifted-structure-loss';
export type { Labels, Tuples } from '../tuples/batch';
