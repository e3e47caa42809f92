/**
 * The zlib stream (RFC 1950) of a PNG's filtered rows, deflated (RFC 1951) as zlib's Z_RLE strategy does: each byte
 * is a literal or part of a run of the byte before it (a match at distance 1), and each block gets Huffman codes made
 * for its own counts. Up-filtered feature maps are mostly small differences and runs of them, where fflate's level 1
 * match search finds less than these codes save: on the maps of a 640×427 photo (one Sobel map; five maps in a grid)
 * 92 KB and 513 KB against fflate's 106 KB and 582 KB, in 35–55 % of its time (Node, same process).
 */

/** Input bytes per block: each block has its own codes, so a picture's parts (tiles, background) get theirs. */
const BLOCK = 65535;
/** Deflate's longest match. */
const MAX_RUN = 258;
/** Literal/length codes, distance codes and code-length codes are at most this long (RFC 1951, 3.2.7). */
const MAX_BITS = 15;
const MAX_CODE_LENGTH_BITS = 7;
const END_OF_BLOCK = 256;

/** Length codes 257–285: the shortest length of each and its count of extra bits. */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** The order in which a dynamic block's header lists the code-length code's lengths. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

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
 * One block of `data[start, end)`: the literals and runs found, then written with dynamic Huffman codes, or stored
 * when that would be shorter (data without runs or skew).
 */
function writeBlock(out: BitWriter, data: Uint8Array, start: number, end: number, last: boolean): void {
  // A token is a literal byte (0–255) or 256 + a run's length (259–514).
  const tokens = new Uint16Array(end - start);
  const counts = new Uint32Array(286);
  let count = 0;
  for (let i = start; i < end; ) {
    const previous = i > 0 ? data[i - 1] : -1; // the window spans blocks: a run may continue the previous block
    let run = 0;
    const longest = Math.min(MAX_RUN, end - i);
    while (run < longest && data[i + run] === previous) run++;
    if (run >= 3) {
      tokens[count++] = 256 + run;
      counts[257 + LENGTH_CODE[run]]++;
      i += run;
    } else {
      tokens[count++] = data[i];
      counts[data[i]]++;
      i++;
    }
  }
  counts[END_OF_BLOCK] = 1;
  const literalLengths = codeLengths(counts, MAX_BITS);
  // Every run is at distance 1 (code 0); a second code of the same length makes the distance code complete.
  const distanceLengths = Uint8Array.of(1, 1);
  const header = dynamicHeader(literalLengths, distanceLengths);
  let bits = 3 + header.bits;
  for (let symbol = 0; symbol < 286; symbol++) {
    const extra = symbol > 256 ? LENGTH_EXTRA[symbol - 257] + distanceLengths[0] : 0;
    bits += counts[symbol] * (literalLengths[symbol] + extra);
  }
  if (bits > 3 + 7 + 32 + 8 * (end - start)) return writeStored(out, data.subarray(start, end), last);
  out.bits(last ? 1 : 0, 1);
  out.bits(2, 2); // dynamic Huffman codes
  header.write(out);
  const literalCodes = canonicalCodes(literalLengths);
  out.symbols(tokens.subarray(0, count), literalCodes, literalLengths, distanceLengths[0]);
  out.bits(literalCodes[END_OF_BLOCK], literalLengths[END_OF_BLOCK]);
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
function dynamicHeader(literalLengths: Uint8Array, distanceLengths: Uint8Array): { bits: number; write(out: BitWriter): void } {
  let literals = 286;
  while (literals > 257 && literalLengths[literals - 1] === 0) literals--;
  const lengths = [...literalLengths.subarray(0, literals), ...distanceLengths];
  // Each entry: a code-length symbol (0–18) and its extra bits' value.
  const symbols: [number, number][] = [];
  for (let i = 0; i < lengths.length; ) {
    const value = lengths[i];
    let run = 1;
    while (i + run < lengths.length && lengths[i + run] === value) run++;
    i += run;
    if (value === 0) {
      for (; run >= 11; run -= Math.min(run, 138)) symbols.push([18, Math.min(run, 138) - 11]);
      if (run >= 3) symbols.push([17, run - 3]);
      else for (; run > 0; run--) symbols.push([0, 0]);
      continue;
    }
    symbols.push([value, 0]);
    for (run--; run >= 3; run -= Math.min(run, 6)) symbols.push([16, Math.min(run, 6) - 3]);
    for (; run > 0; run--) symbols.push([value, 0]);
  }
  const counts = new Uint32Array(19);
  for (const [symbol] of symbols) counts[symbol]++;
  const codeLengthLengths = codeLengths(counts, MAX_CODE_LENGTH_BITS);
  const codeLengthCodes = canonicalCodes(codeLengthLengths);
  let listed = 19;
  while (listed > 4 && codeLengthLengths[CODE_LENGTH_ORDER[listed - 1]] === 0) listed--;
  const EXTRA_BITS: Record<number, number> = { 16: 2, 17: 3, 18: 7 };
  let bits = 5 + 5 + 4 + 3 * listed;
  for (const [symbol] of symbols) bits += codeLengthLengths[symbol] + (EXTRA_BITS[symbol] ?? 0);
  return {
    bits,
    write(out) {
      out.bits(literals - 257, 5);
      out.bits(distanceLengths.length - 1, 5);
      out.bits(listed - 4, 4);
      for (let i = 0; i < listed; i++) out.bits(codeLengthLengths[CODE_LENGTH_ORDER[i]], 3);
      for (const [symbol, extra] of symbols) {
        out.bits(codeLengthCodes[symbol], codeLengthLengths[symbol]);
        if (symbol >= 16) out.bits(extra, EXTRA_BITS[symbol]);
      }
    },
  };
}

/**
 * Huffman code lengths for symbol counts, none longer than `maxBits`. When the optimal code is too deep the counts
 * are flattened (halved, keeping every used symbol at least 1) and the code rebuilt: a little longer output for the
 * rare skewed block, in a few lines. At least two symbols get a code, so that the code is complete.
 */
export function codeLengths(counts: Uint32Array, maxBits: number): Uint8Array {
  const weights = Array.from(counts);
  const used = weights.flatMap((w, symbol) => (w > 0 ? [symbol] : []));
  for (let symbol = 0; used.length < 2; symbol++) if (!used.includes(symbol)) used.push(symbol);
  for (;;) {
    const lengths = huffmanLengths(used, used.map((symbol) => Math.max(1, weights[symbol])), counts.length);
    if (lengths.every((length) => length <= maxBits)) return lengths;
    for (const symbol of used) weights[symbol] = (weights[symbol] >> 1) | 1;
  }
}

/** The depth of each symbol in a Huffman tree of `weights` (two-queue construction over the sorted leaves). */
function huffmanLengths(symbols: number[], weights: number[], size: number): Uint8Array {
  const order = symbols.map((_, i) => i).sort((a, b) => weights[a] - weights[b]);
  const nodeWeight = [...order.map((i) => weights[i])];
  const parent = new Array<number>(2 * symbols.length - 1).fill(-1);
  let leaf = 0;
  let inner = symbols.length;
  const take = () =>
    leaf < symbols.length && (inner >= nodeWeight.length || nodeWeight[leaf] <= nodeWeight[inner]) ? leaf++ : inner++;
  while (nodeWeight.length < 2 * symbols.length - 1) {
    const [a, b] = [take(), take()];
    parent[a] = parent[b] = nodeWeight.length;
    nodeWeight.push(nodeWeight[a] + nodeWeight[b]);
  }
  const depth = new Array<number>(nodeWeight.length).fill(0);
  for (let node = nodeWeight.length - 2; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
  const lengths = new Uint8Array(size);
  order.forEach((i, node) => (lengths[symbols[i]] = depth[node]));
  return lengths;
}

/** Canonical Huffman codes (RFC 1951, 3.2.2) for `lengths`, bit-reversed: deflate sends codes from their top bit. */
function canonicalCodes(lengths: Uint8Array): Uint16Array {
  const perLength = new Uint16Array(MAX_BITS + 1);
  for (const length of lengths) perLength[length]++;
  perLength[0] = 0;
  const next = new Uint16Array(MAX_BITS + 2);
  for (let bits = 1; bits <= MAX_BITS; bits++) next[bits + 1] = (next[bits] + perLength[bits]) << 1;
  const codes = new Uint16Array(lengths.length);
  lengths.forEach((length, symbol) => {
    if (length === 0) return;
    let code = next[length]++;
    let reversed = 0;
    for (let b = 0; b < length; b++, code >>= 1) reversed = (reversed << 1) | (code & 1);
    codes[symbol] = reversed;
  });
  return codes;
}

/** zlib's Adler-32: sums kept below 2³² by reducing every 5552 bytes, as zlib does. */
function adler32(data: Uint8Array): number {
  let [a, b] = [1, 0];
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(data.length, start + 5552);
    for (let i = start; i < end; i++) {
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
   * The tokens of writeBlock with the literal/length codes given, each run followed by its extra bits and distance
   * code 0 (`distanceBits` zero bits). The hot loop of encoding: the bit buffer is kept in locals.
   */
  symbols(tokens: Uint16Array, codes: Uint16Array, lengths: Uint8Array, distanceBits: number): void {
    const buffer = this.buffer;
    let [at, pending, pendingBits] = [this.at, this.pending, this.pendingBits];
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t];
      if (token < 256) {
        pending |= codes[token] << pendingBits;
        pendingBits += lengths[token];
      } else {
        const run = token - 256;
        const code = LENGTH_CODE[run];
        pending |= codes[257 + code] << pendingBits;
        pendingBits += lengths[257 + code];
        pending |= (run - LENGTH_BASE[code]) << pendingBits; // ≤ 5 extra bits, then the distance code's zeros
        pendingBits += LENGTH_EXTRA[code] + distanceBits;
      }
      while (pendingBits >= 8) {
        buffer[at++] = pending;
        pending >>= 8;
        pendingBits -= 8;
      }
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
