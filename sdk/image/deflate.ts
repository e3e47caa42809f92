/**
 * The zlib stream (RFC 1950) of a PNG's filtered rows, deflated (RFC 1951) as zlib's Z_RLE strategy does: each byte
 * is a literal or part of a run of the byte before it (a match at distance 1), and each block gets Huffman codes made
 * for its own counts. Up-filtered feature maps are mostly small differences and runs of them, where fflate's level 1
 * match search finds less than these codes save: on the maps of a 640×427 photo (one Sobel map; five maps in a grid)
 * 92 KB and 513 KB against fflate's 106 KB and 582 KB, in under a third of its time, and near zlib's own Z_RLE in
 * native code: 2.5 ms against its 2.1 ms for the Sobel map's 323 KB of rows (fflate 7.9 ms; 2-core AMD EPYC,
 * Node 20.20.2, same process, as the figures below). Each block takes two passes, since its codes come from its
 * counts: the bytes to counted tokens, then the tokens to bits.
 */

/** Input bytes per block: each block has its own codes, so a picture's parts (tiles, background) get theirs. */
const BLOCK = 65535;
/** Deflate's longest match. */
const MAX_RUN = 258;
/** Literal/length codes, distance codes and code-length codes are at most this long (RFC 1951, 3.2.7). */
const MAX_BITS = 15;
const MAX_CODE_LENGTH_BITS = 7;
const END_OF_BLOCK = 256;
const LITERAL_LENGTH_SYMBOLS = 286;
/**
 * Every run is at distance 1 (distance code 0); a second distance code of the same length makes the code complete,
 * so each run ends with the single zero bit of code 0.
 */
const DISTANCE_LENGTHS = Uint8Array.of(1, 1);

/** Length codes 257–285: the shortest length of each and its count of extra bits. */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** The order in which a dynamic block's header lists the code-length code's lengths. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
/** Extra bits of the code-length symbols 16 (repeat), 17 and 18 (zeros). */
const CODE_LENGTH_EXTRA = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7);

/** Per run length 3–258: its length code (0–28, i.e. symbol 257 + code). */
const LENGTH_CODE = (() => {
  const codes = new Uint8Array(MAX_RUN + 1);
  LENGTH_BASE.forEach((base, code) => codes.fill(code, base, LENGTH_BASE[code + 1] ?? MAX_RUN + 1));
  return codes;
})();

/** zlib's stream of `data`: header (deflate, 32 KiB window, fastest), the blocks, and the Adler-32 of `data`. */
export function zlibRle(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / BLOCK));
  // A block is never longer than stored (its bytes, 5 bytes of header, and up to a byte of padding before it).
  const out = new BitWriter(2 + data.length + 6 * blocks + 4);
  out.bytes(0x78, 0x01);
  for (let start = 0; start < data.length || start === 0; start += BLOCK) {
    writeBlock(out, data, start, Math.min(data.length, start + BLOCK), start + BLOCK >= data.length);
  }
  out.align();
  const checksum = adler32(data);
  out.bytes(checksum >>> 24, (checksum >>> 16) & 0xff, (checksum >>> 8) & 0xff, checksum & 0xff);
  return out.result();
}

/**
 * One block of `data[start, end)`: its literals and runs found and counted, then written with dynamic Huffman codes,
 * or the block stored when that would be shorter (data without runs or skew).
 */
function writeBlock(out: BitWriter, data: Uint8Array, start: number, end: number, last: boolean): void {
  const { tokens, count, counts } = tokenise(data, start, end);
  const literalLengths = codeLengths(counts, MAX_BITS);
  const header = dynamicHeader(literalLengths);
  let bits = 3 + header.bits;
  for (let symbol = 0; symbol < LITERAL_LENGTH_SYMBOLS; symbol++) {
    const extra = symbol > END_OF_BLOCK ? LENGTH_EXTRA[symbol - 257] + DISTANCE_LENGTHS[0] : 0;
    bits += counts[symbol] * (literalLengths[symbol] + extra);
  }
  if (bits > 3 + 7 + 32 + 8 * (end - start)) return writeStored(out, data.subarray(start, end), last);
  out.bits(last ? 1 : 0, 1);
  out.bits(2, 2); // dynamic Huffman codes
  header.write(out);
  out.tokens(tokens.subarray(0, count), tokenCodes(canonicalCodes(literalLengths), literalLengths));
}

/**
 * The block as tokens: a literal byte (0–255) or 256 + a run's length (259–514), a run being three or more bytes
 * equal to the one before them (up to 258); the last token is the end of block (256). `counts` are the
 * literal/length symbols' counts. The window spans blocks: a run may continue the previous block's bytes.
 */
function tokenise(data: Uint8Array, start: number, end: number): { tokens: Uint16Array; count: number; counts: Uint32Array } {
  const tokens = new Uint16Array(end - start + 1);
  const counts = new Uint32Array(LITERAL_LENGTH_SYMBOLS);
  let count = 0;
  let previous = start > 0 ? data[start - 1] : -1;
  // Where three bytes can still be read; the last two bytes of the data cannot start a run.
  const readable = Math.min(end, data.length - 2);
  let i = start;
  while (i < readable) {
    const byte = data[i];
    // One branch for "a run starts here" rather than one per byte compared: on a Sobel map's rows many bytes repeat
    // once or twice, and each of those branches was mispredicted (tokenising 1.05 ms against 1.25 ms; in the Worker
    // the two take the same time).
    if (((byte ^ previous) | (data[i + 1] ^ byte) | (data[i + 2] ^ byte)) === 0 && i + 2 < end) {
      const limit = Math.min(end, i + MAX_RUN);
      let next = i + 3;
      while (next < limit && data[next] === byte) next++;
      counts[257 + LENGTH_CODE[next - i]]++;
      tokens[count++] = 256 + next - i;
      i = next;
    } else {
      counts[byte]++;
      tokens[count++] = byte;
      previous = byte;
      i++;
    }
  }
  for (; i < end; i++) {
    counts[data[i]]++;
    tokens[count++] = data[i];
  }
  counts[END_OF_BLOCK] = 1;
  tokens[count++] = END_OF_BLOCK;
  return { tokens, count, counts };
}

/**
 * Per token (see tokenise) all its bits and their count: a literal's or the end of block's code; a run's length code,
 * extra bits and distance code 0, at most 15 + 5 + 1 bits.
 */
function tokenCodes(codes: Uint16Array, lengths: Uint8Array): { bits: Int32Array; lengths: Uint8Array } {
  const tokenBits = new Int32Array(256 + MAX_RUN + 1);
  const tokenLengths = new Uint8Array(256 + MAX_RUN + 1);
  tokenBits.set(codes.subarray(0, END_OF_BLOCK + 1));
  tokenLengths.set(lengths.subarray(0, END_OF_BLOCK + 1));
  for (let run = 3; run <= MAX_RUN; run++) {
    const code = LENGTH_CODE[run];
    const length = lengths[257 + code];
    tokenBits[256 + run] = codes[257 + code] | ((run - LENGTH_BASE[code]) << length); // then the distance code's 0
    tokenLengths[256 + run] = length + LENGTH_EXTRA[code] + DISTANCE_LENGTHS[0];
  }
  return { bits: tokenBits, lengths: tokenLengths };
}

function writeStored(out: BitWriter, bytes: Uint8Array, last: boolean): void {
  out.bits(last ? 1 : 0, 1);
  out.bits(0, 2);
  out.align();
  out.bytes(bytes.length & 0xff, bytes.length >>> 8, ~bytes.length & 0xff, (~bytes.length >>> 8) & 0xff);
  out.copy(bytes);
}

/**
 * A dynamic block's header after its type bits: the code counts, the code-length code, and the literal/length and
 * distance code lengths in it, with runs of zeros (17, 18) and repeats (16) shortened; `bits` is its size.
 */
function dynamicHeader(literalLengths: Uint8Array): { bits: number; write(out: BitWriter): void } {
  let literals = LITERAL_LENGTH_SYMBOLS;
  while (literals > 257 && literalLengths[literals - 1] === 0) literals--;
  const lengths = new Uint8Array(literals + DISTANCE_LENGTHS.length);
  lengths.set(literalLengths.subarray(0, literals));
  lengths.set(DISTANCE_LENGTHS, literals);
  const { symbols, extras, count } = codeLengthSymbols(lengths);
  const counts = new Uint32Array(19);
  for (let i = 0; i < count; i++) counts[symbols[i]]++;
  const codeLengthLengths = codeLengths(counts, MAX_CODE_LENGTH_BITS);
  const codeLengthCodes = canonicalCodes(codeLengthLengths);
  let listed = 19;
  while (listed > 4 && codeLengthLengths[CODE_LENGTH_ORDER[listed - 1]] === 0) listed--;
  let bits = 5 + 5 + 4 + 3 * listed;
  for (let i = 0; i < count; i++) bits += codeLengthLengths[symbols[i]] + CODE_LENGTH_EXTRA[symbols[i]];
  return {
    bits,
    write(out) {
      out.bits(literals - 257, 5);
      out.bits(DISTANCE_LENGTHS.length - 1, 5);
      out.bits(listed - 4, 4);
      for (let i = 0; i < listed; i++) out.bits(codeLengthLengths[CODE_LENGTH_ORDER[i]], 3);
      for (let i = 0; i < count; i++) {
        const symbol = symbols[i];
        out.bits(codeLengthCodes[symbol], codeLengthLengths[symbol]);
        if (symbol >= 16) out.bits(extras[i], CODE_LENGTH_EXTRA[symbol]);
      }
    },
  };
}

/** Code lengths as the code-length alphabet spells them: each symbol (0–18) and its extra bits' value. */
function codeLengthSymbols(lengths: Uint8Array): { symbols: Uint8Array; extras: Uint8Array; count: number } {
  const symbols = new Uint8Array(lengths.length);
  const extras = new Uint8Array(lengths.length);
  let count = 0;
  const push = (symbol: number, extra: number) => {
    symbols[count] = symbol;
    extras[count++] = extra;
  };
  for (let i = 0; i < lengths.length; ) {
    const value = lengths[i];
    let run = 1;
    while (i + run < lengths.length && lengths[i + run] === value) run++;
    i += run;
    if (value === 0) {
      for (; run >= 11; run -= Math.min(run, 138)) push(18, Math.min(run, 138) - 11);
      if (run >= 3) push(17, run - 3);
      else for (; run > 0; run--) push(0, 0);
      continue;
    }
    push(value, 0);
    for (run--; run >= 3; run -= Math.min(run, 6)) push(16, Math.min(run, 6) - 3);
    for (; run > 0; run--) push(value, 0);
  }
  return { symbols, extras, count };
}

/**
 * Huffman code lengths for symbol counts, none longer than `maxBits`. When the optimal code is too deep the counts
 * are flattened (halved, keeping every used symbol at least 1) and the code rebuilt: a little longer output for the
 * rare skewed block, in a few lines. At least two symbols get a code, so that the code is complete.
 */
export function codeLengths(counts: Uint32Array, maxBits: number): Uint8Array {
  // Each used symbol as weight · 1024 + symbol: the typed array's numeric sort orders by weight, ties by symbol.
  const leaves: number[] = [];
  for (let symbol = 0; symbol < counts.length; symbol++) if (counts[symbol] > 0) leaves.push(counts[symbol] * 1024 + symbol);
  for (let symbol = 0; leaves.length < 2; symbol++) if (counts[symbol] === 0) leaves.push(1024 + symbol);
  const sorted = Float64Array.from(leaves).sort();
  for (;;) {
    const lengths = huffmanLengths(sorted, counts.length);
    if (lengths.reduce((longest, length) => Math.max(longest, length)) <= maxBits) return lengths;
    for (let i = 0; i < sorted.length; i++) sorted[i] = (((sorted[i] / 1024) >> 1) | 1) * 1024 + (sorted[i] % 1024);
    sorted.sort();
  }
}

/**
 * The depth of each symbol in a Huffman tree of the sorted leaves (weight · 1024 + symbol): the two-queue
 * construction, where the inner nodes are made in order of weight.
 */
function huffmanLengths(leaves: Float64Array, size: number): Uint8Array {
  const nodes = 2 * leaves.length - 1;
  const weight = new Float64Array(nodes);
  for (let leaf = 0; leaf < leaves.length; leaf++) weight[leaf] = Math.floor(leaves[leaf] / 1024);
  const parent = new Int32Array(nodes);
  let [leaf, inner] = [0, leaves.length];
  for (let made = leaves.length; made < nodes; made++) {
    for (let child = 0; child < 2; child++) {
      const lighter = leaf < leaves.length && (inner >= made || weight[leaf] <= weight[inner]) ? leaf++ : inner++;
      parent[lighter] = made;
      weight[made] += weight[lighter];
    }
  }
  const depth = new Uint8Array(nodes);
  for (let node = nodes - 2; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
  const lengths = new Uint8Array(size);
  for (let leaf = 0; leaf < leaves.length; leaf++) lengths[leaves[leaf] % 1024] = depth[leaf];
  return lengths;
}

/** Canonical Huffman codes (RFC 1951, 3.2.2) for `lengths`, bit-reversed: deflate sends codes from their top bit. */
function canonicalCodes(lengths: Uint8Array): Uint16Array {
  const perLength = new Uint16Array(MAX_BITS + 1);
  for (let symbol = 0; symbol < lengths.length; symbol++) perLength[lengths[symbol]]++;
  perLength[0] = 0;
  const next = new Uint16Array(MAX_BITS + 2);
  for (let bits = 1; bits <= MAX_BITS; bits++) next[bits + 1] = (next[bits] + perLength[bits]) << 1;
  const codes = new Uint16Array(lengths.length);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const length = lengths[symbol];
    if (length === 0) continue;
    let code = next[length]++;
    let reversed = 0;
    for (let b = 0; b < length; b++, code >>= 1) reversed = (reversed << 1) | (code & 1);
    codes[symbol] = reversed;
  }
  return codes;
}

/**
 * Bytes between reductions of Adler-32's sums: the most after which b (from below 65 521, all bytes 255) is still
 * below 2³⁰, V8's small-integer range. zlib's 5 552 keeps b within 32 bits; before the JIT has compiled this, a
 * larger b is allocated as a number at every step (323 KB in a fresh Node process: 2.0–2.5 ms against 3.8–5.0 ms).
 */
const ADLER_RUN = 2600;

/**
 * zlib's Adler-32: sums reduced every ADLER_RUN bytes, and four bytes a step (b gains 4a and the bytes weighted 4,
 * 3, 2, 1), which shortens the chain of dependent additions: 0.20 ms against 0.31 ms for 323 KB (2-core AMD EPYC,
 * Node 20.20.2), in the Worker 0.29 ms against 0.56 ms.
 */
function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let start = 0; start < data.length; start += ADLER_RUN) {
    const end = Math.min(data.length, start + ADLER_RUN);
    let i = start;
    for (const whole = end - 3; i < whole; i += 4) {
      const d0 = data[i]; // separate declarations: see upFiltered in png-encode.ts
      const d1 = data[i + 1];
      const d2 = data[i + 2];
      const d3 = data[i + 3];
      b += 4 * a + 4 * d0 + 3 * d1 + 2 * d2 + d3;
      a += d0 + d1 + d2 + d3;
    }
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Bits packed from the lowest up, as deflate orders them, into a buffer of known size. */
class BitWriter {
  private readonly buffer: Uint8Array;
  private at = 0;
  private pending = 0;
  private pendingBits = 0;

  constructor(size: number) {
    this.buffer = new Uint8Array(size);
  }

  /** The low `count` bits of `value` (at most 16). */
  bits(value: number, count: number): void {
    this.pending |= value << this.pendingBits;
    this.pendingBits += count;
    while (this.pendingBits >= 8) {
      this.buffer[this.at++] = this.pending & 0xff;
      this.pending >>= 8; // < 2²⁴: never negative, and kept a small integer (>>> would make it a heap number)
      this.pendingBits -= 8;
    }
  }

  /**
   * `tokens` with the bits and bit counts given per token (up to 21 bits each). The hot loop of encoding, without
   * branches: the bit buffer is kept in locals, below 8 bits between tokens, and three bytes are stored after each
   * token but only the whole ones kept (the buffer always has room: the stream ends with 4 bytes of Adler-32). The
   * Sobel map's 186 000 tokens in 0.73 ms, against 0.85 ms with a branch that writes 16 bits when there are.
   */
  tokens(tokens: Uint16Array, { bits, lengths }: { bits: Int32Array; lengths: Uint8Array }): void {
    const buffer = this.buffer;
    let [at, pending, pendingBits] = [this.at, this.pending, this.pendingBits];
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t];
      pending |= bits[token] << pendingBits; // < 8 + 21 bits
      pendingBits += lengths[token];
      buffer[at] = pending;
      buffer[at + 1] = pending >> 8;
      buffer[at + 2] = pending >> 16;
      const whole = pendingBits >> 3;
      at += whole;
      pending >>= whole << 3;
      pendingBits &= 7;
    }
    [this.at, this.pending, this.pendingBits] = [at, pending, pendingBits];
  }

  /** Pads to a whole byte with zero bits. */
  align(): void {
    if (this.pendingBits > 0) this.bits(0, 8 - this.pendingBits);
  }

  /** Whole bytes, after align(). */
  bytes(...values: number[]): void {
    for (const value of values) this.buffer[this.at++] = value;
  }

  copy(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.at);
  }
}

