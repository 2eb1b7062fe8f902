import pino, { type Logger } from 'pino';

/** A logger whose lines (info and above) the test reads back as objects. */
export function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown> & { level: number; msg: string; err?: { message: string } }> } {
  const lines: Array<Record<string, unknown> & { level: number; msg: string; err?: { message: string } }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}
