import { fold } from '../core/text.js';

/**
 * The one reader of model codes as people type them. Codes are `DVK-<year>-<n>`, n zero-padded to
 * four digits and growing past them (db/models.ts nextModelCode: DVK-2026-10000 follows
 * DVK-2026-9999), so the canonical form of a number is "at least four digits, no other leading
 * zeros": "dvk 2026 7" → DVK-2026-0007, "DVK-2026-010001" → DVK-2026-10001.
 */

/** The most digits a typed number may have (leading zeros included): a million models a year is far away. */
const MAX_DIGITS = 6;

const TYPED_CODE = new RegExp(`^dvk[\\s_-]*(\\d{4})[\\s_-]*(\\d{1,${MAX_DIGITS}})$`);

/** "dvk-2026-7", "DVK 2026 0007", "Dvk20260007" → "DVK-2026-0007"; undefined if it is not a model code. */
export function parseModelCode(raw: string): string | undefined {
  const match = TYPED_CODE.exec(fold(raw));
  if (!match) return undefined;
  return `DVK-${match[1]}-${String(Number(match[2])).padStart(4, '0')}`;
}
