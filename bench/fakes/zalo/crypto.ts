import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/**
 * The fake Zalo's side of zca-js 2.2.0's ciphers, written with node:crypto from what
 * node_modules/zca-js/dist/utils.js does with crypto-js, so the real zca-js code decodes what the
 * fake answers (and the fake reads what zca-js sends). Each function names its zca-js mirror.
 */

const ZERO_IV = Buffer.alloc(16);

function cbc(key: Buffer): string {
  return `aes-${key.length * 8}-cbc`;
}

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function evenOdd(text: string): { even: string[]; odd: string[] } {
  const even: string[] = [];
  const odd: string[] = [];
  [...text].forEach((ch, i) => (i % 2 === 0 ? even : odd).push(ch));
  return { even, odd };
}

/**
 * The key the two login calls encrypt their params with, and that the getLoginInfo answer must be
 * encrypted with: `ParamsEncryptor.createEncryptKey` derives it from `zcid` and a random
 * `zcid_ext`, both of which travel in the URL, so the server can derive it too.
 */
export function loginKeyOf(zcid: string, zcidExt: string): string {
  const { even: fromExt } = evenOdd(md5Hex(zcidExt).toUpperCase());
  const { even, odd } = evenOdd(zcid);
  return fromExt.slice(0, 8).join('') + even.slice(0, 12).join('') + odd.reverse().slice(0, 12).join('');
}

/** `ParamsEncryptor.encodeAES`'s cipher (UTF-8 key, zero IV, AES-CBC), decrypting base64 or hex. */
export function decodeWithTextKey(key: string, data: string, encoding: 'base64' | 'hex'): string {
  const k = Buffer.from(key, 'utf8');
  const decipher = createDecipheriv(cbc(k), k, ZERO_IV);
  return Buffer.concat([decipher.update(Buffer.from(data, encoding)), decipher.final()]).toString('utf8');
}

/** What `decryptResp` (used by `login`) decodes: AES-CBC with the UTF-8 login key, base64. */
export function encodeWithTextKey(key: string, text: string): string {
  const k = Buffer.from(key, 'utf8');
  const cipher = createCipheriv(cbc(k), k, ZERO_IV);
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

/** zcid is `type,imei,firstLaunchTime` under a key fixed in zca-js's ParamsEncryptor.createZcid. */
export function decodeZcid(zcid: string): string {
  return decodeWithTextKey('3FC4F0D2AB50057BCE0D90D9187A22B1', zcid, 'hex');
}

/** `getSignKey`: md5 of "zsecure" + the call's name + the params' values in key order. */
export function signKeyOf(type: string, params: Record<string, string>): string {
  return md5Hex(
    `zsecure${type}${Object.keys(params)
      .sort()
      .map((k) => params[k])
      .join('')}`,
  );
}

/** A session key as the login answer's `zpw_enk` gives it (base64; its length here is a guess). */
export function newSessionKey(): string {
  return randomBytes(16).toString('base64');
}

/** `encodeAES(secretKey, …)`: how zca-js encrypts every session request's params. */
export function encodeSession(secretKey: string, text: string): string {
  const k = Buffer.from(secretKey, 'base64');
  const cipher = createCipheriv(cbc(k), k, ZERO_IV);
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

/** `decodeAES(secretKey, …)`; throws when `data` was not encrypted with this key. */
export function decodeSession(secretKey: string, data: string): string {
  const k = Buffer.from(secretKey, 'base64');
  const decipher = createDecipheriv(cbc(k), k, ZERO_IV);
  return Buffer.concat([decipher.update(Buffer.from(decodeURIComponent(data), 'base64')), decipher.final()]).toString('utf8');
}

/** The socket's cipher key, sent in the cmd 1 / subCmd 1 frame (base64 of an AES-GCM key). */
export function newCipherKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * `decodeEventData`'s four `encrypt` modes: 0 plain JSON; 1 base64 of zlib-deflated JSON; 2 AES-GCM
 * (iv = first 16 bytes, additional data = next 16, then ciphertext + 16-byte tag) over deflated
 * JSON, base64 then URI-encoded; 3 the same without compression. zca-js inflates with pako, which
 * reads zlib's output; Zalo's real pushes are mode 2 as far as zca-js's code path shows.
 */
export type EncryptMode = 0 | 1 | 2 | 3;

export function encodeEventData(cipherKey: string, value: unknown, encrypt: EncryptMode): { data: string; encrypt: EncryptMode } {
  const json = JSON.stringify(value);
  if (encrypt === 0) return { data: json, encrypt };
  const plain = encrypt === 3 ? Buffer.from(json, 'utf8') : deflateSync(Buffer.from(json, 'utf8'));
  if (encrypt === 1) return { data: plain.toString('base64'), encrypt };
  const iv = randomBytes(16);
  const additionalData = randomBytes(16);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(cipherKey, 'base64'), iv);
  cipher.setAAD(additionalData);
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { data: encodeURIComponent(Buffer.concat([iv, additionalData, sealed]).toString('base64')), encrypt };
}
