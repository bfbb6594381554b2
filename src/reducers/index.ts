// sl.reducers
export type { Reducer } from './base-reducer';
export { MeanReducer } from './mean-reducer';
export { SumReducer } from './sum-reducer';
export { AvgNonZeroReducer } from './avg-non-zero-reducer';
