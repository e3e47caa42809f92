// The parameters of the image routes, as JSON body fields and as query strings (the image form), with their zod
// schemas (validation and the OpenAPI document) and the conversion of query strings to the SDK's option values.
import { z } from '@hono/zod-openapi';
import type { Conv2dPadding, IntOrPair } from '../../sdk/serve';
import { KERNEL_NAMES, type KernelName } from './kernels';

/** Bound on every integer parameter (stride, padding, dilation, kernel_size): beyond it tfjs's int32 maths breaks. */
export const MAX_PARAMETER = 65535;

const PADDING_MODES = ['valid', 'same', 'full'] as const;

// ---- JSON bodies ----

const Int = z.number().int().min(-MAX_PARAMETER).max(MAX_PARAMETER);

/** `n` or `[h, w]`; the SDK checks the range (positive strides, …) and says which argument is wrong. */
export const intOrPair = (name: string) =>
  z.union([Int, z.tuple([Int, Int])], {
    error: `${name} must be an integer or a pair [h, w] of integers, each within ±${MAX_PARAMETER}`,
  });

export const conv2dPadding = z.union([Int, z.tuple([Int, Int]), z.enum(PADDING_MODES)], {
  error:
    `padding must be an integer, a pair [ph, pw] of integers within ±${MAX_PARAMETER}, ` +
    'or "valid", "same" or "full"',
});

export const Tensor = z
  .strictObject({
    shape: z
      .array(z.number().int().min(1, { error: 'every size in a shape must be a positive integer' }))
      .refine((shape) => shape.length <= 4, { error: 'a shape has at most 4 dimensions' })
      .openapi({ description: 'sizes, PyTorch order (NCHW); at most 4', example: [1, 1, 4, 4] }),
    data: z.array(z.number()).openapi({
      description: 'every value, flat in row-major (C) order: as torch.tensor(data).reshape(shape)',
      example: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    }),
  })
  .openapi('Tensor', { description: 'A float32 tensor; at most 4,194,304 elements (413 tensor_too_large).' });

export type TensorInput = z.infer<typeof Tensor>;

// ---- Query strings (the image form) ----

const INT = `-?\\d{1,5}`;
const INT_OR_PAIR = new RegExp(`^${INT}(,${INT})?$`);
const PADDING = new RegExp(`^(${INT}(,${INT})?|${PADDING_MODES.join('|')})$`);

/** The same bound as the JSON form's: the pattern admits five digits, which reach 99 999. */
const withinBound = (text: string) =>
  text.split(',').every((part) => !/^-?\d+$/.test(part) || Math.abs(Number(part)) <= MAX_PARAMETER);
const boundError = (name: string) => ({ error: `${name}: each integer must be within ±${MAX_PARAMETER}` });

const inQuery = <T extends z.ZodType>(schema: T, name: string, description: string, example: string) =>
  schema.optional().openapi({ param: { name, in: 'query' }, description, example });

export const intOrPairQuery = (name: string, description: string, example = '2') =>
  inQuery(
    z
      .string()
      .regex(INT_OR_PAIR, { error: `${name} must be an integer or two integers "h,w"` })
      .refine(withinBound, boundError(name)),
    name,
    `${description} An integer, or "h,w".`,
    example,
  );

export const paddingQuery = (description: string, modes: boolean) =>
  inQuery(
    z
      .string()
      .regex(modes ? PADDING : INT_OR_PAIR, {
        error: `padding must be an integer or two integers "ph,pw"${modes ? ', or valid, same or full' : ''}`,
      })
      .refine(withinBound, boundError('padding')),
    'padding',
    description,
    modes ? 'same' : '1',
  );

export const booleanQuery = (name: string, description: string) =>
  inQuery(z.enum(['true', 'false', '1', '0'], { error: `${name} must be true or false` }), name, description, 'true');

export const formatQuery = inQuery(
  z.enum(['png', 'json'], { error: 'format must be png or json' }),
  'format',
  'png (the default): a feature-map PNG; json: {"output": {"shape", "data"}}. JSON bodies are always answered in JSON.',
  'json',
);

export const layerQuery = inQuery(
  z.enum(['output', 'input'], { error: 'layer must be output or input' }),
  'layer',
  "output (the default): the model's transform of the image; input: the [1, C, H, W] tensor the model is given, " +
    "after the manifest's preprocessing (for a digits model, the 28×28 picture MNIST's preprocessing makes).",
  'input',
);

export const kernelQuery = inQuery(
  z.string().regex(new RegExp(`^(${KERNEL_NAMES.join('|')})(,(${KERNEL_NAMES.join('|')}))*$`), {
    error: `kernel must be one or more of ${KERNEL_NAMES.join(', ')}, separated by commas`,
  }),
  'kernel',
  `The named 3×3 kernel(s) to apply, comma-separated: ${KERNEL_NAMES.join(', ')}. ` +
    'Default: all of them, in that order.',
  'sobel_x,sobel_y',
);

/** "2" → 2, "2,1" → [2, 1]; the string passed its schema's pattern. */
export function parseIntOrPair(text: string | undefined): IntOrPair | undefined {
  if (text === undefined) return undefined;
  const [h, w] = text.split(',').map(Number);
  return w === undefined ? h : [h, w];
}

export function parsePadding(text: string | undefined): Conv2dPadding | undefined {
  return (PADDING_MODES as readonly string[]).includes(text ?? '') ? (text as Conv2dPadding) : parseIntOrPair(text);
}

export function parseBoolean(text: string | undefined): boolean | undefined {
  return text === undefined ? undefined : text === 'true' || text === '1';
}

export function parseKernels(text: string | undefined): KernelName[] {
  return text === undefined ? KERNEL_NAMES : (text.split(',') as KernelName[]);
}
