export { save, type SaveOptions } from './save';
export { load } from './load';
export { Bundle, fromBytes, type Prediction } from './bundle';
export { BUNDLE_FORMAT, BUNDLE_VERSION, parseManifest, type Manifest, type Task } from './format';
export { decodeSafetensors, encodeSafetensors } from './safetensors';
