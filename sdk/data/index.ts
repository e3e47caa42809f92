export { classCount, selectRows, type Dataset, type DataSource } from './dataset';
export { parseCsv, readCsv } from './csv';
export { trainTestSplit, type SplitOptions } from './split';
export { StandardScaler, type ScalerJSON } from './scaler';
export { DataLoader, type DataLoaderOptions } from './loader';
export { TensorDataset, type Example } from './tensor_dataset';
export { ImageDataset, type ImageDatasetOptions } from './image_dataset';
export { ImageFolder, type ImageFolderOptions } from './image_folder';
