import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * A thread that runs one named export of a module sitting beside its caller, the same way under
 * tsx (npm start, the CLI), vitest and the compiled build in dist/. Used by the report queue
 * (reports/reportQueue.ts); extensionOf also by the Zalo OA image conversion's process
 * (bot/zalo-oa/imageFitRunner.ts).
 */

export interface WorkerModule {
  /** The caller's `import.meta.url`: the module is found beside it, with the caller's own extension. */
  parent: string;
  /** The module's path relative to the caller, without extension, e.g. './reportWorker'. */
  module: string;
  /** The export called on the thread as `entry(parentPort, data)`. */
  entry: string;
  /** Handed to the entry as it is (structured clone: a Buffer arrives as a Uint8Array). */
  data?: unknown;
  resourceLimits?: ResourceLimits;
}

export function startWorkerModule(options: WorkerModule): Worker {
  const extension = extensionOf(options.parent);
  return new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      // Compiled JavaScript (the production build) loads as it is, without tsx. tsx is resolved
      // here, not imported: core depends on no package, and a build never asks for it.
      tsx: extension === '.ts' ? import.meta.resolve('tsx/esm/api') : undefined,
      module: new URL(`${options.module}${extension}`, options.parent).href,
      parent: options.parent,
      entry: options.entry,
      data: options.data,
    },
    ...(options.resourceLimits && { resourceLimits: options.resourceLimits }),
  });
}

/** ".ts" under tsx and vitest, ".js" in a compiled build: a worker module sits next to its caller. */
export function extensionOf(url: string): string {
  return /\.[cm]?[jt]s$/.exec(new URL(url).pathname)?.[0] ?? '.js';
}

/**
 * The thread's first program, plain JavaScript: it loads the TypeScript worker module through
 * tsx's loader, registered for this thread only, so it runs the same under `tsx`, vitest and plain
 * node; the compiled worker module of a build is imported directly. A failure to load, or an entry
 * that throws or rejects, surfaces as the worker's 'error' event.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
(workerData.tsx
  ? import(workerData.tsx).then(({ tsImport }) => tsImport(workerData.module, workerData.parent))
  : import(workerData.module)
).then((mod) => mod[workerData.entry](parentPort, workerData.data));
`;
