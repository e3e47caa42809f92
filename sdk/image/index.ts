export {
  decodeImage,
  encodePng,
  imageInfo,
  DEFAULT_MAX_PIXELS,
  type DecodeOptions,
  type ImageFormat,
  type ImageInfo,
} from './codec';
export { ImageError, type ImageErrorCode } from '../errors';
export type { Image } from './image';
export { batch, chwToHwc, fromTensor, hwcToChw, solid, toTensor, type ToTensorOptions } from './layout';
export { renderFeatureMaps, type FeatureMapOptions } from './featuremap';
export { readImage, writePng } from './file';
export * as transforms from './transforms';
export { mnistPixels, preprocessMnist, MNIST_BOX, MNIST_SIZE } from './mnist';
