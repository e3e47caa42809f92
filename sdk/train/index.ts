export { step, type Batch, type StepOptions } from './step';
export { fit, type FitOptions, type EpochRecord, type EarlyStopping, type History } from './fit';
export { evaluate, type Evaluation } from './evaluate';
export { classificationMetrics, type ClassificationMetrics, type ClassMetrics } from './metrics';
export { classScores, argmaxRows, type ClassScores } from '../inference/scores';
