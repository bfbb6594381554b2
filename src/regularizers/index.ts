// sl.regularizers: PML's regularizers (embedding regularizers for a loss's embeddingRegularizer
// option; weight regularizers for the classification losses)
export { BaseRegularizer, type BaseRegularizerOptions } from './base-regularizer';
export { LpRegularizer, type LpRegularizerOptions } from './lp-regularizer';
export { ZeroMeanRegularizer } from './zero-mean-regularizer';
export { CenterInvariantRegularizer } from './center-invariant-regularizer';
export { RegularFaceRegularizer } from './regular-face-regularizer';
export { SparseCentersRegularizer, type SparseCentersRegularizerOptions } from './sparse-centers-regularizer';
