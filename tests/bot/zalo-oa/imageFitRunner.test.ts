import type { ChildProcess, ForkOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import jpeg from 'jpeg-js';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_IMAGE_UPLOAD_BYTES } from '../../../bot/zalo-oa/api.js';
import { fitImage, MAX_LONG_SIDE } from '../../../bot/zalo-oa/imageFit.js';
import { fitImageInChild } from '../../../bot/zalo-oa/imageFitRunner.js';
import { capturingLogger } from '../../helpers/logs.js';
import { clamp, jpg, noise, png } from '../../helpers/pictures.js';

/**
 * Every process the module forks, through the real child_process: how many, and their exit.
 * `program` replaces the program a process runs and `heapMb` its heap, to play a process that
 * fails, answers nonsense or runs out of memory.
 */
const children = vi.hoisted(() => ({
  started: [] as ChildProcess[],
  program: undefined as string | undefined,
  heapMb: undefined as number | undefined,
}));

vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return {
    ...real,
    fork: (modulePath: string, args: readonly string[], options: ForkOptions) => {
      const heap = (flag: string) => (children.heapMb && flag.startsWith('--max-old-space-size=') ? `--max-old-space-size=${children.heapMb}` : flag);
      const child = real.fork(children.program ?? modulePath, args, { ...options, execArgv: options.execArgv?.map(heap) });
      children.started.push(child);
      return child;
    },
  };
});

/** Whether a process has ended (its exit seen by this one). */
const ended = (child: ChildProcess | undefined): boolean => child !== undefined && (child.exitCode !== null || child.signalCode !== null);

/** A 3000×2000 noisy PNG of a few megabytes: red left, blue right. */
let large: Buffer;
/** A 4000×3000 JPEG of some 5 MB, noisy as a phone's photo: 12 megapixels for jpeg-js to decode. */
let photo: Buffer;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * This process's resident memory once its garbage is gone: collected, then a moment for V8 to hand
 * the freed pages back (it does so in the background), twice.
 */
async function settledRssMb(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    collectGarbage();
    await sleep(100);
  }
  return process.memoryUsage().rss / 2 ** 20;
}

beforeAll(() => {
  const random = noise(7);
  large = png(3000, 2000, (x) => {
    const n = (random() - 0.5) * 40;
    return x < 1500 ? [clamp(220 + n), clamp(20 + n), clamp(20 + n), 255] : [clamp(20 + n), clamp(20 + n), clamp(220 + n), 255];
  });
  expect(large.length).toBeGreaterThan(MAX_IMAGE_UPLOAD_BYTES);
  photo = jpg(4000, 3000, (x, y) => [clamp(x / 16 + (random() - 0.5) * 30), clamp(y / 12 + (random() - 0.5) * 30), 90, 255], 90);
  expect(photo.length).toBeGreaterThan(MAX_IMAGE_UPLOAD_BYTES);
});

beforeEach(() => {
  children.started.length = 0;
  children.program = undefined;
  children.heapMb = undefined;
});

describe('fitImageInChild', () => {
  // First in the file: with threads, a later decode would reuse what an earlier one left resident,
  // and the growth would no longer show.
  it("gives the decode's memory back: the bot's resident memory barely moves over a 12-megapixel photo", async () => {
    // Garbage collected first each time: making the photo here left some 250 MB of it, which a
    // collection during the conversion would give back, hiding a growth as large as the one looked for.
    const before = await settledRssMb();
    const result = await fitImageInChild({ fileName: 'anh-chup.jpg', mimeType: 'image/jpeg', data: photo });
    const after = await settledRssMb();
    const grownMb = after - before;

    expect(result).toMatchObject({ fileName: 'anh-chup.jpg', width: MAX_LONG_SIDE, height: 1920 });
    // jpeg-js peaks at some 550 MB decoding this photo, most of it malloc'd (an array per 8×8
    // block). On a worker thread that memory is this process's, and glibc keeps it resident after
    // the thread has ended: this very test, run against the worker-thread version, measured a
    // growth of 270–300 MB. A process of its own gives it all back when it exits; what is left
    // here is the copy of the photo sent and the answer (measured: no growth at all).
    expect(grownMb).toBeLessThan(100);
  });

  it('fits a large noisy PNG in a process of its own, byte for byte as fitImage does here, and ends the process first', async () => {
    const file = { fileName: 'minh-chung.png', mimeType: 'image/png', data: large };
    const result = await fitImageInChild(file);

    expect(children.started).toHaveLength(1);
    // Ended before the answer came back: nothing left to hold the process or its memory.
    expect(ended(children.started[0])).toBe(true);
    expect(children.started[0]?.exitCode).toBe(0);
    if (!result) throw new Error('expected an image');
    expect(result.fileName).toBe('minh-chung.jpg');
    expect(result.mimeType).toBe('image/jpeg');
    expect(Buffer.isBuffer(result.data)).toBe(true);
    expect(result.data.length).toBeLessThanOrEqual(MAX_IMAGE_UPLOAD_BYTES);
    expect([...result.data.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const decoded = jpeg.decode(result.data, { useTArray: true });
    expect({ width: decoded.width, height: decoded.height }).toEqual({ width: result.width, height: result.height });
    expect(result.width).toBe(MAX_LONG_SIDE);
    // The caller's bytes were copied to the process: they are still there for a link.
    expect(file.data.length).toBeGreaterThan(MAX_IMAGE_UPLOAD_BYTES);

    const here = await fitImage(file);
    expect(here && { ...here, data: here.data.toString('base64') }).toEqual({ ...result, data: result.data.toString('base64') });
  });

  it("keeps the bot's thread turning while the picture is converted", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      const result = await fitImageInChild({ fileName: 'anh.png', mimeType: 'image/png', data: large });
      expect(result?.width).toBe(MAX_LONG_SIDE);
    } finally {
      clearInterval(timer);
    }
    // The same conversion on this thread lets the timer through only between its steps (a handful
    // of times); in a process of its own, the timer runs all along.
    expect(ticks).toBeGreaterThanOrEqual(15);
  });

  it('answers an image that needs no conversion at once, without a process', async () => {
    const small = png(40, 30, (x) => (x < 20 ? [255, 0, 0, 255] : [0, 0, 255, 255]));
    const result = await fitImageInChild({ fileName: 'bieu-do', mimeType: 'image/png', data: small });
    expect(result).toEqual({ fileName: 'bieu-do.png', mimeType: 'image/png', data: small, width: 40, height: 30 });
    expect(result?.data).toBe(small);
    expect(children.started).toHaveLength(0);
  });

  it('answers undefined for garbage: without a process when the header tells, from the process when only decoding does', async () => {
    const { log, lines } = capturingLogger();
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37) & 255));
    await expect(fitImageInChild({ fileName: 'anh.png', mimeType: 'image/png', data: garbage })).resolves.toBeUndefined();
    expect(children.started).toHaveLength(0);

    // A real PNG signature and header, then garbage: found out only by decoding, in the process.
    const broken = Buffer.concat([large.subarray(0, 60), garbage]);
    await expect(fitImageInChild({ fileName: 'hong.png', mimeType: 'image/png', data: broken }, 1_000, { log })).resolves.toBeUndefined();
    expect(children.started).toHaveLength(1);
    expect(children.started[0]?.exitCode).toBe(0);
    // An image that cannot be fitted is an answer, not a failure: nothing to log.
    expect(lines).toEqual([]);
  });

  it('gives up on a process that takes too long: undefined, a log line, and the process killed', async () => {
    const { log, lines } = capturingLogger();
    const result = await fitImageInChild({ fileName: 'cham.png', mimeType: 'image/png', data: large }, MAX_IMAGE_UPLOAD_BYTES, { log, timeoutMs: 1 });
    expect(result).toBeUndefined();
    expect(children.started).toHaveLength(1);
    expect(children.started[0]?.signalCode).toBe('SIGKILL');
    expect(lines).toMatchObject([{ level: 40, msg: expect.stringContaining('took too long'), file: 'cham.png', timeoutMs: 1, signal: 'SIGKILL' }]);
  });

  it('answers undefined with a log line when the process fails, and the next image still gets its process', async () => {
    const { log, lines } = capturingLogger();
    // A program that is not there (a build missing the file): node itself fails, with status 1.
    children.program = fileURLToPath(new URL('../../fixtures/zalo-oa/noSuchProgram.ts', import.meta.url));
    const failed = fitImageInChild({ fileName: 'loi.png', mimeType: 'image/png', data: large }, MAX_IMAGE_UPLOAD_BYTES, { log });
    await expect(failed).resolves.toBeUndefined();
    // Told as "ended without an answer", or as "not handed the image" when node gave up before
    // reading the whole photo: either way one line, with node's own words.
    expect(lines).toMatchObject([
      { level: 50, msg: expect.stringContaining('sending a link instead'), file: 'loi.png', code: 1, stderr: expect.stringContaining('noSuchProgram.ts') },
    ]);

    children.program = undefined;
    const random = noise(3);
    const next = png(300, 200, () => [clamp(random() * 255), 128, 128, 255]);
    const result = await fitImageInChild({ fileName: 'tiep.png', mimeType: 'image/png', data: next }, next.length - 1);
    expect(result).toMatchObject({ fileName: 'tiep.jpg', mimeType: 'image/jpeg', width: 300, height: 200 });
    expect(children.started).toHaveLength(2);
    expect(children.started.every(ended)).toBe(true);
  });

  it('answers undefined with a log line when the process answers something that is not an image', async () => {
    const { log, lines } = capturingLogger();
    children.program = fileURLToPath(new URL('../../fixtures/zalo-oa/strangeAnswerChild.ts', import.meta.url));
    await expect(fitImageInChild({ fileName: 'la.png', mimeType: 'image/png', data: large }, MAX_IMAGE_UPLOAD_BYTES, { log })).resolves.toBeUndefined();
    expect(ended(children.started[0])).toBe(true);
    expect(lines).toMatchObject([{ level: 50, msg: expect.stringContaining('answered something else'), file: 'la.png' }]);
  });

  it('answers undefined with a log line when the process runs out of its heap', async () => {
    const { log, lines } = capturingLogger();
    children.heapMb = 32;
    // The process itself fits in that heap: a small picture is converted.
    const random = noise(13);
    const small = png(300, 200, () => [clamp(random() * 255), 128, 128, 255]);
    await expect(fitImageInChild({ fileName: 'nho.png', mimeType: 'image/png', data: small }, small.length - 1)).resolves.toMatchObject({ width: 300 });

    // jpeg-js keeps each 8×8 block of the 12-megapixel photo as an object of the heap: some
    // 560,000 of them (4:4:4), far past 32 MB.
    await expect(fitImageInChild({ fileName: 'lon.jpg', mimeType: 'image/jpeg', data: photo }, 1_000_000, { log })).resolves.toBeUndefined();
    expect(children.started).toHaveLength(2);
    expect(children.started.every(ended)).toBe(true);
    expect(lines).toMatchObject([{ level: 50, file: 'lon.jpg', stderr: expect.stringContaining('heap out of memory') }]);
  });
});
