export { linear } from './linear';
export { relu, sigmoid } from './activation';
export { crossEntropy } from './loss';
export { l1Penalty, l2Penalty } from './penalty';
export { dropout } from './dropout';
export { batchNorm, type BatchNormOptions } from './batchnorm';
export { conv2d, type Conv2dOptions, type Conv2dPadding } from './conv';
export { maxPool2d, avgPool2d, type Pool2dOptions, type AvgPool2dOptions } from './pool';
export { outputSize, type OutputSizeOptions, type IntOrPair } from './window';
