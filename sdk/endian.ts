/** Whether typed arrays hold multi-byte values least significant byte first, as every file format edgeml reads does. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
