import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root: where npm scripts and bot/main.ts run. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * This process's environment without what would pick a platform, a database, a folder or a log
 * level for the bot under test (DB_PATH, TELEGRAM_*, ZALO_*, DVK_*, LOG_LEVEL, and the prefixes in
 * `also`, e.g. NODE_ENV), with `extra` on top.
 */
export function cleanEnv(extra: Record<string, string> = {}, also: readonly string[] = []): NodeJS.ProcessEnv {
  const dropped = new RegExp(`^(${['DB_PATH', 'TELEGRAM_', 'ZALO_', 'DVK_', 'LOG_LEVEL', ...also].join('|')})`);
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.test(name))), ...extra };
}

export interface Ran {
  status: number | null;
  stdout: string;
  /** Without npm's own warnings. */
  stderr: string;
}

/** `npm <args>` as typed in `cwd` (the repository by default), run to its end (60 s at most). */
export function npm(args: readonly string[], options: { env: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number }): Ran {
  const result = spawnSync('npm', args, {
    cwd: options.cwd ?? REPO_ROOT,
    ...(options.input !== undefined && { input: options.input }),
    encoding: 'utf8',
    env: options.env,
    timeout: options.timeoutMs ?? 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.replace(/^npm warn.*\n/gm, '') };
}
