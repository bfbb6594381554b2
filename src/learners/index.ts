// sl.learners: metric-learn 0.7's Mahalanobis learners (same class names without
// underscores, options camelCase with its defaults).
export { MahalanobisLearner, PairsLearner, TupleLearner } from './base';
export { Covariance } from './covariance';
export { LFDA, type LFDAOptions } from './lfda';
export { RCA, RCASupervised, type RCAOptions, type RCASupervisedOptions } from './rca';
