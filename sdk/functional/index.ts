// The ops a forward calls come traceable (graph/functional.ts): bundle.save records them as graph ops.
export { linear, relu, sigmoid, softmax, logSoftmax, dropout, batchNorm, conv2d, maxPool2d, avgPool2d } from '../graph/functional';
export { crossEntropy, nllLoss, type CrossEntropyOptions, type NLLLossOptions, type ClassIndices } from './loss';
export { mseLoss, l1Loss } from './loss_regression';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, type BCELossOptions, type BCEWithLogitsLossOptions } from './loss_binary';
export { type Reduction, type ReductionOptions } from './reduction';
export { l1Penalty, l2Penalty } from './penalty';
export { type BatchNormOptions } from './batchnorm';
export { type Conv2dOptions, type Conv2dPadding } from './conv';
export { type Pool2dOptions, type AvgPool2dOptions } from './pool';
export { outputSize, type OutputSizeOptions, type IntOrPair } from './window';
