import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs one benchmark scenario in a process of its own and returns the JSON its last stdout line
 * holds. node itself runs the script (tsx as a loader), so the process's resourceUsage (peak RSS)
 * is the scenario's own, not the benchmark runner's.
 */
export function childScenario<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`${basename(script, '.ts')} ${args[0]} exited with ${code}:\n${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
    });
  });
}
