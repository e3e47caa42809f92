/**
 * The 8-connected components of a mask (row-major, `width × height`, non-zero = set): `labels` gives each set pixel
 * its component (1-based; 0 for unset pixels) and `sizes[label]` the component's pixel count (`sizes[0]` is 0).
 */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(mask.length);
  const sizes = [0];
  const queue = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = sizes.length;
    let [head, tail] = [0, 0];
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
