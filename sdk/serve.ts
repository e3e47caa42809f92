/**
 * edgeml's serving entry (`edgeml/serve`): what a server needs to run bundles and the image ops, in any runtime,
 * workerd included. Unlike the main entry it imports nothing from Node, awaits nothing at load and registers no
 * training machinery; the caller starts a tfjs backend first and hands the JPEG decoder its compiled WebAssembly
 * module (initJpegDecoder; the Worker does both in worker/wasm.ts). Named exports only, so a bundler keeps just what
 * the server uses.
 */
export { Bundle, fromBytes, type Prediction } from './bundle/bundle';
export { BUNDLE_FORMAT, BUNDLE_VERSION, MODEL_NAME, parseManifest, type Manifest, type ManifestV1, type ManifestV2, type Task } from './bundle/format';
export { imageShape, modelInput, type ImageInput, type ModelInput, type TabularInput } from './bundle/input';
export { imageToInput } from './bundle/image-input';
export { OPSET_VERSION } from './graph/format';
export { conv2d, conv2dCost, type Conv2dOptions, type Conv2dPadding } from './functional/conv';
export { avgPool2d, maxPool2d, pool2dCost, type AvgPool2dOptions, type Pool2dOptions } from './functional/pool';
export { elementCount, outputSize, type IntOrPair, type OpCost } from './functional/window';
export { decodeImage, encodePng, imageInfo, initJpegDecoder, JPEG_DECODER_WASM, type ImageInfo } from './image/codec';
export type { Image } from './image/image';
export { batch, toTensor } from './image/layout';
export { renderFeatureMaps } from './image/featuremap';
export { ArgumentError, BundleError, EdgeMLError, ImageError, InputError } from './errors';
export { mnistPixels, preprocessMnist, MNIST_BOX, MNIST_SIZE } from './image/mnist';
