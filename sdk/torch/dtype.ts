import { bfloat16ToFloat, halfToFloat } from '../half-float';

/**
 * The tensor element types of PyTorch files, named by the storage classes their pickles reference
 * (`torch.FloatStorage` …), and how each is read into a tfjs dtype: floats widen or narrow to float32 (tfjs has no
 * float64, so float64 values are rounded to float32), integers become int32 (values must fit), bool stays bool.
 */
export type TorchDtype =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

export type TfjsDtype = 'float32' | 'int32' | 'bool';

export interface DtypeCodec {
  /** The storage class name in `torch` (`FloatStorage`). */
  readonly storage: string;
  /** Bytes per element. */
  readonly itemSize: number;
  readonly tfjs: TfjsDtype;
  /** The element at byte `at` of `view`. */
  readonly read: (view: DataView, at: number, littleEndian: boolean) => number;
}

export const CODECS: Record<TorchDtype, DtypeCodec> = {
  float32: { storage: 'FloatStorage', itemSize: 4, tfjs: 'float32', read: (v, at, le) => v.getFloat32(at, le) },
  float64: { storage: 'DoubleStorage', itemSize: 8, tfjs: 'float32', read: (v, at, le) => v.getFloat64(at, le) },
  float16: {
    storage: 'HalfStorage',
    itemSize: 2,
    tfjs: 'float32',
    read: (v, at, le) => halfToFloat(v.getUint16(at, le)),
  },
  bfloat16: {
    storage: 'BFloat16Storage',
    itemSize: 2,
    tfjs: 'float32',
    read: (v, at, le) => bfloat16ToFloat(v.getUint16(at, le)),
  },
  // Values beyond 2^53 lose precision here, but those are far outside int32 and get refused.
  int64: { storage: 'LongStorage', itemSize: 8, tfjs: 'int32', read: (v, at, le) => Number(v.getBigInt64(at, le)) },
  int32: { storage: 'IntStorage', itemSize: 4, tfjs: 'int32', read: (v, at, le) => v.getInt32(at, le) },
  int16: { storage: 'ShortStorage', itemSize: 2, tfjs: 'int32', read: (v, at, le) => v.getInt16(at, le) },
  int8: { storage: 'CharStorage', itemSize: 1, tfjs: 'int32', read: (v, at) => v.getInt8(at) },
  uint8: { storage: 'ByteStorage', itemSize: 1, tfjs: 'int32', read: (v, at) => v.getUint8(at) },
  // PyTorch bools are bytes 0 or 1; anything else is read as true, as PyTorch does.
  bool: { storage: 'BoolStorage', itemSize: 1, tfjs: 'bool', read: (v, at) => (v.getUint8(at) === 0 ? 0 : 1) },
};

/** The dtype of the storage class `torch.<name>`, or undefined for one edgeml cannot read (complex, quantised…). */
export function dtypeOfStorage(name: string): TorchDtype | undefined {
  return (Object.keys(CODECS) as TorchDtype[]).find((dtype) => CODECS[dtype].storage === name);
}
