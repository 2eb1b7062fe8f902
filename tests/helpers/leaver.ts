import type Database from 'better-sqlite3';
import type { ChatRef, Platform, PlatformUser } from '../../core/chat.js';
import { recordAudit } from '../../db/audit.js';
import { addAdmin, CLI_ACTOR } from '../../db/bootstrap.js';
import { recordChatPresence } from '../../db/chats.js';
import type { Db } from '../../db/client.js';
import { advanceConversation, insertConversation } from '../../db/conversations.js';
import { JOIN_FAILED } from '../../db/membership.js';
import { registerModel } from '../../db/models.js';
import { actorOf, resolveCaller } from '../../db/people.js';
import { createLinkCode, LINK_FAILED, mergePeople } from '../../db/personLink.js';
import { grantRole } from '../../db/roles.js';
import { deadlines, reminderOutbox } from '../../db/schema.js';
import { createUnit } from '../../db/unitAdmin.js';
import { addUpdate } from '../../db/updates.js';
import { newModel } from './rows.js';

/**
 * A small deployment around one officer with a history, built from the db functions the commands
 * use (not the demo): a province and a commune, an admin, and Phạm Thị Thu Hằng, officer of the
 * commune, with a second account merged in, two models, updates, a draft, a link code, wrong
 * codes, a private chat and a reminder that mentions her. What removing her must clean or keep.
 */

export const ADMIN_NAME = 'Trần Thị Bích';
export const GROUP_CHAT: ChatRef = { platform: 'console', id: 'Dân vận khéo xã Cẩm Xuyên', kind: 'group', title: 'Dân vận khéo xã Cẩm Xuyên' };

export interface LeaverAccount extends PlatformUser {
  platform: Platform;
}

/** Her main account (the one commands see) and the one merged into her. */
export interface LeaverAccounts {
  main: LeaverAccount;
  other: LeaverAccount;
}

export const TELEGRAM_LEAVER: LeaverAccounts = {
  main: { platform: 'telegram', id: '7391826455', displayName: 'Phạm Thị Thu Hằng', username: 'hang_camxuyen' },
  other: { platform: 'zalo', id: '8846201937554120', displayName: 'Thu Hằng Cẩm Xuyên' },
};

export interface Deployment {
  adminId: number;
  provinceId: number;
  communeId: number;
  leaverId: number;
  modelIds: number[];
}

export function buildDeployment(db: Db, now: Date, accounts: LeaverAccounts = TELEGRAM_LEAVER): Deployment {
  const earlier = new Date(now.getTime() - 30 * 24 * 60 * 60_000);
  const province = createUnit(db, { name: 'Tỉnh Hà Tĩnh', shortCode: 'HATINH', kind: 'province', parentId: null }, CLI_ACTOR, earlier);
  const commune = createUnit(db, { name: 'Xã Cẩm Xuyên', shortCode: 'CAMXUYEN', kind: 'commune', parentId: province.id }, CLI_ACTOR, earlier);
  const admin = addAdmin(db, { platform: 'console', platformUserId: ADMIN_NAME }, ADMIN_NAME, earlier).person;
  const adminActor = { personId: admin.id, label: `${ADMIN_NAME} (console:${ADMIN_NAME})` };

  const hang = resolveCaller(db, accounts.main.platform, accounts.main, earlier);
  const other = resolveCaller(db, accounts.other.platform, accounts.other, earlier);
  db.transaction((tx) => mergePeople(tx, hang.personId, other.personId, actorOf(other), earlier));
  db.transaction((tx) => grantRole(tx, { personId: hang.personId, role: 'officer', unitId: commune.id }, adminActor, earlier));
  const me = resolveCaller(db, accounts.main.platform, accounts.main, now);
  const actor = actorOf(me);

  recordChatPresence(db, GROUP_CHAT, hang.personId, now);
  const group = recordChatPresence(db, { ...GROUP_CHAT, platform: accounts.main.platform }, hang.personId, now);
  recordChatPresence(db, { platform: accounts.main.platform, id: accounts.main.id, kind: 'private', title: accounts.main.displayName }, hang.personId, now);

  const modelIds = [
    db.transaction((tx) => registerModel(tx, newModel(tx, commune.id, 'Chợ phiên 0 đồng'), actor, earlier)).id,
    db.transaction((tx) => registerModel(tx, newModel(tx, commune.id, 'Tuyến đường hoa nông thôn mới'), actor, earlier)).id,
  ];
  db.transaction((tx) =>
    addUpdate(tx, modelIds[0]!, { text: 'Đã tổ chức 3 phiên chợ cho 120 hộ.', percent: 40, progressState: 'in_progress', attachments: [] }, actor, now),
  );

  // A /dangky half typed, a link code asked for, two wrong guesses.
  const draft = insertConversation(
    db,
    { platform: accounts.main.platform, chatId: accounts.main.id, userId: accounts.main.id },
    { flow: 'dangky', step: 'name', context: {}, now, expiresAt: new Date(now.getTime() + 3_600_000) },
  );
  advanceConversation(db, draft, {
    step: 'content',
    answers: { name: 'Sân chơi thiếu nhi', holderName: accounts.main.displayName },
    now,
    expiresAt: new Date(now.getTime() + 3_600_000),
  });
  createLinkCode(db, hang.personId, actor, now);
  recordAudit(db, actor, now, { action: JOIN_FAILED, entity: 'person', entityId: hang.personId });
  recordAudit(db, actor, now, { action: LINK_FAILED, entity: 'person', entityId: hang.personId, after: { reason: 'unknown' } });

  // A reminder already sent that mentions her, and names her in its text.
  const deadline = db
    .insert(deadlines)
    .values({
      title: 'Báo cáo tháng',
      rule: 'monthly',
      params: { day: 25 },
      doneCriterion: 'period_updates',
      policy: { before: [3] },
      source: 'chat',
      createdAt: earlier.getTime(),
      updatedAt: earlier.getTime(),
    })
    .returning()
    .get();
  const mention = { platformUserId: accounts.main.id, displayName: accounts.main.displayName, username: accounts.main.username };
  db.insert(reminderOutbox)
    .values({
      deadlineId: deadline.id,
      occurrence: '2026-05-25',
      chatId: group,
      kind: 'before-3',
      payload: { parts: [{ mention }, `, đồng chí ${accounts.main.displayName} nhắc: hạn nộp báo cáo tháng là 25/5.`], unitIds: [commune.id] },
      status: 'sent',
      notBefore: earlier.getTime(),
      sentAt: earlier.getTime(),
      createdAt: earlier.getTime(),
    })
    .run();

  return { adminId: admin.id, provinceId: province.id, communeId: commune.id, leaverId: hang.personId, modelIds };
}

/** Every row of every table as text: where a name or an id could still be. */
export function everyRowText(sqlite: Database.Database): string {
  const tables = sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[];
  return tables.map(({ name }) => `${name}: ${JSON.stringify(sqlite.prepare(`select * from "${name}"`).all())}`).join('\n');
}

/** The personal strings of an account: its name, username and platform id. */
export function traces(accounts: LeaverAccounts): string[] {
  return [accounts.main, accounts.other].flatMap((a) => [a.displayName, a.id, ...(a.username ? [a.username] : [])]);
}
