import { describe, expect, it } from 'vitest';
import { nextModelCode } from '../../db/models.js';
import { models } from '../../db/schema.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

/** nextModelCode reads the year's codes as a range of the codes' index: these pin what that range means. */
describe('nextModelCode', () => {
  let h: Harness;
  const demo = demoPerTest({ now: '2026-11-21T09:00:00+07:00' });

  function addCode(code: string, year: number) {
    const template = h.db.select().from(models).get()!;
    const { id: _id, ...rest } = template;
    h.db
      .insert(models)
      .values({ ...rest, code, year, name: code, nameKey: code.toLowerCase() })
      .run();
  }

  it('follows the highest number of the year, as a number, past 9999', async () => {
    h = await demo();
    const demoCodes = h.db
      .select({ code: models.code })
      .from(models)
      .all()
      .map((m) => m.code)
      .filter((c) => c.startsWith('DVK-2026-'));
    const highest = Math.max(...demoCodes.map((c) => Number(c.slice('DVK-2026-'.length))));
    expect(nextModelCode(h.db, 2026)).toBe(`DVK-2026-${String(highest + 1).padStart(4, '0')}`);

    addCode('DVK-2026-9999', 2026);
    expect(nextModelCode(h.db, 2026)).toBe('DVK-2026-10000');
    addCode('DVK-2026-10000', 2026);
    // As text "DVK-2026-9999" sorts after "DVK-2026-10000"; as numbers it does not.
    expect(nextModelCode(h.db, 2026)).toBe('DVK-2026-10001');
  });

  it('counts each year on its own, and is not fooled by look-alike codes', async () => {
    h = await demo();
    addCode('DVK-2027-0041', 2027);
    addCode('DVK-20270-0900', 2027); // a longer "year" is another prefix
    addCode('dvk-2027-0500', 2027); // lower case: not the bot's code (LIKE would have matched it)
    expect(nextModelCode(h.db, 2027)).toBe('DVK-2027-0042');
    expect(nextModelCode(h.db, 2028)).toBe('DVK-2028-0001');
  });
});
