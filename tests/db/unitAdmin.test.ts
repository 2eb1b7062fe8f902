import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET as JOIN_CODE_ALPHABET } from '../../db/codes.js';
import { units } from '../../db/schema.js';
import { generateJoinCode } from '../../db/unitAdmin.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

describe('generateJoinCode', () => {
  it('uses six unambiguous characters', async () => {
    h = await demo();
    expect(JOIN_CODE_ALPHABET).not.toMatch(/[0O1I]/);
    for (let i = 0; i < 50; i++) expect(generateJoinCode(h.db)).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
  });

  it('steps past a code another unit already has', async () => {
    h = await demo();
    h.db.insert(units).values({ name: 'Thôn A', shortCode: 'THON-A', kind: 'other', joinCode: 'AAAAAA', createdAt: 0, updatedAt: 0 }).run();
    const picks = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    expect(generateJoinCode(h.db, () => picks.shift()!)).toBe('BBBBBB');
    expect(picks).toEqual([]);
  });
});
