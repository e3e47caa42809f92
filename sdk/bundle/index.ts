export { save, type SaveOptions } from './save';
export { load } from './load';
export { publish, type PublishOptions, type Published } from './publish';
export { Bundle, fromBytes, type Prediction } from './bundle';
export { exportBundle, type ExportOptions, type ExportedBundle } from './export';
export { imageToInput } from './image-input';
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  parseManifest,
  type Manifest,
  type ManifestV1,
  type ManifestV2,
  type Task,
} from './format';
export { modelInput, IMAGE_PREPROCESSING, type ImageInput, type ImagePreprocessing, type ModelInput, type TabularInput } from './input';
export { decodeSafetensors, encodeSafetensors, type WeightsDtype } from './safetensors';
export { OPSET_VERSION, type Graph, type GraphNode, type GraphValue } from '../graph/format';
