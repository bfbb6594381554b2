// sl.miners
export { BaseMiner } from './base-miner';
export { TripletMarginMiner, type TripletMarginMinerOptions, type TripletType } from './triplet-margin-miner';
export { BatchHardMiner, type BatchHardMinerOptions } from './batch-hard-miner';
export { PairMarginMiner, type PairMarginMinerOptions } from './pair-margin-miner';
export { AngularMiner, type AngularMinerOptions } from './angular-miner';
export { BatchEasyHardMiner, type BatchEasyHardMinerOptions, type BatchMiningStrategy } from './batch-easy-hard-miner';
export { DistanceWeightedMiner, type DistanceWeightedMinerOptions } from './distance-weighted-miner';
export { EmbeddingsAlreadyPackagedAsTriplets } from './embeddings-already-packaged-as-triplets';
export { HDCMiner, type HDCMinerOptions } from './hdc-miner';
export { MultiSimilarityMiner, type MultiSimilarityMinerOptions } from './multi-similarity-miner';
export { UniformHistogramMiner, type UniformHistogramMinerOptions } from './uniform-histogram-miner';
