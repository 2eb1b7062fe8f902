import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Test pictures made in memory, quick to make and the same on every run. */

export type Rgba = [number, number, number, number];

/** A seeded generator, so the noisy pictures (and their sizes) are the same on every run. */
export function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

export function rgba(width: number, height: number, paint: (x: number, y: number) => Rgba): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p += 4) {
      const [r, g, b, a] = paint(x, y);
      data[p] = r;
      data[p + 1] = g;
      data[p + 2] = b;
      data[p + 3] = a;
    }
  }
  return data;
}

export function png(width: number, height: number, paint: (x: number, y: number) => Rgba): Buffer {
  const image = new PNG({ width, height });
  image.data = rgba(width, height, paint);
  // No filtering and the fastest compression: the pictures only need to be big, and quick to make.
  return PNG.sync.write(image, { filterType: 0, deflateLevel: 1 });
}

export function jpg(width: number, height: number, paint: (x: number, y: number) => Rgba, quality: number, exif?: Buffer): Buffer {
  // jpeg-js writes `exifBuffer` as the APP1 segment; its type declaration leaves it out.
  const image = { data: rgba(width, height, paint), width, height, exifBuffer: exif };
  return jpeg.encode(image, quality).data;
}
