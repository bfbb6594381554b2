// sl.utils: pytorch-metric-learning's inference helpers.
export { InferenceModel, MatchFinder, type InferenceModelOptions, type MatchFinderOptions, type Embedder } from './inference';
