import type { AdapterState, AdapterStatus, ChatAdapter, Platform } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import { packageVersion, type StatusSource } from '../commands/shared/status.js';

export interface ProcessStatusDeps {
  /** main's adapters by platform (the same map `deliver` uses). */
  adapters: ReadonlyMap<Platform, ChatAdapter>;
  dbPath: string;
  /** The core's clock: uptime is measured on the same clock as the command's "now". */
  clock: Clock;
  version?: string;
}

/** The status of the process main runs. The scheduler is built after the core, so it is attached later. */
export class ProcessStatus implements StatusSource {
  readonly startedAt: Date;
  readonly version: string;
  readonly dbPath: string;
  /** Set once the Ticker exists; until then there has been no tick. */
  ticker?: { readonly lastTickAt: Date | null };

  constructor(private readonly deps: ProcessStatusDeps) {
    this.startedAt = deps.clock.now();
    this.version = deps.version ?? packageVersion();
    this.dbPath = deps.dbPath;
  }

  adapters(): Array<{ platform: Platform; status?: AdapterStatus }> {
    return [...this.deps.adapters.values()].map((a) => ({ platform: a.platform, status: a.status?.() }));
  }

  lastTickAt(): Date | null {
    return this.ticker?.lastTickAt ?? null;
  }
}

/**
 * An adapter's own record of its state. `since` moves only when the state changes, so "connecting
 * since 10:05" stays true across several retries while the detail says the latest one.
 */
export class StatusTracker {
  private current: AdapterStatus;

  constructor(
    private readonly now: () => Date,
    detail = 'chưa khởi động',
  ) {
    this.current = { state: 'stopped', since: now(), detail };
  }

  set(state: AdapterState, detail?: string): void {
    const since = state === this.current.state ? this.current.since : this.now();
    this.current = { state, since, ...(detail === undefined ? {} : { detail }) };
  }

  get(): AdapterStatus {
    return { ...this.current };
  }
}

/** "5 giây", "15 phút": how long until a retry, as the status detail says it. */
export function retryDelayText(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} giây` : `${Math.round(ms / 60_000)} phút`;
}
