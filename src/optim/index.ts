// sl.optim: torch.optim's update rules, one wasm kernel call per parameter tensor.
export { Optimizer } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, type AdamOptions } from './adam';
export { AdamW } from './adamw';
export { LBFGS, type LBFGSOptions } from './lbfgs';
