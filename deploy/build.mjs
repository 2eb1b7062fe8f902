// `npm run build`: the JavaScript production runs (`npm run start:prod`, deploy/Dockerfile,
// deploy/dvk-bot.service), so a start pays neither tsx's compile nor its memory.
//   node deploy/build.mjs [outDir]     (default: dist, beside this folder)
// The folder is emptied first: a source file deleted since the last build must not live on in it.
// Besides the compiled code, what the code reads by its own path at run time is copied in:
// the SQL migrations (db/client.ts). package.json is read from the root (commands/shared/status.ts),
// the report thread's module sits compiled beside its queue (reports/reportQueue.ts), and
// config/calendar.json is found from the working directory, as with `npm start`.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = resolve(root, process.argv[2] ?? 'dist');

rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
if (compiled.status !== 0) {
  process.stderr.write(`tsc failed (${compiled.status ?? compiled.signal}); ${outDir} is incomplete\n`);
  process.exit(1);
}
cpSync(join(root, 'db/migrations'), join(outDir, 'db/migrations'), { recursive: true });
