import type { EventEmitter } from 'node:events';

/**
 * Resolves with `probe()`'s first value that is not undefined/false/null, checking again whenever
 * `events` emits "change" (the fake saw a request, a frame, a connection; the bed a message or a
 * back-off wait). The timeout only turns a hang into a clear failure; nothing waits for time.
 */
export function untilChange<T>(events: EventEmitter, probe: () => T | undefined | false | null, what: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      events.off('change', check);
    };
    const check = () => {
      const value = probe();
      if (value !== undefined && value !== false && value !== null) {
        finish();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${what} did not come within ${timeoutMs} ms`));
    }, timeoutMs);
    events.on('change', check);
    check();
  });
}
