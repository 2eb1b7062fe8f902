import { chatMembers, chats, identities, people, roles, units } from '../db/schema.js';
import { openDatabase } from '../db/client.js';
import { SYSTEM_ACTOR } from '../db/audit.js';
import { addOneOffDeadline } from '../db/deadlines.js';
import { ensureDefaults } from '../db/defaults.js';
const chatIdOf = (i: number) => String(-1_000_000_000_000 - i);

/** One unit per group, each with one officer seen there; bulk inserts in one transaction. */
function seed(db: Awaited<ReturnType<typeof openDatabase>>['db'], n: number, at: number): string[] {
  const CHUNK = 500;
  const ids = Array.from({ length: n }, (_, k) => k + 1);
  db.transaction((tx) => {
    for (let from = 0; from < n; from += CHUNK) {
      const part = ids.slice(from, from + CHUNK);
      tx.insert(units)
        .values(part.map((i) => ({ id: i, name: `Xã Thử Nghiệm ${i}`, shortCode: `BENCH${i}`, kind: 'commune' as const, joinCode: `J${i}`, createdAt: at, updatedAt: at })))
        .run();
      tx.insert(people)
        .values(part.map((i) => ({ id: i, displayName: `Cán bộ ${i}`, unitId: i, createdAt: at, updatedAt: at })))
        .run();
      tx.insert(identities)
        .values(part.map((i) => ({ id: i, personId: i, platform: 'telegram' as const, platformUserId: String(100_000 + i), displayName: `Cán bộ ${i}`, lastSeenAt: at })))
        .run();
      tx.insert(roles)
        .values(part.map((i) => ({ id: i, personId: i, role: 'officer' as const, unitId: i, createdAt: at })))
        .run();
      tx.insert(chats)
        .values(part.map((i) => ({ id: i, platform: 'telegram' as const, platformChatId: chatIdOf(i), kind: 'group' as const, title: `Nhóm xã ${i}`, unitId: i, createdAt: at, updatedAt: at })))
        .run();
      tx.insert(chatMembers)
        .values(part.map((i) => ({ chatId: i, personId: i, lastSeenAt: at })))
        .run();
    }
  });
  return ids.map(chatIdOf);
}


export function seedForDiag(db: any) { const at = new Date('2026-12-14T08:00:00+07:00'); ensureDefaults(db, at); seed(db, 5000, at.getTime()); addOneOffDeadline(db, { title: 'x', date: '2026-12-14', done: 'quota_registered', unitId: null }, SYSTEM_ACTOR, at); }
