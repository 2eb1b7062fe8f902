import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { type Clock, TIME_ZONE } from '../core/clock.js';

/** Something the scheduler does every minute with the clock's "now". */
export interface Job {
  name: string;
  run(now: Date): Promise<void>;
}

/**
 * The minute tick. node-cron only says "a minute passed"; the instant handed to jobs comes from
 * the injected clock, so a demo with DVK_NOW and a test with a fixed clock plan the same way.
 */
export class Ticker {
  private task?: ScheduledTask;
  lastTickAt: Date | null = null;

  constructor(private readonly deps: { jobs: readonly Job[]; clock: Clock; log: Logger }) {}

  /** The tick under way, if any. */
  private running?: Promise<void>;

  /**
   * Runs every job once; one job failing never keeps the others from running. A tick asked for
   * while one runs (main's catch-up at start meeting the first minute of cron, whose `noOverlap`
   * knows only its own ticks) waits for that one instead of running the jobs a second time at once:
   * two backups of the same minute would write the same file.
   */
  tick(): Promise<void> {
    if (this.running) return this.running;
    const running = this.runJobs().finally(() => {
      this.running = undefined;
    });
    this.running = running;
    return running;
  }

  /**
   * Runs every job once at the clock's present instant, after any tick under way: the simulator's
   * clock was just moved forward, and joining a tick begun before the move would run the jobs at
   * the old instant only.
   */
  async tickNow(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    await this.tick();
  }

  private async runJobs(): Promise<void> {
    const now = this.deps.clock.now();
    for (const job of this.deps.jobs) {
      try {
        await job.run(now);
      } catch (error) {
        this.deps.log.error({ err: error, job: job.name }, 'scheduled job failed');
      }
    }
    this.lastTickAt = now;
  }

  start(): void {
    // noOverlap: a slow tick (a long fan-out) is never run twice at once.
    this.task = cron.schedule('* * * * *', () => this.tick(), { timezone: TIME_ZONE, noOverlap: true, name: 'dvk-tick' });
  }

  async stop(): Promise<void> {
    await this.task?.stop();
  }
}
