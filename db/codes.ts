import { randomInt } from 'node:crypto';

/**
 * The codes people type from a phone screen or a sheet of paper (join codes, link codes): no
 * 0/O and no 1/I, so a code read aloud or copied by hand is typed right.
 */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 6;
export const LINK_CODE_LENGTH = 8;

/**
 * A random code that `isTaken` does not know. `pick(n)` returns an integer in [0, n); tests
 * inject one to force a collision. 32^6 ≈ 10^9 codes against a few thousand in use: a retry is
 * already rare, a hundred in a row means something else is wrong.
 */
export function uniqueCode(length: number, isTaken: (code: string) => boolean, pick: (n: number) => number = randomInt): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    let code = '';
    for (let i = 0; i < length; i++) code += CODE_ALPHABET[pick(CODE_ALPHABET.length)];
    if (!isTaken(code)) return code;
  }
  throw new Error('could not find a free code');
}
