import { fitImage } from './imageFit.js';

/**
 * The image process's program (forked by imageFitRunner.ts, one process per image): it waits for
 * the one job, fits the image, sends the answer back and exits. A program, not a library: it
 * starts listening as soon as it is loaded, so nothing imports it but for its types.
 *
 * It exits as soon as the answer is written, rather than waiting for the event loop to empty:
 * that is the whole point of a process of its own, since only an exit gives the decode's malloc'd
 * memory back to the system. If the bot goes away first (its end of the channel closes), there is
 * nobody left to answer, and the process ends at the next turn of its event loop.
 */

export interface FitJob {
  fileName: string;
  mimeType: string;
  /** Sent with 'advanced' serialization: a Buffer arrives as a Buffer. */
  data: Uint8Array;
  limit: number;
}

/** undefined: the image cannot be fitted (the caller sends a link). */
export type FitAnswer = { image: { fileName: string; mimeType: string; data: Uint8Array; width: number; height: number } | undefined };

async function answer(job: FitJob): Promise<void> {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const image = await fitImage({ fileName: job.fileName, mimeType: job.mimeType, data }, job.limit);
  const reply: FitAnswer = { image };
  // Exit once the answer is handed to the channel: what is written stays readable by the bot
  // after this process is gone. A send that fails (the bot gone) ends it just the same.
  process.send?.(reply, () => process.exit(0));
}

if (process.send) {
  process.once('disconnect', () => process.exit(0));
  // A listener kept to the end: it holds the channel, and so this process, open while fitImage
  // awaits (a pending promise alone would let the process end unanswered).
  const onJob = (job: FitJob): void => {
    answer(job).catch((error: unknown) => {
      // A decoder that cannot even be loaded: a broken installation, told on stderr (which the
      // bot reads back) and by the exit code.
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
  };
  process.on('message', onJob);
}
