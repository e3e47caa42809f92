export { SGD, type SgdOptions } from './sgd';
export { Adam, AdamW, type AdamOptions } from './adam';
export { RMSprop, type RmspropOptions } from './rmsprop';
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamState, type Params } from './optimizer';
export * as lrScheduler from './scheduler';
