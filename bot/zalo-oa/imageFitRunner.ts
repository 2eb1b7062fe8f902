import { type ChildProcess, fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { extensionOf } from '../../core/workerModule.js';
import { MAX_IMAGE_UPLOAD_BYTES } from './api.js';
import { assessImage, type FittedImage, type ImageFile, oneConversionAtATime } from './imageFit.js';
import type { FitAnswer, FitJob } from './imageFitProcess.js';

/**
 * fitImage (imageFit.ts) in a short-lived process of its own, so the bot's thread keeps answering
 * while a photo is converted: jpeg-js decodes a 12-megapixel photo in one synchronous call of
 * seconds, and Zalo waits at most 2 s for the webhook's answer. Measured (4000×3000 JPEG of
 * 4.6–4.9 MB, this 2-core machine): the bot's event loop stood still for 2.3–3.7 s with fitImage
 * on its thread, and for 12–86 ms at most (four runs of the compiled build) with the conversion,
 * 3.7–5.2 s long, in a process of its own.
 *
 * A process rather than a worker thread, for the memory: the decode peaks at some 550 MB, and its
 * blocks are malloc'd. After a worker thread ended, glibc's allocator kept them resident in the
 * bot (some 290 MB after a 12-megapixel photo, 570 MB after a 24-megapixel one); a process gives
 * everything back when it exits (measured: the bot's resident memory no higher after a 12- or
 * 24-megapixel photo than before it). A process costs 0.3–0.4 s from start to answer here
 * (compiled build, broken image), little next to the decode, and conversions are rare (an image
 * over 1 MB sent into an OA group). The program it runs is imageFitProcess.ts: one image, one
 * answer, then it exits.
 *
 * What the header alone decides (an image already within the limit, a type that cannot be
 * converted, a picture too large to decode) is answered at once, without a process.
 *
 * Same contract as fitImage: undefined when the image cannot be fitted, and the adapter sends a
 * link instead. A process that cannot start, crashes, runs out of its heap, answers something
 * else or takes too long answers undefined too (killed if still running), logged when a logger is
 * given; nothing here rejects, and the answer comes only once the process is gone. Conversions
 * share fitImage's queue: one at a time in the bot, here or in a process.
 *
 * The process does not hold the bot open: a shutdown does not wait for a photo, and the process
 * is killed when the bot exits. A caller with nothing else to keep it alive (a one-off script)
 * must hold its own event loop open while it waits.
 */

export interface InChildOptions {
  /** Where a failed, overgrown or overdue conversion is told. */
  log?: Logger;
  /** How long a process may take from its start (waiting behind another image is not counted). */
  timeoutMs?: number;
}

/**
 * A 24-megapixel JPEG (MAX_DECODE_PIXELS, the largest decoded) took 4–10 s on a thread here
 * (2 cores, shared), 6.7 s in a process of the compiled build; far past that something is wrong,
 * and a link now serves better than a picture later.
 */
export const FIT_TIMEOUT_MS = 60_000;
/**
 * The process's heap (old generation). A 6000×4000 JPEG without chroma subsampling (the most
 * blocks jpeg-js can be given under MAX_DECODE_PIXELS) failed with 192 MB and was converted with
 * 256 MB; a 24-megapixel PNG needed less than 128 MB (pngjs keeps its pixels outside the heap).
 * Twice the need, so a picture within the caps is never refused for it; a runaway conversion ends
 * with an out-of-memory error of its own instead of taking the machine's memory.
 */
const MAX_HEAP_MB = 512;
/** How much of the end of the process's stderr goes into the log line (a V8 fatal error, a stack). */
const STDERR_TAIL_CHARS = 2_000;

export function fitImageInChild(file: ImageFile, limit = MAX_IMAGE_UPLOAD_BYTES, options: InChildOptions = {}): Promise<FittedImage | undefined> {
  const assessed = assessImage(file, limit);
  if (assessed.decided) return Promise.resolve(assessed.image);
  return oneConversionAtATime(() => inChildProcess(file, limit, options));
}

/** Why a conversion gave no image, logged once the process is gone. */
interface Failure {
  level: 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

function inChildProcess(file: ImageFile, limit: number, options: InChildOptions): Promise<FittedImage | undefined> {
  const about = { file: file.fileName, bytes: file.data.length };
  const timeoutMs = options.timeoutMs ?? FIT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = fork(programPath(), [], {
        execArgv: childExecArgv(),
        env: childEnv(),
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (error) {
      options.log?.error({ err: error, ...about }, 'zalo-oa: image process not started; sending a link instead');
      resolve(undefined);
      return;
    }
    // Nothing of the process's holds the bot's event loop open (see the head of this file).
    child.unref();
    child.channel?.unref();
    (child.stderr as Socket | null)?.unref();

    let stderr = '';
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
      })
      // A pipe that breaks loses only the log's detail; unheard, it would throw in the bot.
      .on('error', () => {});

    let image: FittedImage | undefined;
    let answered = false;
    let failure: Failure | undefined;
    let settled = false;

    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const fail = (why: Failure): void => {
      failure ??= why;
      kill();
    };
    const settle = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      process.off('exit', kill);
      if (!answered) failure ??= { level: 'error', msg: 'zalo-oa: image process ended without an answer; sending a link instead', fields: {} };
      if (failure) {
        const tail = stderr.trim();
        options.log?.[failure.level]({ ...failure.fields, ...about, code, signal, ...(tail && { stderr: tail }) }, failure.msg);
      }
      resolve(failure ? undefined : image);
    };

    const timer = setTimeout(() => {
      // An answer already in hand stands; only the process is ended.
      if (answered) kill();
      else fail({ level: 'warn', msg: 'zalo-oa: image conversion took too long; sending a link instead', fields: { timeoutMs } });
    }, timeoutMs);
    timer.unref();
    // The bot exiting takes a conversion in progress with it.
    process.once('exit', kill);

    child.on('message', (message: unknown) => {
      const received = imageOf(message, limit);
      if (received === false) {
        fail({ level: 'error', msg: 'zalo-oa: image process answered something else; sending a link instead', fields: {} });
        return;
      }
      image = received;
      answered = true;
    });
    // Not started, or a message that could not be handed over: ended, and answered below.
    child.on('error', (error) => {
      fail({ level: 'error', msg: 'zalo-oa: image process failed; sending a link instead', fields: { err: error } });
      // A process that never started has no 'close' to wait for.
      if (child.pid === undefined) settle(null, null);
    });
    // 'close' rather than 'exit': it comes after the process has exited and its channel and
    // stderr are read to their end, so an answer written just before the exit is not missed.
    child.once('close', settle);

    // The bytes are copied into the message: the caller keeps its own for the link.
    const job: FitJob = { fileName: file.fileName, mimeType: file.mimeType, data: file.data, limit };
    child.send(job, (error) => {
      if (error) fail({ level: 'error', msg: 'zalo-oa: image process not handed the image; sending a link instead', fields: { err: error } });
    });
  });
}

/** The program beside this file, with this file's own extension (.ts under tsx and vitest, .js built). */
function programPath(): string {
  return fileURLToPath(new URL(`./imageFitProcess${extensionOf(import.meta.url)}`, import.meta.url));
}

/**
 * Built here, not inherited from the bot (which may run under --inspect, vitest, or flags of its
 * own): the heap cap, and under tsx the loader for the TypeScript program. The loader is named by
 * its resolved URL: a bare `--import tsx` is looked up from the working directory, which need not
 * be the repository.
 */
function childExecArgv(): string[] {
  const heap = `--max-old-space-size=${MAX_HEAP_MB}`;
  return extensionOf(import.meta.url) === '.ts' ? ['--import', import.meta.resolve('tsx'), heap] : [heap];
}

/** The bot's environment without NODE_OPTIONS, for the same reason as childExecArgv. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS'));
}

/**
 * The process's answer as the bot's image: undefined when the image cannot be fitted, false when
 * the message is not an answer at all (or an image over the limit, which the upload would refuse).
 */
function imageOf(message: unknown, limit: number): FittedImage | undefined | false {
  if (typeof message !== 'object' || message === null || !('image' in message)) return false;
  const image = (message as FitAnswer).image as unknown;
  if (image === undefined) return undefined;
  if (typeof image !== 'object' || image === null) return false;
  const { fileName, mimeType, data, width, height } = image as Record<string, unknown>;
  if (typeof fileName !== 'string' || typeof mimeType !== 'string' || !(data instanceof Uint8Array) || data.byteLength > limit) return false;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || (width as number) <= 0 || (height as number) <= 0) return false;
  return { fileName, mimeType, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), width: width as number, height: height as number };
}
