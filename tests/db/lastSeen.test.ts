import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ChatRef, PlatformUser } from '../../core/chat.js';
import { recordChatPresence } from '../../db/chats.js';
import { LAST_SEEN_REFRESH_MS, resolveCaller } from '../../db/people.js';
import { chatMembers, identities } from '../../db/schema.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const empty = emptyPerTest();

const GROUP: ChatRef = { platform: 'telegram', id: '-1001234567890', kind: 'group', title: 'Dân vận khéo xã Hòa Phú' };
const LAN: PlatformUser = { id: '5550001', displayName: 'Nguyễn Thị Lan', username: 'lan_hoaphu' };

/** One message from Lan in the group, as the dispatcher records it: who she is, where she was seen. */
function message(user: PlatformUser, at: Date) {
  const caller = resolveCaller(h.db, 'telegram', user, at);
  recordChatPresence(h.db, GROUP, caller.personId, at);
  return caller;
}

function seen(personId: number) {
  const identity = h.db
    .select()
    .from(identities)
    .where(and(eq(identities.platform, 'telegram'), eq(identities.platformUserId, LAN.id)))
    .get()!;
  const member = h.db.select().from(chatMembers).where(eq(chatMembers.personId, personId)).get()!;
  return { identity: identity.lastSeenAt, member: member.lastSeenAt, name: identity.displayName, username: identity.username };
}

describe('last-seen times', () => {
  it('are refreshed once they are a quarter of an hour old, not at every answer; a new name is written at once', async () => {
    h = await empty({ now: '2026-11-23T08:30:00+07:00' });
    const start = h.clock.now().getTime();
    const at = (ms: number) => new Date(start + ms);
    expect(LAST_SEEN_REFRESH_MS).toBe(15 * 60_000);

    const { personId } = message(LAN, at(0));
    expect(seen(personId)).toEqual({ identity: start, member: start, name: LAN.displayName, username: LAN.username });

    // A flow answered quickly: nothing rewritten (the stored times are still the first message's).
    for (const s of [5, 20, 60, 300, 899]) message(LAN, at(s * 1000));
    expect(seen(personId)).toMatchObject({ identity: start, member: start });

    // Fifteen minutes later both move to that message's time.
    message(LAN, at(LAST_SEEN_REFRESH_MS));
    expect(seen(personId)).toMatchObject({ identity: start + LAST_SEEN_REFRESH_MS, member: start + LAST_SEEN_REFRESH_MS });

    // A renamed account is written with the next message, however soon.
    message({ ...LAN, displayName: 'Nguyễn Thị Lan (xã Hòa Phú)', username: 'lan_hp' }, at(LAST_SEEN_REFRESH_MS + 2000));
    expect(seen(personId)).toEqual({
      identity: start + LAST_SEEN_REFRESH_MS + 2000,
      member: start + LAST_SEEN_REFRESH_MS,
      name: 'Nguyễn Thị Lan (xã Hòa Phú)',
      username: 'lan_hp',
    });
  });
});
