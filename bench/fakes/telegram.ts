import type { ApiClientOptions } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';

/**
 * What the fake Bot APIs share: the bot as getMe describes it, the text a person reads, grammY's
 * `fetch` as an in-memory fake sees it (`botApiFetch`), and the multipart bodies uploads come in.
 *
 * There are two kinds of fake, kept apart on purpose. In memory, behind grammY's `fetch` option:
 * bench/instantBotApi.ts (answers at once and only counts, so a benchmark measures the bot, not
 * the fake), the tests' FakeTelegram (tests/helpers/telegramBot.ts: records every call, scripted
 * failures, Telegram's recorded answers) and the outage in tests/hardening/platformDown.test.ts
 * (long polls in simulated time). Over HTTP: tests/helpers/fakeBotApi.ts, for what only a real
 * connection shows (`npm start` in a child process, long polling, downloads, a send cut by a
 * signal). Fakes live under bench/ when benchmarks and tests both drive them; tests may import
 * bench, bench never imports tests.
 */

export const BOT_INFO: UserFromGetMe = {
  id: 777000111,
  is_bot: true,
  first_name: 'DVK',
  username: 'dvk_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** What a person reads of an HTML message: tags dropped, entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** One call as an in-memory fake sees it: the method, its parameters and the files uploaded with it. */
export interface FetchedCall {
  method: string;
  /** JSON bodies as sent; multipart text fields as text, except objects and arrays, which come as JSON. */
  payload: Record<string, unknown>;
  files: UploadedFile[];
  signal?: AbortSignal;
}

export interface UploadedFile {
  /** The multipart field the file came in (grammY uses a random id, referenced by attach://). */
  field: string;
  filename?: string;
  data: Buffer;
}

/**
 * grammY's `fetch` option over a function that answers Bot API calls with the JSON Telegram would
 * send back (`{ ok, result }` or an error). No network and no HTTP: grammY's own client, the
 * adapter's transformers and auto-retry run as in production. Throwing plays a connection that fails.
 */
export function botApiFetch(answer: (call: FetchedCall) => unknown | Promise<unknown>): NonNullable<ApiClientOptions['fetch']> {
  return (async (url: string | URL, init?: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal }) => {
    const text = String(url);
    const method = text.slice(text.lastIndexOf('/') + 1);
    const body = init?.body;
    let payload: Record<string, unknown> = {};
    let files: UploadedFile[] = [];
    if (typeof body === 'string') payload = JSON.parse(body) as Record<string, unknown>;
    else if (body !== undefined && body !== null)
      ({ payload, files } = await readMultipart(body as AsyncIterable<Uint8Array>, init?.headers?.['content-type'] ?? ''));
    // Awaited only when it is a promise: an instant answer costs the benchmark no extra turn.
    const answered = answer({ method, payload, files, signal: init?.signal });
    const response = answered instanceof Promise ? await answered : answered;
    return { json: async () => response };
  }) as unknown as NonNullable<ApiClientOptions['fetch']>;
}

/** An upload as grammY streams it: text fields into the payload, files aside. */
async function readMultipart(body: AsyncIterable<Uint8Array>, contentType: string): Promise<{ payload: Record<string, unknown>; files: UploadedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return formFields(Buffer.concat(chunks), contentType);
}

/** The fields of a multipart/form-data body (`contentType` names its boundary). */
export function formFields(body: Buffer, contentType: string): { payload: Record<string, unknown>; files: UploadedFile[] } {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(contentType);
  if (!boundary) throw new Error(`no multipart boundary in "${contentType}"`);
  const payload: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  for (const part of multipartParts(body, boundary[1] ?? boundary[2]!)) {
    if (part.filename !== undefined) files.push({ field: part.name, filename: part.filename, data: part.data });
    else payload[part.name] = decodeField(part.data.toString('utf8'));
  }
  return { payload, files };
}

/** Objects and arrays arrive as JSON text in form fields; plain values stay text. */
export function decodeField(value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Enough of multipart/form-data for grammY's uploads (its headers are terse: `name="x";filename=y`). */
function multipartParts(body: Buffer, boundary: string): Array<{ name: string; filename?: string; data: Buffer }> {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ name: string; filename?: string; data: Buffer }> = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, from);
    if (next < 0) break;
    // Between "--boundary\r\n" and "\r\n--boundary".
    const chunk = body.subarray(from + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    if (split >= 0) {
      const headers = chunk.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(headers);
      if (name !== undefined) parts.push({ name, filename: filename ? (filename[1] ?? filename[2]) : undefined, data: chunk.subarray(split + 4) });
    }
    start = next;
  }
  return parts;
}
