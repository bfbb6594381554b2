// sl.samplers: pytorch-metric-learning's samplers, one options object each (PML's names and defaults).
export { IndexSampler } from './index-sampler';
export { MPerClassSampler, type MPerClassSamplerOptions } from './m-per-class-sampler';
export { HierarchicalSampler, type HierarchicalSamplerOptions } from './hierarchical-sampler';
export { FixedSetOfTriplets, type FixedSetOfTripletsOptions } from './fixed-set-of-triplets';
export { TuplesToWeightsSampler, type TuplesToWeightsSamplerOptions, type EmbeddingModel, type TupleMiner } from './tuples-to-weights-sampler';
