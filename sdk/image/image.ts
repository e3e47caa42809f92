import { ArgumentError } from '../errors';

/** A decoded image: 8-bit samples in row-major HWC order (`data[(y·width + x)·channels + c]`). */
export interface Image {
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

/** Refuses an Image whose fields disagree (so an encoder or a tensor conversion never reads past its data). */
export function checkImage(image: Image, argument = 'image'): void {
  const { width, height, channels, data } = image;
  const fits =
    Number.isInteger(width) &&
    width > 0 &&
    Number.isInteger(height) &&
    height > 0 &&
    [1, 2, 3, 4].includes(channels) &&
    data instanceof Uint8Array &&
    data.length === width * height * channels;
  if (!fits) {
    throw new ArgumentError(
      `${argument} must have positive integer width and height, 1–4 channels and width·height·channels bytes of ` +
        `data; got ${width}×${height}×${channels} with ${data?.length} bytes`,
      { argument },
    );
  }
}
