import pino, { type DestinationStream, type Logger, stdSerializers } from 'pino';
import type { LogLevel } from './config.js';

/**
 * A Telegram bot token wherever it sits in a text, also URL-encoded: "123456789:AA…". grammY's
 * HttpError keeps the fetch error it wraps, and that error's message (and stack) is the request
 * URL — https://api.telegram.org/bot<token>/getMe — so a logged network failure would print it.
 */
const BOT_TOKEN = /\d{5,}(?::|%3A)[A-Za-z0-9_-]{30,}/gi;

/** Copies a serialised error with every bot token in its strings (nested causes too) censored, and every `hidden` text. */
function scrubTokens(value: unknown, hidden: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') {
    let text = value.replace(BOT_TOKEN, '[redacted]');
    for (const h of hidden) text = text.replaceAll(h, '[…]');
    return text;
  }
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => scrubTokens(item, hidden, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = scrubTokens(item, hidden, depth + 1);
  return copy;
}

/**
 * pino's error serializer (type, message, stack, causes, own fields), then tokens censored, and
 * each of `hidden` (what a person wrote, quoted in an error's message) left out.
 */
export function serializeError(error: unknown, hidden: readonly string[] = []): unknown {
  return scrubTokens(
    error instanceof Error ? stdSerializers.err(error) : errorEvent(error),
    hidden.filter((h) => h !== ''),
  );
}

/**
 * An error event that is not an Error — the `ws` ErrorEvent zca-js emits as its listener's
 * 'error': its `error` and `message` are getters, so it would log as `{}` and hide why a socket
 * failed; serialised whole by another logger, its `target` (the socket, with the session cookie
 * in its request headers) would leak the cookie. Only the Error inside, or the message, is kept.
 */
function errorEvent(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { error, message } = value as { error?: unknown; message?: unknown };
  if (error instanceof Error) return stdSerializers.err(error);
  if (typeof message === 'string' && Object.getPrototypeOf(value) !== Object.prototype) return { type: value.constructor?.name ?? 'Object', message };
  return value;
}

/**
 * Structured logs on stderr (stdout belongs to the simulator's conversation). Secret-bearing
 * keys are censored wherever they appear, and tokens inside errors, as a second line of
 * defence: the first is never putting a token or cookie into a log object at all.
 */
export function createLogger(level: LogLevel, destination: number | string | DestinationStream = 2): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: serializeError, error: serializeError },
      redact: {
        paths: ['token', '*.token', 'botToken', 'cookie', 'cookies', '*.cookie', '*.cookies', 'TELEGRAM_BOT_TOKEN', '*.TELEGRAM_BOT_TOKEN'],
        censor: '[redacted]',
      },
    },
    // A stream: a benchmark reading each line as it is written (bench/zaloSoakWorld.ts).
    typeof destination === 'object' ? destination : pino.destination({ dest: destination, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
