/**
 * Every error edgeml raises on bad input is an EdgeMLError with a stable `code`, so callers (the CLI, the Worker)
 * can map it to an exit status or an HTTP status without parsing messages.
 */
export class EdgeMLError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A CSV file that cannot be read as a numeric table. `line` is 1-based and counts the header. */
export class CsvError extends EdgeMLError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super('invalid_csv', message, { file, line, column });
  }
}

/** A bundle that is missing, corrupt, or of a format this version cannot read. */
export class BundleError extends EdgeMLError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_bundle', message, details);
  }
}

/**
 * A model that bundle.save cannot export as a graph: its forward uses an op the graph's op set lacks, reads tensor
 * values (control flow that depends on the data), or gives a graph that does not reproduce it. `details.op` names the
 * op and `details.module` the module (its state-dict prefix, '' for the model itself) where it happened.
 */
export class TraceError extends EdgeMLError {
  constructor(message: string, details?: { op?: string; module?: string; [key: string]: unknown }) {
    super('untraceable_model', message, details);
  }
}

/** Values given for prediction or transformation that do not fit the model. `index` is the offending instance. */
export class InputError extends EdgeMLError {
  constructor(message: string, details?: { index?: number; field?: string | number; [key: string]: unknown }) {
    super('invalid_input', message, details);
  }
}

/** An argument outside what an operation accepts (a shape mismatch, a kernel larger than its input, …). */
export class ArgumentError extends EdgeMLError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_argument', message, details);
  }
}

/**
 * A bundle the Worker's model registry did not take: the Worker could not be reached, refused the admin token, or
 * refused the bundle. `details.url` is the Worker's; `details.status` (the HTTP status) and `details.code` (the
 * registry's error code) are there when it answered.
 */
export class PublishError extends EdgeMLError {
  constructor(message: string, details: { url: string; status?: number; code?: string; [key: string]: unknown }) {
    super('publish_failed', message, details);
  }
}

/**
 * - `unsupported_image`: not a PNG or JPEG, or a kind of JPEG the decoder lacks (lossless, arithmetic-coded, 12-bit);
 * - `corrupt_image`: truncated or damaged data, anything the decoders choke on;
 * - `image_too_large`: more pixels than the caller allows (checked from the header, before decoding).
 */
export type ImageErrorCode = 'unsupported_image' | 'corrupt_image' | 'image_too_large';

/** Image bytes that cannot be read. The decoders' own exceptions never escape: they become one of these. */
export class ImageError extends EdgeMLError {
  constructor(code: ImageErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/**
 * - `corrupt_torch_file`: not a zip, truncated, a checksum or size that does not match, a missing record, a
 *   malformed pickle;
 * - `unsupported_torch_file`: a well-formed file edgeml cannot read: the legacy (pre-1.6) format, compressed
 *   entries, a dtype or pickle opcode it lacks, an int64 value beyond int32;
 * - `unsafe_torch_file`: a pickle naming a global outside the state-dict allowlist (PyTorch would run it);
 * - `not_a_state_dict`: a readable file holding something else: a whole pickled model, a checkpoint dict, a tensor;
 * - `torch_file_not_found`: no file at the path given.
 */
export type TorchFileErrorCode =
  | 'corrupt_torch_file'
  | 'unsupported_torch_file'
  | 'unsafe_torch_file'
  | 'not_a_state_dict'
  | 'torch_file_not_found';

/** A PyTorch `.pth` file that torch.load cannot turn into a state dict. Nothing in such a file is ever run. */
export class TorchFileError extends EdgeMLError {
  declare readonly code: TorchFileErrorCode;

  constructor(code: TorchFileErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
