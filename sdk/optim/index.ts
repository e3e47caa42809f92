export { sgd, type SgdOptions } from './sgd';
export { adam, type AdamOptions } from './adam';
export type { Optimizer } from './optimizer';
export { cosineAnnealingLR, type Scheduler } from './scheduler';
