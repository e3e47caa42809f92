export { classCount, selectRows, type Dataset, type DataSource } from './dataset';
export { parseCsv, readCsv } from './csv';
export { trainTestSplit, type SplitOptions } from './split';
export { StandardScaler, type ScalerJSON } from './scaler';
export { DataLoader, type Batch, type DataLoaderOptions } from './loader';
