/**
 * The 8-connected components of a mask (row-major, `width × height`, non-zero = set) whose set pixels are listed in
 * `pixels` (indices, ascending): `labels` gives each set pixel its component (1-based, numbered in the order of their
 * first pixels; 0 for unset pixels) and `sizes[label]` the component's pixel count (`sizes[0]` is 0). Only the listed
 * pixels and their neighbours are visited.
 */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  pixels: Int32Array,
): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(mask.length);
  const sizes = [0];
  const queue = new Int32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const start = pixels[i];
    if (labels[start]) continue;
    const label = sizes.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    labels[start] = label;
    while (head < tail) {
      const p = queue[head++];
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (mask[q] && !labels[q]) {
            labels[q] = label;
            queue[tail++] = q;
          }
        }
      }
    }
    sizes.push(tail);
  }
  return { labels, sizes };
}
