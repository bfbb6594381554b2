// sl.miners
export { BaseMiner } from './base-miner';
export { TripletMarginMiner, type TripletMarginMinerOptions, type TripletType } from './triplet-margin-miner';
export { BatchHardMiner, type BatchHardMinerOptions } from './batch-hard-miner';
export { PairMarginMiner, type PairMarginMinerOptions } from './pair-margin-miner';
