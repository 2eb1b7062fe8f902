import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_UPLOAD_BYTES } from '../../../bot/zalo-oa/api.js';
import { type FittedImage, fitImage, MAX_DECODE_PIXELS, MAX_LONG_SIDE } from '../../../bot/zalo-oa/imageFit.js';
import { clamp, jpg, noise, png } from '../../helpers/pictures.js';

/** An APP1 payload ("Exif\0\0" + a big-endian TIFF header) whose IFD0 holds only the Orientation tag. */
function exifOrientation(value: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // IFD0 right after the header
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // one value
  tiff.writeUInt16BE(value, 18);
  tiff.writeUInt32BE(0, 22); // no next IFD
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

/** A mid-grey PNG built by hand, one byte per pixel, so that even a huge one is quick to make. */
function greyPng(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const framed = Buffer.alloc(typed.length + 8);
    framed.writeUInt32BE(body.length, 0);
    typed.copy(framed, 4);
    framed.writeUInt32BE(crc32(typed), typed.length + 4);
    return framed;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit grey, no interlace
  const rows = Buffer.alloc((width + 1) * height, 128);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // each row's filter: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What a receiver sees: the bytes decoded back, checked against what fitImage claims. */
function decoded(result: FittedImage | undefined) {
  if (!result) throw new Error('expected an image');
  expect(result.data.length).toBeLessThanOrEqual(MAX_IMAGE_UPLOAD_BYTES);
  expect([...result.data.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  expect(result.mimeType).toBe('image/jpeg');
  const image = jpeg.decode(result.data, { useTArray: true });
  expect({ width: image.width, height: image.height }).toEqual({ width: result.width, height: result.height });
  /** The mean colour of a rectangle given in fractions of the picture. */
  const mean = (x0: number, y0: number, x1: number, y1: number): [number, number, number] => {
    const sum = [0, 0, 0];
    let n = 0;
    for (let y = Math.floor(y0 * image.height); y < Math.floor(y1 * image.height); y++) {
      for (let x = Math.floor(x0 * image.width); x < Math.floor(x1 * image.width); x++) {
        const p = (y * image.width + x) * 4;
        for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (image.data[p + c] ?? 0);
        n++;
      }
    }
    return sum.map((s) => Math.round(s / n)) as [number, number, number];
  };
  return { width: image.width, height: image.height, mean };
}

function expectNear(actual: [number, number, number], expected: [number, number, number], tolerance: number) {
  actual.forEach((v, i) => expect(Math.abs(v - (expected[i] ?? 0)), `channel ${i} of ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance));
}

function expectAspect(result: { width: number; height: number }, source: { width: number; height: number }) {
  expect(Math.abs(result.height - (result.width * source.height) / source.width)).toBeLessThanOrEqual(1);
}

describe('fitImage', () => {
  it('returns a PNG within the limit as it is: the same bytes, name and type, with its size', async () => {
    const data = png(40, 30, (x) => (x < 20 ? [255, 0, 0, 255] : [0, 0, 255, 255]));
    const result = await fitImage({ fileName: 'bieu-do.png', mimeType: 'image/png', data });
    expect(result).toEqual({ fileName: 'bieu-do.png', mimeType: 'image/png', data, width: 40, height: 30 });
    expect(result?.data).toBe(data);
  });

  it('keeps the bytes of a small JPEG sent under a PNG name but gives it the name its bytes need', async () => {
    const data = jpg(32, 16, () => [0, 128, 0, 255], 90);
    const result = await fitImage({ fileName: 'anh chup.png', mimeType: 'image/png', data });
    expect(result).toMatchObject({ fileName: 'anh chup.jpg', mimeType: 'image/jpeg', width: 32, height: 16 });
    expect(result?.data).toBe(data);
  });

  it('brings a 3000×2000 noisy PNG over 1 MB under it as a JPEG: same picture, same ratio, transparency on white', async () => {
    const random = noise(7);
    // Top quarter fully transparent black: a converter that drops alpha would show it black.
    const data = png(3000, 2000, (x, y) => {
      if (y < 500) return [0, 0, 0, 0];
      const n = (random() - 0.5) * 40;
      return x < 1500 ? [clamp(220 + n), clamp(20 + n), clamp(20 + n), 255] : [clamp(20 + n), clamp(20 + n), clamp(220 + n), 255];
    });
    expect(data.length).toBeGreaterThan(MAX_IMAGE_UPLOAD_BYTES);

    const result = await fitImage({ fileName: 'minh-chung.tuan-3.png', mimeType: 'image/png', data });
    expect(result?.fileName).toBe('minh-chung.tuan-3.jpg');
    const image = decoded(result);
    expect(image.width).toBe(MAX_LONG_SIDE);
    expectAspect(image, { width: 3000, height: 2000 });
    expectNear(image.mean(0.1, 0.02, 0.9, 0.2), [255, 255, 255], 4);
    expectNear(image.mean(0.05, 0.4, 0.45, 0.95), [220, 20, 20], 12);
    expectNear(image.mean(0.55, 0.4, 0.95, 0.95), [20, 20, 220], 12);
  });

  it('brings a large noisy JPEG photo over 1 MB under it, long side capped, left and right kept', async () => {
    const random = noise(11);
    const data = jpg(
      2600,
      1000,
      (x, y) => {
        const n = (random() - 0.5) * 24;
        const shade = (y / 1000) * 60;
        return x < 1300 ? [clamp(200 + n - shade), clamp(40 + n), clamp(40 + n), 255] : [clamp(40 + n), clamp(40 + n), clamp(200 + n - shade), 255];
      },
      98,
    );
    expect(data.length).toBeGreaterThan(MAX_IMAGE_UPLOAD_BYTES);

    const result = await fitImage({ fileName: 'IMG_2041.JPG', mimeType: 'image/jpeg', data });
    expect(result?.fileName).toBe('IMG_2041.jpg');
    const image = decoded(result);
    expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(MAX_LONG_SIDE);
    expectAspect(image, { width: 2600, height: 1000 });
    expectNear(image.mean(0.05, 0.05, 0.45, 0.15), [197, 40, 40], 12);
    expectNear(image.mean(0.55, 0.05, 0.95, 0.15), [40, 40, 197], 12);
  });

  it('composites half-transparent pixels onto white', async () => {
    // Black at half opacity (on average; the noise makes the PNG bigger than its JPEG) over white is
    // mid grey. The limit is set just under the file to force the conversion.
    const random = noise(5);
    const data = png(200, 100, () => [0, 0, 0, clamp(96 + random() * 64)]);
    const image = decoded(await fitImage({ fileName: 'mo.png', mimeType: 'image/png', data }, data.length - 1));
    expectNear(image.mean(0, 0, 1, 1), [127, 127, 127], 3);
  });

  it('turns a JPEG upright by its EXIF orientation (6: rotate a quarter clockwise)', async () => {
    // Stored 300×200, red left and blue right; shown 200×300, red on top and blue at the bottom.
    const data = jpg(300, 200, (x) => (x < 150 ? [230, 0, 0, 255] : [0, 0, 230, 255]), 95, exifOrientation(6));
    const untouched = await fitImage({ fileName: 'doc.jpg', mimeType: 'image/jpeg', data });
    expect(untouched).toMatchObject({ width: 200, height: 300 });
    expect(untouched?.data).toBe(data);

    const image = decoded(await fitImage({ fileName: 'doc.jpg', mimeType: 'image/jpeg', data }, data.length - 1));
    expect({ width: image.width, height: image.height }).toEqual({ width: 200, height: 300 });
    expectNear(image.mean(0.1, 0.05, 0.9, 0.4), [230, 0, 0], 12);
    expectNear(image.mean(0.1, 0.6, 0.9, 0.95), [0, 0, 230], 12);
  });

  it('gives up (undefined) when even a small picture cannot fit the limit', async () => {
    const random = noise(3);
    const data = png(600, 400, () => [clamp(random() * 255), clamp(random() * 255), clamp(random() * 255), 255]);
    await expect(fitImage({ fileName: 'nhieu.png', mimeType: 'image/png', data }, 2_000)).resolves.toBeUndefined();
  });

  it('sends a picture of more pixels than it may decode by link (undefined), however small its file', async () => {
    // A valid all-grey PNG just over the cap: a few kilobytes, which pngjs would decode and this
    // would convert without the cap.
    const width = 6000;
    const height = Math.floor(MAX_DECODE_PIXELS / width) + 1;
    const data = greyPng(width, height);
    expect(PNG.sync.read(greyPng(30, 20)).data.subarray(0, 4)).toEqual(Buffer.from([128, 128, 128, 255])); // the builder makes real PNGs

    await expect(fitImage({ fileName: 'rat-lon.png', mimeType: 'image/png', data }, data.length - 1)).resolves.toBeUndefined();
    // Within the limit it goes as it is: the cap is about decoding, not about sending.
    await expect(fitImage({ fileName: 'rat-lon.png', mimeType: 'image/png', data })).resolves.toMatchObject({ width, height, data });
  });

  it('refuses what it cannot decode without throwing: garbage named .png, a broken PNG, WebP', async () => {
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37) & 255));
    await expect(fitImage({ fileName: 'anh.png', mimeType: 'image/png', data: garbage })).resolves.toBeUndefined();

    // A real PNG signature and header, then its compressed data cut off: found out only by decoding.
    const whole = png(300, 200, (x, y) => [x & 255, y & 255, 0, 255]);
    const broken = Buffer.concat([whole.subarray(0, 60), garbage]);
    await expect(fitImage({ fileName: 'hong.png', mimeType: 'image/png', data: broken }, 1_000)).resolves.toBeUndefined();

    const webp = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('WEBPVP8 ', 'latin1'), garbage]);
    await expect(fitImage({ fileName: 'anh.webp', mimeType: 'image/webp', data: webp })).resolves.toBeUndefined();

    await expect(fitImage({ fileName: 'rong.jpg', mimeType: 'image/jpeg', data: Buffer.alloc(0) })).resolves.toBeUndefined();
  });

  it('loads its decoders only when it converts (no static import of pngjs or jpeg-js)', () => {
    const source = readFileSync(new URL('../../../bot/zalo-oa/imageFit.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^import[^;]*from '(pngjs|jpeg-js)'/m);
    expect(source).toMatch(/await import\('pngjs'\)/);
    expect(source).toMatch(/await import\('jpeg-js'\)/);
  });
});
