import type { Image } from './image';

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

/** 3×5 glyphs, one octal digit per row from the top: the digit's bits are the row's pixels, left to right. */
const GLYPHS: Record<string, string> = {
  '0': '75557', '1': '26227', '2': '71747', '3': '71717', '4': '55711', '5': '74717', '6': '74757', '7': '71111',
  '8': '75757', '9': '75717', A: '25755', B: '65656', C: '34443', D: '65556', E: '74647', F: '74644', G: '34553',
  H: '55755', I: '72227', J: '11152', K: '55655', L: '44447', M: '57755', N: '65555', O: '25552', P: '65644',
  Q: '25563', R: '65655', S: '34216', T: '72222', U: '55557', V: '55552', W: '55775', X: '55255', Y: '55222',
  Z: '71247', _: '00007', '-': '00700', '.': '00002',
};

/**
 * Draws `text` into a 1-channel image with its top-left corner at (x, y), each glyph pixel a `scale`×`scale` block
 * of `value`. Letters are drawn upper-case; characters without a glyph are left blank. Nothing is drawn past
 * `right` (exclusive) or outside the image.
 */
export function drawText(
  image: Image,
  text: string,
  [x, y]: [number, number],
  { scale, value, right = image.width }: { scale: number; value: number; right?: number },
): void {
  [...text.toUpperCase()].forEach((char, i) => {
    const rows = GLYPHS[char];
    if (!rows) return;
    const left = x + i * (GLYPH_WIDTH + 1) * scale;
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let column = 0; column < GLYPH_WIDTH; column++) {
        if (((Number(rows[row]) >> (GLYPH_WIDTH - 1 - column)) & 1) === 0) continue;
        fillBlock(image, left + column * scale, y + row * scale, scale, value, right);
      }
    }
  });
}

function fillBlock(image: Image, x: number, y: number, size: number, value: number, right: number): void {
  for (let dy = 0; dy < size; dy++) {
    for (let dx = 0; dx < size; dx++) {
      const px = x + dx;
      const py = y + dy;
      if (px < right && px < image.width && py < image.height) image.data[py * image.width + px] = value;
    }
  }
}
