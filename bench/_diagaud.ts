// TEMPORARY diagnostic
import { performance } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { openDatabase } from '../db/client.js';
import { chatMembers, chats, identities, roles } from '../db/schema.js';
const { seedForDiag } = await import('./_seedexport.js');
const database = await openDatabase(join(mkdtempSync(join(tmpdir(), 'dvk-diag-')), 'b.sqlite'));
const db = database.db;
seedForDiag(db);
const q = (unitId: number) => db
    .select({ chat: chats, userId: identities.platformUserId, name: identities.displayName, username: identities.username })
    .from(roles)
    .innerJoin(chatMembers, eq(chatMembers.personId, roles.personId))
    .innerJoin(chats, eq(chats.id, chatMembers.chatId))
    .innerJoin(identities, and(eq(identities.personId, roles.personId), eq(identities.platform, chats.platform)))
    .where(and(eq(roles.role, 'officer'), eq(roles.unitId, unitId), eq(chats.active, true), eq(chats.kind, 'group')))
    .orderBy(chats.id, identities.displayName);
const s = q(1).toSQL();
console.log(s.sql);
console.log(database.sqlite.prepare('explain query plan ' + s.sql).all(...s.params));
let t = performance.now();
for (let i = 1; i <= 5000; i++) q(i).all();
console.log('drizzle build+run', (performance.now() - t).toFixed(0));
t = performance.now();
for (let i = 1; i <= 5000; i++) q(i).toSQL();
console.log('drizzle build only', (performance.now() - t).toFixed(0));
const st = database.sqlite.prepare(s.sql);
t = performance.now();
for (let i = 1; i <= 5000; i++) st.all('officer', i, 1, 'group');
console.log('raw prepared', (performance.now() - t).toFixed(0));
