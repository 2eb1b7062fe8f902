import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Structured logs on stderr (stdout belongs to the simulator's conversation). Secret-bearing
 * keys are censored wherever they appear, as a second line of defence: the first is never
 * putting a token or cookie into a log object at all.
 */
export function createLogger(level: LogLevel, destination: number | string = 2): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['token', '*.token', 'botToken', 'cookie', 'cookies', '*.cookie', '*.cookies', 'TELEGRAM_BOT_TOKEN', '*.TELEGRAM_BOT_TOKEN'],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: destination, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
