// sl.losses
export { BaseMetricLoss, type Distance, type LossStats } from './base-metric-loss';
export { ContrastiveLoss, type ContrastiveLossOptions } from './contrastive-loss';
export { TripletMarginLoss, type TripletMarginLossOptions } from './triplet-margin-loss';
export { SimilarityRegressionLoss, type SimilarityRegressionLossOptions } from './similarity-regression-loss';
export { PairClassificationLoss, type PairClassificationLossOptions } from './pair-classification-loss';
export { NTXentLoss, type NTXentLossOptions } from './ntxent-loss';
export { MultiSimilarityLoss, type MultiSimilarityLossOptions } from './multi-similarity-loss';
export type { Labels, Tuples } from '../tuples/batch';
export { BaseMetricLossFunction, BASE_LOSS_OPTIONS, type BaseLossOptions, type LossInputs, type Regularizer } from './base-metric-loss-function';
export { GeneralizedLiftedStructureLoss, type GeneralizedLiftedStructureLossOptions } from './generalized-lifted-structure-loss';
export { NCALoss, type NCALossOptions } from './nca-loss';
export { NPairsLoss, type NPairsLossOptions } from './n-pairs-loss';
export { TupletMarginLoss, type TupletMarginLossOptions } from './tuplet-margin-loss';
export { IntraPairVarianceLoss, type IntraPairVarianceLossOptions } from './intra-pair-variance-loss';
export { SignalToNoiseRatioContrastiveLoss, type SignalToNoiseRatioContrastiveLossOptions } from './signal-to-noise-ratio-contrastive-loss';
export { MarginLoss, type MarginLossOptions } from './margin-loss';
export { RankedListLoss, type RankedListLossOptions } from './ranked-list-loss';
export { InstanceLoss, type InstanceLossOptions } from './instance-loss';
