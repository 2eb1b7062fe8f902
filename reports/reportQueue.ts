import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startWorkerModule } from '../core/workerModule.js';
import type { Db } from '../db/client.js';
import type { MadeReport, ReportJob } from './reportJob.js';
import type { JobMessage, ResultMessage } from './reportWorker.js';

/**
 * Report files, made one at a time on a thread of their own.
 *
 * The bot answers everybody on one thread. The files of a whole country (10,000 units, 30,000
 * models) took that thread for seconds — the data, then the spreadsheet row by row, the Word
 * report, the chart — and nobody else was answered meanwhile. Every file request is put in this
 * queue instead: a worker thread reads the database file through its own read-only connection
 * (reports/reportWorker.ts), makes the files and hands their bytes back; the command then sends
 * them to the chat that asked. One report at a time per deployment: two national files at once
 * would double the memory for no gain on two cores.
 *
 * Small reports too: the renderers (exceljs, docx, echarts, resvg: some 60 MB of memory once
 * loaded) are then never loaded on the bot's thread, which keeps the process near its memory budget
 * while a national report is made beside it (bench/heavyReport.ts). Requests are weighed (db/reportWeight.ts): a light one
 * (a unit, a district) takes a fraction of a second and goes before the heavy ones waiting, so a
 * commune's spreadsheet never waits behind five national ones; heavy ones are limited to one per
 * person and MAX_WAITING in line.
 *
 * Each request is delivered once: its callbacks `done`, `failed` or `dropped` are called exactly
 * once, whatever happens to the thread. The words people read are the command's (commands/baocao.ts).
 */

export interface ReportRequest {
  /** Who asked (one heavy request per person waits at a time). */
  owner: string;
  job: ReportJob;
  /** By reportWeight against HEAVY_REPORT_ROWS. */
  heavy: boolean;
  done(report: MadeReport): Promise<unknown>;
  failed(error: Error): Promise<unknown>;
  /** The bot is stopping before the report could be made. */
  dropped(): Promise<unknown>;
}

export type Submitted =
  /** Being made now. */
  | { status: 'started' }
  /** Waiting behind `ahead` others (the one being made included). */
  | { status: 'queued'; ahead: number }
  /** This person's earlier heavy request is still waiting or being made (`ahead` before it); nothing added. */
  | { status: 'already'; ahead: number }
  /** The queue is full; nothing added. */
  | { status: 'full'; waiting: number }
  /** The bot is stopping; nothing added. */
  | { status: 'stopped' };

export interface ReportQueueOptions {
  dbPath: string;
  log: Logger;
  /** A report of at least this weight (units + models in its scope) is made here. */
  heavyRows?: number;
  /** Heavy requests that may wait behind the one being made. */
  maxWaiting?: number;
  /** Light requests that may wait. */
  maxLightWaiting?: number;
  /** How long the thread is kept after its last report, for the next one to start at once. */
  idleMs?: number;
  /** The heap the thread may use, so a report too large for it fails alone instead of the bot. */
  maxHeapMb?: number;
}

/**
 * Measured on the benchmark's country (this 2-core machine): a unit or a district of ~80 units and
 * ~200 models (weight ≤ 300) makes its spreadsheet, Word report and chart in 0.1–0.5 s; a province
 * of 1,000 units and 2,900 models (weight ~3,900) in 0.7–0.9 s; the whole country (40,000) in 4–5 s.
 * From 1,000 on, a report is heavy: the person is told it is being made, it waits behind the light
 * ones, and a person has one waiting at a time.
 */
export const HEAVY_REPORT_ROWS = 1000;
/** Ten national files are ~40 s of work: more than that waiting is better asked again later. */
export const MAX_WAITING = 10;
/** Light ones take under a second each; the per-person command limit keeps this far off. */
export const MAX_LIGHT_WAITING = 50;
const IDLE_MS = 60_000;
/** A national report peaks under 100 MB of heap on the thread; the limit only stops a runaway one. */
const MAX_HEAP_MB = 1024;
/**
 * A small nursery (V8's default is several times larger): the report's short-lived objects are
 * collected sooner; a national report's peak RSS measured some 20 MB lower, for a few % more time.
 */
const YOUNG_GENERATION_MB = 4;

interface Running {
  id: number;
  request: ReportRequest;
}

export class ReportQueue {
  readonly heavyRows: number;
  private readonly maxWaiting: number;
  private readonly maxLightWaiting: number;
  private readonly idleMs: number;
  private readonly maxHeapMb: number;
  private readonly waiting: ReportRequest[] = [];
  private running: Running | undefined;
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  /** No new requests taken (stopping). */
  private closed = false;
  /** Nothing more made: the thread is ended or being ended. */
  private halted = false;
  /** Deliveries under way (a 6 MB upload takes a while): idle() waits for them too. */
  private readonly delivering = new Set<Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: ReportQueueOptions) {
    this.heavyRows = options.heavyRows ?? HEAVY_REPORT_ROWS;
    this.maxWaiting = options.maxWaiting ?? MAX_WAITING;
    this.maxLightWaiting = options.maxLightWaiting ?? MAX_LIGHT_WAITING;
    this.idleMs = options.idleMs ?? IDLE_MS;
    this.maxHeapMb = options.maxHeapMb ?? MAX_HEAP_MB;
  }

  submit(request: ReportRequest): Submitted {
    if (this.closed) return { status: 'stopped' };
    const lights = this.waiting.filter((r) => !r.heavy).length;
    let place: number;
    if (request.heavy) {
      if (this.running?.request.heavy && this.running.request.owner === request.owner) return { status: 'already', ahead: 0 };
      const earlier = this.waiting.findIndex((r) => r.heavy && r.owner === request.owner);
      if (earlier >= 0) return { status: 'already', ahead: earlier + (this.running ? 1 : 0) };
      const heavies = this.waiting.length - lights;
      if (heavies >= this.maxWaiting) return { status: 'full', waiting: heavies };
      place = this.waiting.length;
    } else {
      if (lights >= this.maxLightWaiting) return { status: 'full', waiting: lights };
      // After the light ones already waiting, before every heavy one.
      place = lights;
    }
    this.waiting.splice(place, 0, request);
    const ahead = place + (this.running ? 1 : 0);
    this.pump();
    return ahead === 0 ? { status: 'started' } : { status: 'queued', ahead };
  }

  /** Settles when nothing is waiting, being made or being delivered. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking requests and ends the thread. `finish`: what was asked is made and delivered
   * first (the simulator at the end of a scripted session). Otherwise each person still waiting
   * is told their report will not come, so nobody waits for a file after a restart.
   */
  async stop(options: { finish?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (options.finish && !this.halted) await this.idle();
    this.halted = true;
    const unmade = [...(this.running ? [this.running.request] : []), ...this.waiting.splice(0)];
    this.running = undefined;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (unmade.length > 0) this.options.log.warn({ reports: unmade.length }, 'bot stopping: queued reports dropped, their askers told');
    for (const request of unmade) this.deliver(() => request.dropped());
    await Promise.all([worker?.terminate(), this.idle()]);
  }

  private isIdle(): boolean {
    return this.running === undefined && this.waiting.length === 0 && this.delivering.size === 0;
  }

  private settle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Runs a callback to the command, once, tracked until it settles; its failure is only logged. */
  private deliver(call: () => Promise<unknown>): void {
    const delivery = Promise.resolve()
      .then(call)
      .then(
        () => undefined,
        (error: unknown) => this.options.log.error({ err: error }, 'report delivery failed'),
      )
      .finally(() => {
        this.delivering.delete(delivery);
        this.settle();
      });
    this.delivering.add(delivery);
  }

  private pump(): void {
    if (this.running || this.halted) return;
    const request = this.waiting.shift();
    if (!request) {
      this.settle();
      this.linger();
      return;
    }
    clearTimeout(this.idleTimer);
    const worker = this.ensureWorker();
    // A thread at work keeps the process alive until its report is delivered or it is stopped.
    worker.ref();
    this.running = { id: this.nextId++, request };
    const message: JobMessage = { id: this.running.id, job: request.job, heavy: request.heavy };
    worker.postMessage(message);
  }

  /** Keeps an idle thread for a while (never holding the process), then ends it to free its memory. */
  private linger(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker === worker && !this.running) {
        this.worker = undefined;
        void worker.terminate();
      }
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorkerModule({
      parent: import.meta.url,
      module: './reportWorker',
      entry: 'serveReports',
      data: this.options.dbPath,
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    worker.on('message', (message: ResultMessage) => this.finished(worker, message));
    // A crash (out of memory, a module that does not load): the report in progress fails, and
    // the next one gets a new thread.
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`report thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private finished(worker: Worker, message: ResultMessage): void {
    const running = this.running;
    if (worker !== this.worker || !running || running.id !== message.id) return;
    this.running = undefined;
    const { request } = running;
    if (message.ok) {
      const files = message.files.map((f) => ({ ...f, data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength) }));
      this.deliver(() => request.done({ files, about: message.about }));
    } else {
      this.options.log.error({ error: message.error, scope: request.job.scope, formats: request.job.formats }, 'report not made');
      this.deliver(() => request.failed(new Error(message.error)));
    }
    this.pump();
  }

  private lost(worker: Worker, error: Error): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    void worker.terminate();
    const running = this.running;
    this.running = undefined;
    if (running) {
      this.options.log.error({ err: error, scope: running.request.job.scope }, 'report thread failed');
      this.deliver(() => running.request.failed(error));
    } else if (!this.halted) {
      this.options.log.warn({ err: error }, 'idle report thread ended');
    }
    this.pump();
  }
}

/**
 * The queue of each open database. Commands reach the queue through the database handle they are
 * given (no new field on every command's context for one command): the core registers it when it
 * opens a file. Nothing registered — an in-memory database, a tool — means files are made inline.
 */
const QUEUES = new WeakMap<Db, ReportQueue>();

export function attachReportQueue(db: Db, queue: ReportQueue): void {
  QUEUES.set(db, queue);
}

export function reportQueueFor(db: Db): ReportQueue | undefined {
  return QUEUES.get(db);
}
