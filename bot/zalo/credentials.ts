import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Credentials } from 'zca-js';
import { z } from 'zod';

/**
 * The saved Zalo login (what zca-js `login` takes). The cookie is as good as the account's
 * password: the file is 0600, written atomically, and no error message ever quotes it.
 */

/**
 * One cookie as zca-js accepts it: a browser-extension export (`name`) or a tough-cookie
 * serialization (`key`); other fields (domain, path, expiry…) pass through untouched.
 */
const cookieEntrySchema = z
  .looseObject({
    key: z.string().optional(),
    name: z.string().optional(),
    value: z.string(),
    domain: z.string().optional(),
  })
  .refine((c) => Boolean(c.key ?? c.name), { message: 'missing name' });

const cookieListSchema = z.array(cookieEntrySchema).min(1);

/**
 * zca-js also takes `{ url, cookies }` (some exporters write that); it only ever reads
 * `cookies`, so it is kept as the plain list. A cookie header string is not accepted by zca-js.
 */
const cookieSchema = z.union([cookieListSchema, z.object({ url: z.string(), cookies: cookieListSchema }).transform((c) => c.cookies)]);

const credentialsSchema = z.object({
  imei: z.string().trim().min(1),
  cookie: cookieSchema,
  userAgent: z.string().trim().min(1),
  language: z.string().trim().min(1).optional(),
});

export type ZaloCookie = z.infer<typeof cookieEntrySchema>;

export interface ZaloCredentials {
  imei: string;
  cookie: ZaloCookie[];
  userAgent: string;
  language?: string;
}

// Compile-time proof that what is saved can be handed to zca-js `login` as it is.
const _assignable: (c: ZaloCredentials) => Credentials = (c) => c;
void _assignable;

/** Unreadable, malformed or incomplete credentials; the message is safe to show and log. */
export class ZaloCredentialsError extends Error {
  override name = 'ZaloCredentialsError';
}

/** Names the wrong fields by path only: zod and JSON.parse messages may quote the values. */
function describeIssues(error: z.ZodError): string {
  const fields = new Set<string>();
  for (const issue of error.issues) {
    // Inside the cookie only its position is named: never a key that could carry a value.
    const [head, index] = issue.path;
    if (head === 'cookie') fields.add(typeof index === 'number' ? `cookie[${index}]` : 'cookie');
    else fields.add(issue.path.length > 0 ? issue.path.map(String).join('.') : '(toàn bộ tệp)');
  }
  return [...fields].join(', ');
}

export function readCredentials(path: string): ZaloCredentials {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ZaloCredentialsError(`Không tìm thấy tệp đăng nhập Zalo ${path}. Vui lòng đăng nhập Zalo lại để tạo tệp này.`);
    }
    throw new ZaloCredentialsError(`Không đọc được tệp đăng nhập Zalo ${path} (${code ?? 'lỗi không rõ'}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ZaloCredentialsError(`Tệp đăng nhập Zalo ${path} không phải JSON hợp lệ. Vui lòng đăng nhập Zalo lại.`);
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) {
    throw new ZaloCredentialsError(
      `Tệp đăng nhập Zalo ${path} thiếu hoặc sai: ${describeIssues(parsed.error)}. Cần có imei, cookie (danh sách cookie có name và value) và userAgent.`,
    );
  }
  const { imei, cookie, userAgent, language } = parsed.data;
  return language === undefined ? { imei, cookie, userAgent } : { imei, cookie, userAgent, language };
}

/**
 * Writes through a 0600 temp file in the same folder and a rename, so a crash never leaves a
 * half-written login and the cookie is never readable by others, even for a moment.
 */
export function writeCredentials(path: string, creds: ZaloCredentials): void {
  const parsed = credentialsSchema.safeParse(creds);
  if (!parsed.success) {
    throw new ZaloCredentialsError(`Không lưu thông tin đăng nhập Zalo vào ${path}: thiếu hoặc sai ${describeIssues(parsed.error)}.`);
  }
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(creds, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  // The umask may have narrowed the mode; make it exactly owner read/write.
  chmodSync(path, 0o600);
}
