import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { identities, models, people } from '../../db/schema.js';
import { type TelegramBot, telegramBot, textUpdate } from '../helpers/telegramBot.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { Harness } from '../helpers/harness.js';

/**
 * Direction controls (an RTL override shows "abc" as "cba" and turns the text after it around),
 * direction marks and isolates, zero-width joiners and non-joiners are invisible: in a stored
 * name or answer they make two names look the same while they differ, or garble a report. They
 * are removed on the way in like the other invisible characters, so what is stored is what is seen.
 */

/** Each of them once: RLO, LRO, PDF, RLE, RLM, LRM, ALM, ZWJ, ZWNJ, word joiner, RLI, PDI, soft hyphen, NEL. */
const INVISIBLE = ['\u202e', '\u202d', '\u202c', '\u202b', '\u200f', '\u200e', '\u061c', '\u200d', '\u200c', '\u2060', '\u2067', '\u2069', '\u00ad', '\u0085'];

let t: TelegramBot | undefined;
let h: Harness | undefined;
afterEach(() => {
  t?.close();
  h?.close();
  t = h = undefined;
});

describe('invisible characters in what is stored', () => {
  it('a Telegram name with direction overrides, marks, isolates and joiners is stored as it reads', async () => {
    t = await telegramBot();
    const user = { id: 6111222333, is_bot: false, first_name: `La\u200dn\u202e`, last_name: `\u2067Trần\u2069 \u200fThị\u00ad`, language_code: 'vi' };
    await t.feed(textUpdate(user, '/huongdan'));

    const identity = t.db
      .select()
      .from(identities)
      .where(eq(identities.platformUserId, String(user.id)))
      .get();
    expect(identity?.displayName).toBe('Lan Trần Thị');
    expect(t.db.select({ name: people.displayName }).from(people).where(eq(people.id, identity!.personId)).get()).toEqual({ name: 'Lan Trần Thị' });
  });

  it('an answer with every one of them is stored without them (a model registered through /dangky)', async () => {
    h = await Harness.demo();
    const group = { group: DEMO_GROUP };
    const officer = DEMO_PEOPLE.officer;
    const clean = DANGKY_ANSWERS[3];
    // Two invisible characters after each word of the name: all of them, once each.
    const words = clean.split(' ');
    expect(words.length * 2).toBe(INVISIBLE.length);
    const typed = words.map((word, i) => `${word}${INVISIBLE[2 * i]}${INVISIBLE[2 * i + 1]}`).join(' ');

    await h.say(officer, '/dangky', group);
    for (const answer of [...DANGKY_ANSWERS.slice(0, 3), typed, ...DANGKY_ANSWERS.slice(4)]) await h.say(officer, answer, group);
    expect(await h.text(officer, 'đồng ý', group)).toMatch(new RegExp(`^✅ Đã ghi nhận “${clean}”`));
    expect(h.db.select({ name: models.name }).from(models).where(eq(models.name, clean)).all()).toEqual([{ name: clean }]);
  });
});
