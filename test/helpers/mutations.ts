import fc from 'fast-check';

/** Mutations of real bytes: flip bytes, truncate, splice in random bytes. */
export function mutatedBytes(original: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flip = fc
    .array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      const copy = original.slice();
      for (const [at, value] of edits) copy[at] = value;
      return copy;
    });
  const truncate = fc.nat(original.length).map((end) => original.slice(0, end));
  const splice = fc
    .tuple(fc.nat(original.length), fc.uint8Array({ maxLength: 64 }))
    .map(([at, bytes]) => Uint8Array.from([...original.slice(0, at), ...bytes, ...original.slice(at)]));
  return fc.oneof(flip, truncate, splice);
}
