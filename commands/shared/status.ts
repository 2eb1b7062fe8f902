import { readFileSync } from 'node:fs';
import type { AdapterStatus, Platform } from '../../core/chat.js';

/**
 * What /trangthai knows about the running process beyond the database: the adapters' links to
 * their platforms, the scheduler's last tick, where the database file is, when the process
 * started and which version it runs. main builds one (ProcessStatus) and hands it to the core;
 * tests pass a fake, and without one (the CLI, most tests) /trangthai says what the database knows.
 */
export interface StatusSource {
  /** Every adapter this process runs; `status` is absent for an adapter that cannot tell. */
  adapters(): Array<{ platform: Platform; status?: AdapterStatus }>;
  /** The scheduler's last minute tick; null before the first one. */
  lastTickAt(): Date | null;
  readonly dbPath: string;
  readonly startedAt: Date;
  readonly version: string;
}

let cachedVersion: string | undefined;

/**
 * Where package.json sits from this file: two folders up in the sources (tsx, tests), three in a
 * build (dist/commands/shared/status.js, see tsconfig.build.json).
 */
const PACKAGE_JSON = ['../../package.json', '../../../package.json'];

/** The "version" of package.json, read once; "?" if it cannot be read (never fails a command). */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    cachedVersion = '?';
    for (const path of PACKAGE_JSON) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name !== 'dvk-bot') continue;
        cachedVersion = typeof pkg.version === 'string' ? pkg.version : '?';
        break;
      } catch {
        // Not there: try the next place.
      }
    }
  }
  return cachedVersion;
}
