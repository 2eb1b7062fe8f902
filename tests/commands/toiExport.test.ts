import { and, count, eq, or } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { registerModel } from '../../db/models.js';
import { actorOf, findCaller } from '../../db/people.js';
import { grantRole } from '../../db/roles.js';
import { auditLog, identities } from '../../db/schema.js';
import { createUnit } from '../../db/unitAdmin.js';
import { addUpdate } from '../../db/updates.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';
import { auditsOf, newModel, personIdOf } from '../helpers/rows.js';

/**
 * `/toi` in full and `/toi taive` (Law 91/2025/QH15: the right to see one's data and to take a
 * copy): everything about the person in their private chat, nothing personal in a group, and never
 * another person's name or account.
 */

const AN = 'Nguyễn Văn An';
const HOA = 'Nguyễn Thị Hoa';
/** Named as the model's person in charge by An: another person's name, which the file must not carry. */
const BINH = 'Trần Thị Bình';
const AN_ZALO = '8327193047618893562';
const GROUP = { group: 'Nhóm xã' };
const PRIVATE = { private: true };
const UPDATE_TEXT = 'Đã tổ chức 3 buổi đối thoại với bà con thôn Đông.';

const empty = emptyPerTest();

interface World {
  h: Harness;
  anId: number;
  hoaId: number;
  code: string;
}

/**
 * A commune; Hoa its admin; An who joined with the code, was made leader by Hoa, has a Zalo
 * account too, registered a model (naming Bình in charge) and wrote an update with a photo.
 */
async function world(): Promise<World> {
  const h = await empty();
  const now = h.clock.now();
  const unit = h.db.transaction((tx) => createUnit(tx, { name: 'Xã Cẩm Thành', shortCode: 'CAMTHANH', kind: 'commune', parentId: null }, SYSTEM_ACTOR, now));
  await h.say(HOA, '/huongdan', GROUP);
  const hoaId = personIdOf(h.db, HOA);
  h.db.transaction((tx) => grantRole(tx, { personId: hoaId, role: 'admin', unitId: null }, SYSTEM_ACTOR, now));
  await h.say(AN, `/thamgia ${unit.joinCode}`, GROUP);
  const anId = personIdOf(h.db, AN);
  h.db.transaction((tx) => grantRole(tx, { personId: anId, role: 'leader', unitId: unit.id }, actorOf(findCaller(h.db, 'console', HOA)!), now));
  h.db
    .insert(identities)
    .values({ personId: anId, platform: 'zalo', platformUserId: AN_ZALO, displayName: 'An Nguyễn', username: null, lastSeenAt: now.getTime() })
    .run();
  const an = actorOf(findCaller(h.db, 'console', AN)!);
  const model = h.db.transaction((tx) => registerModel(tx, newModel(h.db, unit.id, 'Dân vận khéo trong dồn điền đổi thửa', { personInCharge: BINH }), an, now));
  h.db.transaction((tx) =>
    addUpdate(
      tx,
      model.id,
      {
        text: UPDATE_TEXT,
        percent: 40,
        progressState: 'in_progress',
        attachments: [
          { platform: 'console', kind: 'photo', ref: '/srv/tam/anh-doi-thoai.jpg', fileName: 'anh-doi-thoai.jpg', mimeType: 'image/jpeg', sizeBytes: 1234 },
        ],
      },
      an,
      now,
    ),
  );
  return { h, anId, hoaId, code: model.code };
}

/** The audit rows about a person, as the database holds them. */
function auditCount(h: Harness, personId: number): number {
  return (
    h.db
      .select({ n: count() })
      .from(auditLog)
      .where(or(eq(auditLog.actorPersonId, personId), and(eq(auditLog.entity, 'person'), eq(auditLog.entityId, String(personId)))))
      .get()?.n ?? 0
  );
}

function parsedFile(sent: Awaited<ReturnType<Harness['say']>>) {
  expect(sent).toHaveLength(1);
  const files = sent[0]!.reply.files ?? [];
  expect(files).toHaveLength(1);
  const file = files[0]!;
  return { file, text: file.data.toString('utf8'), json: JSON.parse(file.data.toString('utf8')) };
}

describe('/toi in full', () => {
  it('lists, in private, every account with its platform id, the model, the updates and the latest audit rows', async () => {
    const { h, anId, hoaId, code } = await world();
    const reply = await h.text(AN, '/toi', PRIVATE);
    expect(reply).toContain(`Bạn là #${anId} — ${AN}.`);
    expect(reply).toContain(`• bản mô phỏng: mã người dùng ${AN}, tên “${AN}”`);
    expect(reply).toContain(`• Zalo: mã người dùng ${AN_ZALO}, tên “An Nguyễn”`);
    expect(reply).toContain('• Lần đầu bot ghi nhận bạn: 09:00 10/03/2026.');
    expect(reply).toContain('• Thông báo về dữ liệu cá nhân: đã gửi lúc 09:00 10/03/2026.');
    expect(reply).toContain(`• Mô hình bạn đăng ký: ${code}.`);
    expect(reply).toContain('• Cập nhật tiến độ bạn gửi: 1.');
    const total = auditCount(h, anId);
    expect(total).toBeGreaterThan(5);
    expect(reply).toContain(`• Nhật ký thao tác về bạn: ${total} mục, 5 mục mới nhất:`);
    expect(reply).toContain(`cập nhật tiến độ ${code} (bạn)`);
    expect(reply).toContain(`đăng ký mô hình ${code} (bạn)`);
    expect(reply).toContain(`cấp quyền lãnh đạo — Xã Cẩm Thành (CAMTHANH) (quản trị #${hoaId})`);
    expect(reply.match(/^ {2}– /gm)).toHaveLength(5);
    // The admin who acted is a number, never her name or account.
    expect(reply).not.toContain(HOA);
    expect(reply).toContain('Gõ /toi taive để nhận toàn bộ bằng tệp.');
  });

  it('shows a group only the short view: no platform id, no audit rows', async () => {
    const { h, anId } = await world();
    const reply = await h.text(AN, '/toi', GROUP);
    expect(reply).toContain(`Bạn là #${anId} — ${AN}.`);
    expect(reply).toContain('Tài khoản đã liên kết: bản mô phỏng (Nguyễn Văn An), Zalo (An Nguyễn).');
    expect(reply).not.toContain(AN_ZALO);
    expect(reply).not.toContain('mã người dùng');
    expect(reply).not.toContain('Nhật ký');
    expect(reply.split('\n').at(-1)).toBe('Gõ /toi trong tin nhắn riêng với bot để xem đầy đủ thông tin bot lưu về bạn.');
  });
});

describe('/toi taive', () => {
  it('sends, in private, one JSON file with every account, role, update and audit row of the person', async () => {
    const { h, anId, hoaId, code } = await world();
    const total = auditCount(h, anId);
    const { file, json } = parsedFile(await h.say(AN, '/toi taive', PRIVATE));
    expect(file.fileName).toBe(`du-lieu-ca-nhan-${anId}-20260310.json`);
    expect(file.mimeType).toBe('application/json');
    expect(json.person).toMatchObject({ id: anId, displayName: AN, unit: { name: 'Xã Cẩm Thành', shortCode: 'CAMTHANH' } });
    expect(json.person.privacyNoticeAt).toBe('2026-03-10T02:00:00.000Z');
    expect(json.identities.map((i: { platform: string; platformUserId: string }) => [i.platform, i.platformUserId])).toEqual([
      ['console', AN],
      ['zalo', AN_ZALO],
    ]);
    expect(json.roles).toEqual([
      { role: 'officer', unit: { name: 'Xã Cẩm Thành', shortCode: 'CAMTHANH' }, grantedBy: 'bạn', grantedAt: '2026-03-10T02:00:00.000Z' },
      { role: 'leader', unit: { name: 'Xã Cẩm Thành', shortCode: 'CAMTHANH' }, grantedBy: `quản trị #${hoaId}`, grantedAt: '2026-03-10T02:00:00.000Z' },
    ]);
    expect(json.modelsRegistered.map((m: { code: string }) => m.code)).toEqual([code]);
    expect(json.progressUpdates).toHaveLength(1);
    expect(json.progressUpdates[0]).toMatchObject({
      modelCode: code,
      text: UPDATE_TEXT,
      percent: 40,
      attachments: [{ kind: 'photo', fileName: 'anh-doi-thoai.jpg' }],
    });
    // Every audit row, not the few the chat shows: the count taken before the export's own row.
    expect(json.auditLog.count).toBe(total);
    expect(json.auditLog.rows).toHaveLength(total);
    const actions = json.auditLog.rows.map((r: { action: string }) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['person.first_contact', 'person.join_unit', 'role.grant', 'model.register', 'update.add']));
    const byAdmin = json.auditLog.rows.find((r: { actor: string }) => r.actor === `quản trị #${hoaId}`);
    expect(byAdmin).toMatchObject({ action: 'role.grant', after: { role: 'leader' } });
    expect(byAdmin.actorAccount).toBeUndefined();
    // And the handover is in the trail.
    expect(auditsOf(h.db, 'person.data_export')).toMatchObject([
      { actorPersonId: anId, entity: 'person', entityId: String(anId), after: { fileName: file.fileName } },
    ]);
  });

  it('carries no other person’s name or account, nor a file’s link', async () => {
    const { h } = await world();
    const { text } = parsedFile(await h.say(AN, '/toi taive', PRIVATE));
    // Hoa's console account id is her name: in the label of the rows she wrote about An.
    expect(text).not.toContain(HOA);
    expect(text).not.toContain(BINH);
    expect(text).not.toContain('/srv/tam/anh-doi-thoai.jpg');
  });

  it('keeps what an admin did to another person, without that person’s details', async () => {
    const { h, anId, hoaId } = await world();
    const { text, json } = parsedFile(await h.say(HOA, '/toi taive', PRIVATE));
    expect(json.person.id).toBe(hoaId);
    const aboutAn = json.auditLog.rows.filter((r: { action: string; actor: string }) => r.action === 'role.grant' && r.actor === 'bạn');
    expect(aboutAn).toEqual([expect.objectContaining({ entity: 'person', note: 'chi tiết về người khác được lược bỏ' })]);
    expect(aboutAn[0].after).toBeUndefined();
    expect(aboutAn[0].entityId).toBeUndefined();
    expect(text).not.toContain(AN);
    expect(text).not.toContain(AN_ZALO);
    expect(text).not.toContain(`"personId": ${anId}`);
  });

  it('understands tai ve, tải về, xuat and xuất', async () => {
    const { h } = await world();
    for (const word of ['tai ve', 'tải về', 'xuat', 'xuất', 'TAIVE']) {
      const sent = await h.say(AN, `/toi ${word}`, PRIVATE);
      expect(sent[0]?.reply.files ?? [], word).toHaveLength(1);
    }
  });

  it('sends nothing in a group, and asks kindly for the private chat', async () => {
    const { h } = await world();
    const sent = await h.say(AN, '/toi taive', GROUP);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.reply.files).toBeUndefined();
    expect(sent[0]!.text).toBe(
      'Tệp dữ liệu cá nhân chỉ gửi trong tin nhắn riêng: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ /toi taive.',
    );
    expect(h.sent.some((s) => (s.reply.files ?? []).length > 0)).toBe(false);
    expect(auditsOf(h.db, 'person.data_export')).toEqual([]);
  });
});
