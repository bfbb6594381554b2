// sl.train: the training loop and its progress report.
export { fit, type FitOptions, type History, type Batch, type SampledData } from './fit';
export { Progress, progressText, type StepInfo } from './progress';
