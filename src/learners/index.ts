// sl.learners: metric-learn 0.7's Mahalanobis learners (same class names without
// underscores, options camelCase with its defaults).
export { MahalanobisLearner, PairsLearner, TupleLearner } from './base';
export { Covariance } from './covariance';
export { LFDA, type LFDAOptions } from './lfda';
export { RCA, RCASupervised, type RCAOptions, type RCASupervisedOptions } from './rca';
export { NCA, type NCAOptions } from './nca';
export { MLKR, type MLKROptions } from './mlkr';
export { LMNN, type LMNNOptions } from './lmnn';
export { ITML, ITMLSupervised, type ITMLOptions, type ITMLSupervisedOptions } from './itml';
export { MMC, MMCSupervised, type MMCOptions, type MMCSupervisedOptions } from './mmc';
export { SDML, SDMLSupervised, type SDMLOptions, type SDMLSupervisedOptions } from './sdml';
export { LSML, LSMLSupervised, type LSMLOptions, type LSMLSupervisedOptions } from './lsml';
export { SCML, SCMLSupervised, type SCMLOptions, type SCMLSupervisedOptions } from './scml';
export { positiveNegativePairs, chunksFromLabels, knnTriplets } from './constraints';
