import { extname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_IMAGE_UPLOAD_BYTES } from './api.js';

/**
 * Makes an image acceptable to Zalo OA's image upload (docs/zalo-oa-api.md §3b/§3c: JPG or PNG,
 * at most 1 MB). A JPG or PNG already within the limit goes as it is; anything bigger is decoded,
 * scaled down by area averaging, flattened onto white and encoded as JPEG, lowering the quality
 * and then the size until it fits. When that cannot be done (a type we cannot decode such as WebP,
 * broken bytes, a picture too large to decode safely, a limit too small) the answer is undefined
 * and the adapter sends the image by link instead; bad input never throws.
 *
 * The decoders (pngjs, jpeg-js: pure JavaScript, no native build) are loaded on first use, so a
 * process that never sends an OA image does not load them. Their work is synchronous; the steps
 * (decode, then each scale-and-encode) are separated by turns of the event loop, but one step is
 * not: jpeg-js decodes a 12-megapixel photo in one call of seconds, and its per-block arrays raise
 * the resident memory by a few hundred megabytes while it does. Conversions therefore run one at a
 * time, and a caller that must keep answering meanwhile (webhooks wait at most 2 s) runs this in
 * a process of its own: fitImageInChild (imageFitRunner.ts).
 *
 * EXIF orientation: jpeg-js keeps the Exif block without applying it, so the Orientation tag is
 * read from the file's own APP1 segment and applied while scaling; a re-encoded JPEG carries no
 * EXIF and is stored upright.
 */

export interface ImageFile {
  fileName: string;
  mimeType: string;
  data: Buffer;
}

/** width and height are the picture as it is shown, i.e. after the JPEG's EXIF orientation. */
export interface FittedImage extends ImageFile {
  width: number;
  height: number;
}

/** The long side of a re-encoded image: more than a chat ever shows, and it keeps encoding quick. */
export const MAX_LONG_SIDE = 2560;
/**
 * Pictures larger than this are not decoded but sent by link. jpeg-js keeps every 8×8 block of a
 * JPEG as an array of its own while it decodes: a 12 MP photo took the process from about 100 MB
 * to about 480 MB resident (measured, Node 20). 24 MP (6000×4000) covers phones' and most
 * cameras' usual output; phones' 50 MP modes would need well over a gigabyte.
 */
export const MAX_DECODE_PIXELS = 24_000_000;
/** Below this long side a picture is no longer worth sending; the link serves better. */
const MIN_LONG_SIDE = 256;
/** Tried in order at each size before the size is reduced. */
const QUALITIES = [85, 75, 65] as const;
/** A result this far over the limit will not be brought under it by quality alone. */
const QUALITY_REACH = 1.5;
const MAX_ATTEMPTS = 16;

export type ImageKind = 'jpeg' | 'png';

const MIME: Record<ImageKind, string> = { jpeg: 'image/jpeg', png: 'image/png' };
const EXTENSIONS: Record<ImageKind, string[]> = { jpeg: ['.jpg', '.jpeg'], png: ['.png'] };

export async function fitImage(file: ImageFile, limit = MAX_IMAGE_UPLOAD_BYTES): Promise<FittedImage | undefined> {
  const assessed = assessImage(file, limit);
  if (assessed.decided) return assessed.image;
  const { kind, orientation } = assessed;
  return oneConversionAtATime(() => convert(file, kind, orientation, limit));
}

/**
 * What the file's signature and header decide without decoding anything: either the answer
 * (`decided`: the image as it goes when it is within the limit, undefined when it cannot go at
 * all), or that it must be converted. Cheap, so a caller running conversions elsewhere
 * (imageFitRunner.ts) asks this first and starts nothing for an image that needs no work.
 */
export type Assessment = { decided: true; image: FittedImage | undefined } | { decided: false; kind: ImageKind; orientation: number };

export function assessImage(file: ImageFile, limit: number): Assessment {
  const data = file.data;
  const kind = kindOf(data);
  if (!kind) return { decided: true, image: undefined };
  const header = readHeader(kind, data);
  if (!header) return { decided: true, image: undefined };

  if (data.length <= limit) {
    const { width, height } = shown(header.width, header.height, header.orientation);
    // The bytes are fine; only a name or type that disagrees with them is corrected, since the
    // upload is refused when the extension and the magic bytes do not match (api.ts checkUpload).
    const named = EXTENSIONS[kind].includes(extname(file.fileName).toLowerCase());
    const fileName = named ? file.fileName : `${baseName(file.fileName)}${EXTENSIONS[kind][0]}`;
    return { decided: true, image: { fileName, mimeType: MIME[kind], data, width, height } };
  }

  if (header.width * header.height > MAX_DECODE_PIXELS) return { decided: true, image: undefined };
  return { decided: false, kind, orientation: header.orientation };
}

/**
 * Conversions run one after another: each holds a decoded picture (a 12-megapixel photo is tens
 * of megabytes, and far more while jpeg-js decodes it), so two photos sent at once must not double
 * that. One queue for the bot, whether a conversion runs here or in a process of its own
 * (imageFitRunner.ts): that process's memory is the same machine's.
 */
let queue: Promise<unknown> = Promise.resolve();

export function oneConversionAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

async function convert(file: ImageFile, kind: ImageKind, orientation: number, limit: number): Promise<FittedImage | undefined> {
  // Loaded here, after the cheap checks, and outside any try: a decoder that cannot be loaded is
  // a broken installation, not a bad image, and must not pass silently as "send by link".
  const decoded = kind === 'png' ? await decodePng(file.data) : await decodeJpeg(file.data);
  if (!decoded) return undefined;
  const { encode } = await import('jpeg-js');
  await nextTurn();

  try {
    let longSide = Math.min(MAX_LONG_SIDE, Math.max(decoded.width, decoded.height));
    // A picture already smaller than the floor is tried at its own size before giving up.
    const smallest = Math.min(MIN_LONG_SIDE, longSide);
    let q = 0;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && longSide >= smallest; attempt++) {
      const quality = QUALITIES[q] ?? 65;
      const { width, height } = sizeFor(decoded.width, decoded.height, longSide);
      const pixels = resample(decoded, width, height, orientation);
      const jpeg = encode({ data: pixels.data, width: pixels.width, height: pixels.height }, quality).data;
      if (jpeg.length <= limit) {
        return { fileName: `${baseName(file.fileName)}.jpg`, mimeType: MIME.jpeg, data: jpeg, width: pixels.width, height: pixels.height };
      }
      if (q < QUALITIES.length - 1 && jpeg.length <= limit * QUALITY_REACH) {
        q++;
      } else {
        // Bytes grow roughly with the area, so the side shrinks with the square root of the
        // overshoot; the margin and the bounds keep it from stalling or collapsing.
        const factor = Math.min(0.9, Math.max(0.5, Math.sqrt(limit / jpeg.length) * 0.95));
        longSide = Math.floor(longSide * factor);
      }
      await nextTurn();
    }
    return undefined;
  } catch {
    return undefined;
  }
}

// ---- recognising the file ----

function kindOf(data: Uint8Array): ImageKind | undefined {
  if (data.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => data[i] === b)) return 'png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  return undefined;
}

function readHeader(kind: ImageKind, data: Buffer): Header | undefined {
  try {
    return kind === 'png' ? pngHeader(data) : jpegHeader(data);
  } catch {
    return undefined; // a read past a truncated file's end
  }
}

interface Header {
  width: number;
  height: number;
  /** EXIF orientation, 1 to 8; 1 when absent. */
  orientation: number;
}

function pngHeader(data: Buffer): Header | undefined {
  if (data.length < 24 || data.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  return width > 0 && height > 0 ? { width, height, orientation: 1 } : undefined;
}

/** Walks the markers up to the scan: the frame header gives the size, APP1 (Exif) the orientation. */
function jpegHeader(data: Buffer): Header | undefined {
  let orientation = 1;
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any frame header
    const length = data.readUInt16BE(offset + 2);
    const segment = data.subarray(offset + 4, offset + 2 + length);
    if (length < 2 || offset + 2 + length > data.length) return undefined;
    if (marker === 0xe1 && segment.toString('latin1', 0, 6) === 'Exif\0\0') orientation = exifOrientation(segment.subarray(6));
    // SOF0–SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (segment.length < 5) return undefined;
      const height = segment.readUInt16BE(1);
      const width = segment.readUInt16BE(3);
      // EXIF sits in APP1 before the frame header in every JPEG written to the standard.
      return width > 0 && height > 0 ? { width, height, orientation } : undefined;
    }
    offset += 2 + length;
  }
  return undefined;
}

/** The Orientation tag (0x0112) of IFD0 in a TIFF structure; 1 when absent or unreadable. */
function exifOrientation(tiff: Buffer): number {
  if (tiff.length < 8) return 1;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const little = order === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) !== 0x0112) continue;
    const value = u16(entry + 8); // SHORT, left-justified in the value field
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

// ---- decoding ----

interface Pixels {
  width: number;
  height: number;
  /** 3 (RGB, from JPEG) or 4 (RGBA, from PNG) bytes per pixel. */
  channels: 3 | 4;
  data: Uint8Array;
}

async function decodePng(data: Buffer): Promise<Pixels | undefined> {
  const { PNG } = await import('pngjs');
  try {
    // pngjs gives 8-bit RGBA whatever the source: palette, grey, 16-bit and alpha included.
    const png = PNG.sync.read(data);
    return { width: png.width, height: png.height, channels: 4, data: png.data };
  } catch {
    return undefined;
  }
}

async function decodeJpeg(data: Buffer): Promise<Pixels | undefined> {
  const { decode } = await import('jpeg-js');
  try {
    // RGB rather than RGBA: a quarter less memory for a photo, which never has transparency.
    const jpeg = decode(data, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_DECODE_PIXELS / 1_000_000 });
    return { width: jpeg.width, height: jpeg.height, channels: 3, data: jpeg.data };
  } catch {
    return undefined;
  }
}

// ---- scaling ----

/** The stored size for a long side, keeping the aspect ratio; never enlarges. */
function sizeFor(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Orientations 5 to 8 turn the picture a quarter: its shown width is its stored height. */
function shown(width: number, height: number, orientation: number): { width: number; height: number } {
  return orientation >= 5 ? { width: height, height: width } : { width, height };
}

/**
 * Area averaging to width × height (each output pixel is the exact, fraction-weighted mean of the
 * source pixels it covers), with transparency composited onto white first, written as RGBA for
 * jpeg-js and turned upright by the EXIF orientation on the way out. Source rows are reduced one
 * at a time, so besides the source only one output-sized buffer exists.
 */
function resample(source: Pixels, width: number, height: number, orientation: number): { width: number; height: number; data: Uint8Array } {
  const { width: sw, height: sh, channels, data } = source;
  const sx = sw / width;
  const sy = sh / height;

  // Per output column: the source columns it covers and their weights, the mean built in.
  const firstColumn = new Int32Array(width);
  const columnCount = new Int32Array(width);
  const weightStart = new Int32Array(width);
  const weights: number[] = [];
  for (let ox = 0; ox < width; ox++) {
    const start = ox * sx;
    const end = Math.min(sw, (ox + 1) * sx);
    const first = Math.floor(start);
    const last = Math.min(sw, Math.ceil(end));
    firstColumn[ox] = first;
    columnCount[ox] = last - first;
    weightStart[ox] = weights.length;
    for (let i = first; i < last; i++) weights.push((Math.min(i + 1, end) - Math.max(i, start)) / sx);
  }
  const columnWeights = Float32Array.from(weights);

  const reduceRow = (row: number, into: Float32Array) => {
    const base = row * sw * channels;
    for (let ox = 0; ox < width; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const first = firstColumn[ox] ?? 0;
      const count = columnCount[ox] ?? 0;
      const w0 = weightStart[ox] ?? 0;
      for (let k = 0; k < count; k++) {
        const w = columnWeights[w0 + k] ?? 0;
        const p = base + (first + k) * channels;
        if (channels === 4) {
          // Onto white: c·α + 255·(1 − α); averaging after compositing keeps edges right.
          const a = (data[p + 3] ?? 255) / 255;
          const white = 255 * (1 - a);
          r += w * ((data[p] ?? 0) * a + white);
          g += w * ((data[p + 1] ?? 0) * a + white);
          b += w * ((data[p + 2] ?? 0) * a + white);
        } else {
          r += w * (data[p] ?? 0);
          g += w * (data[p + 1] ?? 0);
          b += w * (data[p + 2] ?? 0);
        }
      }
      into[ox * 3] = r;
      into[ox * 3 + 1] = g;
      into[ox * 3 + 2] = b;
    }
  };

  const out = shown(width, height, orientation);
  const target = new Uint8Array(out.width * out.height * 4);
  const sum = new Float32Array(width * 3);
  const current = new Float32Array(width * 3);
  // A source row on the border of two output rows is reduced once and kept for the second.
  const kept = new Float32Array(width * 3);
  let keptRow = -1;

  for (let oy = 0; oy < height; oy++) {
    const start = oy * sy;
    const end = Math.min(sh, (oy + 1) * sy);
    const first = Math.floor(start);
    const last = Math.min(sh, Math.ceil(end));
    sum.fill(0);
    for (let row = first; row < last; row++) {
      const w = (Math.min(row + 1, end) - Math.max(row, start)) / sy;
      let reduced: Float32Array;
      if (row === keptRow) {
        reduced = kept;
      } else {
        reduceRow(row, current);
        reduced = current;
        if (row === last - 1) {
          kept.set(current);
          keptRow = row;
        }
      }
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + w * (reduced[i] ?? 0);
    }
    for (let ox = 0; ox < width; ox++) {
      const [tx, ty] = oriented(ox, oy, width, height, orientation);
      const t = (ty * out.width + tx) * 4;
      target[t] = clampByte(sum[ox * 3] ?? 0);
      target[t + 1] = clampByte(sum[ox * 3 + 1] ?? 0);
      target[t + 2] = clampByte(sum[ox * 3 + 2] ?? 0);
      target[t + 3] = 255;
    }
  }
  return { width: out.width, height: out.height, data: target };
}

/** Where the stored pixel (x, y) of a w × h picture is shown, for EXIF orientations 1 to 8. */
function oriented(x: number, y: number, w: number, h: number, orientation: number): [number, number] {
  switch (orientation) {
    case 2:
      return [w - 1 - x, y];
    case 3:
      return [w - 1 - x, h - 1 - y];
    case 4:
      return [x, h - 1 - y];
    case 5:
      return [y, x];
    case 6:
      return [h - 1 - y, x];
    case 7:
      return [h - 1 - y, w - 1 - x];
    case 8:
      return [y, w - 1 - x];
    default:
      return [x, y];
  }
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

function baseName(fileName: string): string {
  const ext = extname(fileName);
  const base = ext ? fileName.slice(0, -ext.length) : fileName;
  return base === '' ? 'anh' : base;
}
