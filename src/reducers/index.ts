// sl.reducers: PML's reducers over the loss dictionary of computeLoss()
export { BaseReducer, type Reducer, type LossDict, type LossEntry, type ReductionType } from './base-reducer';
export { zeroLosses, zeroLossEntry, elementEntry } from './loss-dict';
export { MeanReducer } from './mean-reducer';
export { SumReducer } from './sum-reducer';
export { ThresholdReducer, type ThresholdReducerOptions } from './threshold-reducer';
export { AvgNonZeroReducer } from './avg-non-zero-reducer';
export { ClassWeightedReducer, type ClassWeightedReducerOptions } from './class-weighted-reducer';
export { DivisorReducer } from './divisor-reducer';
export { DoNothingReducer } from './do-nothing-reducer';
export { MultipleReducers, type MultipleReducersOptions } from './multiple-reducers';
export { PerAnchorReducer, type PerAnchorReducerOptions, type AggregationFunc } from './per-anchor-reducer';
