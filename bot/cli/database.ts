import { type Db, openDatabase } from '../../db/client.js';
import { ensureDefaults } from '../../db/defaults.js';
import { type Clock, fixedClock, systemClock } from '../../core/clock.js';
import { loadConfigOrSay } from '../config.js';

/**
 * Runs one operator command against the configured database (DB_PATH, DVK_NOW) and turns the
 * outcome into an exit code: 0 done, 1 refused (`refusal` recognises the error and says why,
 * nothing changed), 2 wrong configuration (the same one line as the bot prints).
 */
export async function runWithDatabase(job: (db: Db, now: Date) => string | Promise<string>, refusal: (error: unknown) => string | undefined): Promise<number> {
  const config = loadConfigOrSay();
  if (!config) return 2;
  const clock: Clock = config.DVK_NOW ? fixedClock(config.DVK_NOW) : systemClock;
  const database = await openDatabase(config.DB_PATH, { clock });
  try {
    ensureDefaults(database.db, clock.now());
    process.stdout.write(await job(database.db, clock.now()));
    return 0;
  } catch (error) {
    const why = refusal(error);
    if (why === undefined) throw error;
    process.stderr.write(why);
    return 1;
  } finally {
    database.close();
  }
}

/** Runs a CLI's main and sets the exit code; an unexpected error is one line, never a stack of secrets. */
export function exitWith(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
