import type { Platform } from '../../core/chat.js';
import type { Command } from '../shared/command.js';
import { formatVnDateTime } from '../../core/clock.js';
import { ellipsize, fold } from '../../core/text.js';
import { type AuditFilter, type AuditLogRow, auditPage, chatTitleById, deadlineTitleById, personNameById } from '../../db/auditLog.js';
import type { Db } from '../../db/client.js';
import { removedPersonName } from '../../db/personRemoval.js';
import { MODEL_EVENTS, type ModelEvent, modelByCode, modelById, type ModelRow } from '../../db/models.js';
import type { ModelState, ProgressState, Role, UnitKind } from '../../db/schema.js';
import { unitByCode } from '../../db/unitAdmin.js';
import { type UnitRow, unitById } from '../../db/units.js';
import { MODEL_STATE_LABEL, PLATFORM_LABEL, PROGRESS_STATE_LABEL } from '../../core/labels.js';
import { leadingModelCode } from '../../core/modelCode.js';
import { unitLabel } from '../shared/unitNames.js';
import { UNIT_KIND_LABEL } from '../../core/unitKinds.js';

/**
 * `/nhatky [trang] [mã đơn vị | mã mô hình | #số người]`: the audit trail for admins, newest
 * first, a page at a time. Every action is told in Vietnamese from the fields it names, never by
 * dumping a row: rows of units carry their join code, and whatever a future action stores must not
 * reach a chat just because it was logged.
 */

export const PAGE_SIZE = 15;
/** Per entry, so a full page stays one Telegram message (4096) and reads on a phone. */
const MAX_WHO = 40;
const MAX_WHAT = 170;

type Snapshot = Record<string, unknown>;

type Filter = { kind: 'unit'; unit: UnitRow } | { kind: 'model'; model: ModelRow } | { kind: 'person'; personId: number; name: string | undefined };

// ---------------------------------------------------------------------------------------------
// Arguments

type Parsed = { page: number; filter?: Filter } | { error: string };

const USAGE = 'Cách gõ: /nhatky [trang] [mã đơn vị | mã mô hình | #số người], ví dụ /nhatky 2, /nhatky CAMXUYEN, /nhatky DVK-2026-0001, /nhatky #12.';

function parseArgs(db: Db, args: string): Parsed {
  let page: number | undefined;
  let filter: Filter | undefined;
  const words = args.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (fold(word) === 'trang') continue;
    const shown = ellipsize(word, 30);
    let next: Filter | undefined;
    if (/^\d{1,6}$/.test(word) && page === undefined) {
      page = Number(word);
      if (page < 1) return { error: `Số trang bắt đầu từ 1. ${USAGE}` };
      continue;
    }
    const person = /^#(\d{1,9})$/.exec(word);
    // A code typed with spaces ("dvk 2026 1") is one filter, read as /duyet reads it.
    const leading = person ? undefined : leadingModelCode(words.slice(i));
    const modelCode = leading?.code;
    if (leading) i += leading.words - 1;
    if (person) {
      const personId = Number(person[1]);
      next = { kind: 'person', personId, name: personNameById(db, personId) };
    } else if (modelCode) {
      const model = modelByCode(db, modelCode);
      if (!model) return { error: `Không có mô hình mã “${modelCode}”.` };
      next = { kind: 'model', model };
    } else {
      const unit = unitByCode(db, word);
      if (!unit) return { error: `Không hiểu “${shown}”: đó không phải số trang, mã đơn vị, mã mô hình hay #số người. ${USAGE}` };
      next = { kind: 'unit', unit };
    }
    if (filter) return { error: `Mỗi lần chỉ lọc theo một đơn vị, một mô hình hoặc một người. ${USAGE}` };
    filter = next;
  }
  return { page: page ?? 1, filter };
}

function filterArg(filter: Filter): string {
  if (filter.kind === 'unit') return filter.unit.shortCode;
  if (filter.kind === 'model') return filter.model.code;
  return `#${filter.personId}`;
}

function filterTitle(filter: Filter): string {
  if (filter.kind === 'unit') return ` của ${unitLabel(filter.unit)}`;
  if (filter.kind === 'model') return ` của mô hình ${filter.model.code}`;
  return ` của ${numbered(filter.name ?? 'người', filter.personId)}`;
}

// ---------------------------------------------------------------------------------------------
// The query

/** What the filter asks the trail for, by id. */
function auditFilterOf(filter: Filter | undefined): AuditFilter | undefined {
  if (!filter) return undefined;
  if (filter.kind === 'model') return { modelId: filter.model.id };
  if (filter.kind === 'person') return { personId: filter.personId };
  return { unitId: filter.unit.id };
}

// ---------------------------------------------------------------------------------------------
// Reading a row in Vietnamese

/** "Nguyễn Văn An (#12)"; a removed person's name already says their number: "người đã xóa #12". */
function numbered(name: string, personId: number): string {
  return name === removedPersonName(personId) ? name : `${name} (#${personId})`;
}

const MODEL_EVENT_VERB: Record<ModelEvent, string> = {
  approve: 'Duyệt',
  return: 'Trả lại',
  propose: 'Đề nghị công nhận',
  recognise: 'Công nhận',
  not_recognise: 'Không công nhận',
  replicate: 'Ghi nhận nhân rộng',
  commend: 'Ghi nhận biểu dương, khen thưởng',
};

/** Actors that are not a person: what their label means. */
const ACTOR_LABEL: Record<string, string> = { system: 'Hệ thống', cli: 'Quản trị (dòng lệnh)', demo: 'Dữ liệu mẫu' };

const snapshot = (value: unknown): Snapshot => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Snapshot) : {});
const numberOf = (s: Snapshot, key: string): number | undefined => (typeof s[key] === 'number' ? (s[key] as number) : undefined);
const textOf = (s: Snapshot, key: string): string | undefined => (typeof s[key] === 'string' ? (s[key] as string) : undefined);
const quoted = (text: string, max = 50) => `“${ellipsize(text.replace(/\s+/g, ' ').trim(), max)}”`;

/**
 * Anything that looks like a credential is blanked: a bot token, a long opaque string (a cookie,
 * a session key). Audit rows should hold none; this is the net under the fields chosen below.
 */
function scrub(text: string): string {
  return text.replace(/\d{5,}:[\w-]{20,}/g, '[ẩn]').replace(/[\w+/=.-]{32,}/g, '[ẩn]');
}

/** Reads the rows of one page, with the units, models, people and chats they name looked up once. */
class Narrator {
  private readonly unitCache = new Map<number, UnitRow | undefined>();
  private readonly modelCache = new Map<number, ModelRow | undefined>();

  constructor(private readonly db: Db) {}

  who(row: AuditLogRow): string {
    if (row.actorName !== null && row.actorPersonId !== null) return numbered(row.actorName, row.actorPersonId);
    return ACTOR_LABEL[row.actorLabel] ?? row.actorLabel;
  }

  what(row: AuditLogRow): string {
    const before = snapshot(row.before);
    const after = snapshot(row.after);
    const id = row.entityId === null ? undefined : Number(row.entityId);
    const [domain, verb] = row.action.split('.', 2) as [string, string | undefined];

    if (domain === 'model' && verb !== undefined && (MODEL_EVENTS as readonly string[]).includes(verb)) {
      const from = textOf(before, 'state') as ModelState | undefined;
      const to = textOf(after, 'state') as ModelState | undefined;
      const change = from && to && from !== to ? `: ${MODEL_STATE_LABEL[from]} → ${MODEL_STATE_LABEL[to]}` : '';
      const self = textOf(after, 'selfDecision');
      // An admin deciding on their own work where the deployment allows it (DecisionPolicy).
      const mark =
        self === 'registered' ? ' (tự quyết trên mô hình do chính mình đăng ký)' : self === 'officer' ? ' (tự quyết trên mô hình của đơn vị mình)' : '';
      return `${MODEL_EVENT_VERB[verb as ModelEvent]} mô hình ${this.model(id, after)}${change}${mark}`;
    }
    switch (row.action) {
      case 'model.undo': {
        // /hoantac: the decision undone is named by its action, kept in the row (db/modelUndo.ts).
        const undone = textOf(after, 'undoneAction')?.replace(/^model\./, '');
        const from = textOf(before, 'state') as ModelState | undefined;
        const to = textOf(after, 'state') as ModelState | undefined;
        const change = from && to && from !== to ? `: ${MODEL_STATE_LABEL[from]} → ${MODEL_STATE_LABEL[to]}` : '';
        const what =
          undone && (MODEL_EVENTS as readonly string[]).includes(undone) ? `việc ${MODEL_EVENT_VERB[undone as ModelEvent].toLowerCase()}` : 'quyết định';
        return `Hoàn tác ${what} mô hình ${this.model(id, after)}${change}`;
      }
      case 'model.register': {
        const name = textOf(after, 'name');
        return `Đăng ký mô hình ${this.model(id, after)}${name ? ` ${quoted(name)}` : ''}`;
      }
      case 'update.add':
        return `Cập nhật tiến độ mô hình ${this.model(numberOf(after, 'modelId'))}${this.progress(undefined, after)}`;
      case 'update.edit':
        return `Sửa cập nhật tiến độ mô hình ${this.model(numberOf(after, 'modelId'))}${this.progress(before, after)}`;
      case 'role.grant':
      case 'role.revoke': {
        const role = row.action === 'role.grant' ? after : before;
        const label = this.role(textOf(role, 'role') as Role | undefined, numberOf(role, 'unitId'));
        const via = textOf(after, 'via') === 'join_code' ? ' (tự tham gia bằng mã của đơn vị)' : '';
        return row.action === 'role.grant' ? `Cấp quyền ${label} cho ${this.person(id)}${via}` : `Thu hồi quyền ${label} của ${this.person(id)}`;
      }
      case 'person.first_contact': {
        const platform = textOf(after, 'platform') as Platform | undefined;
        return `Lần đầu nhắn bot${platform ? ` trên ${PLATFORM_LABEL[platform] ?? platform}` : ''}: ${this.person(id, textOf(after, 'displayName'))}`;
      }
      case 'person.create':
        return `Thêm người dùng ${this.person(id, textOf(after, 'displayName'))}`;
      case 'person.join_unit': {
        const from = numberOf(before, 'unitId');
        return `${this.person(id)} vào ${this.unit(numberOf(after, 'unitId'))} bằng mã tham gia${from !== undefined ? ` (trước ở ${this.unit(from)})` : ''}`;
      }
      case 'unit.join_failed':
        return 'Gõ sai mã tham gia đơn vị';
      case 'unit.join_blocked':
        return `Dùng mã tham gia của ${this.unit(numberOf(after, 'unitId'))} sau khi đã bị thu hồi quyền: bị từ chối`;
      case 'person.link_failed':
        return 'Gõ sai mã liên kết tài khoản';
      case 'person.link_code_burnt':
        return `Mã liên kết của ${this.person(id)} bị gõ trong nhóm nên đã bị hủy`;
      case 'person.link_requested':
        return `Yêu cầu liên kết vào ${this.person(id)}, chờ chủ mã xác nhận`;
      case 'person.link_declined':
        return `${this.person(id)} từ chối yêu cầu liên kết tài khoản`;
      case 'person.link_code': {
        const until = numberOf(after, 'expiresAt');
        return `Lấy mã liên kết tài khoản${until !== undefined ? ` (dùng được đến ${formatVnDateTime(new Date(until))})` : ''}`;
      }
      case 'person.remove': {
        const reason = textOf(after, 'reason');
        return `Xóa thông tin cá nhân của ${this.person(id)}${reason ? `, lý do: ${quoted(reason, 80)}` : ''}`;
      }
      case 'person.link': {
        const merged = snapshot(before.merged);
        const name = textOf(merged, 'displayName');
        return `Liên kết tài khoản: gộp ${name ?? 'người'} (#${numberOf(merged, 'id') ?? '?'}) vào ${this.person(id)}`;
      }
      case 'unit.create':
        return `Thêm ${this.unitFrom(id, after)}`;
      case 'unit.update':
        return `Sửa ${this.unitFrom(id, after)}: ${this.unitChanges(before, after)}`;
      case 'unit.import':
        return before.shortCode === undefined
          ? `Nhập từ tệp: thêm ${this.unitFrom(id, after)}`
          : `Nhập từ tệp: sửa ${this.unitFrom(id, after)}: ${this.unitChanges(before, after)}`;
      case 'chat.bind': {
        const unitId = numberOf(after, 'unitId');
        return unitId === undefined ? `Bỏ gắn ${this.chat(id)} với đơn vị` : `Gắn ${this.chat(id)} với ${this.unit(unitId)}`;
      }
      case 'chat.migrate':
        return `${this.chat(id)} được nâng cấp trên Telegram, đổi mã nhóm`;
      case 'chat.inactive':
        return `Bot không còn gửi được vào ${this.chat(id)}`;
      case 'quota.set': {
        const change = `${numberOf(before, 'required') ?? 'chưa đặt'} → ${numberOf(after, 'required') ?? '?'} mô hình`;
        if (row.entity === 'setting') return `Đặt chỉ tiêu mặc định: ${change}`;
        return `Đặt chỉ tiêu năm ${numberOf(after, 'year') ?? '?'} của ${this.unit(numberOf(after, 'unitId'))}: ${change}`;
      }
      case 'deadline.config':
        return `${row.before === null ? 'Thêm' : 'Sửa'} hạn theo tệp lịch: ${this.deadline(id, after)}`;
      case 'deadline.retire':
        return `Ngừng hạn đã bỏ khỏi tệp lịch: ${this.deadline(id)}`;
      case 'deadline.add':
        return `Thêm hạn ${this.deadline(id, after)}`;
      case 'deadline.remove':
        return `Xóa hạn ${this.deadline(id, before)}`;
      case 'evidence.export':
        return `Tải ${numberOf(after, 'files') ?? '?'} tệp minh chứng của mô hình ${this.model(id, after)}`;
      case 'file_link.download': {
        // A file the Zalo OA route served by link (bot/zalo-oa/fileLinks.ts); who opened it is not known.
        const name = textOf(after, 'fileName');
        const times = numberOf(after, 'downloads');
        return `Tệp ${name ? quoted(name) : '?'} được tải về qua liên kết${times ? ` (lần thứ ${times})` : ''}`;
      }
      case 'demo.seed':
        return `Nạp dữ liệu mẫu: ${numberOf(after, 'units') ?? '?'} đơn vị, ${numberOf(after, 'people') ?? '?'} người, ${numberOf(after, 'models') ?? '?'} mô hình`;
      default:
        return this.unknown(row, before, after);
    }
  }

  // -- targets

  private modelRow(id: number | undefined): ModelRow | undefined {
    if (id === undefined || !Number.isInteger(id)) return undefined;
    if (!this.modelCache.has(id)) this.modelCache.set(id, modelById(this.db, id));
    return this.modelCache.get(id);
  }

  private unitRow(id: number | undefined): UnitRow | undefined {
    if (id === undefined || !Number.isInteger(id)) return undefined;
    if (!this.unitCache.has(id)) this.unitCache.set(id, unitById(this.db, id));
    return this.unitCache.get(id);
  }

  /** "DVK-2026-0001 (Xã Cẩm Xuyên)", from the model as it is now or as the row saw it. */
  private model(id: number | undefined, seen: Snapshot = {}): string {
    const row = this.modelRow(id);
    const code = row?.code ?? textOf(seen, 'code') ?? (id === undefined ? '?' : `#${id}`);
    const unit = this.unitRow(row?.unitId ?? numberOf(seen, 'unitId'));
    return unit ? `${code} (${unit.name})` : code;
  }

  private unit(id: number | undefined): string {
    const unit = this.unitRow(id);
    return unit ? unit.name : id === undefined ? 'đơn vị' : `đơn vị #${id}`;
  }

  /** A unit named by the row's own snapshot first: an import or a rename says what it was then. */
  private unitFrom(id: number | undefined, seen: Snapshot): string {
    const now = this.unitRow(id);
    const name = textOf(seen, 'name') ?? now?.name;
    const code = textOf(seen, 'shortCode') ?? now?.shortCode;
    return name ? (code ? unitLabel({ name, shortCode: code }) : name) : this.unit(id);
  }

  /** What changed on a unit. The join code is named, never shown: the new one still lets people in. */
  private unitChanges(before: Snapshot, after: Snapshot): string {
    const parts: string[] = [];
    const pair = (key: string, label: string, show: (v: unknown) => string) => {
      if (key in after && before[key] !== after[key]) parts.push(`${label} ${show(before[key])} → ${show(after[key])}`);
    };
    const plain = (v: unknown) => (typeof v === 'string' ? ellipsize(v, 40) : '—');
    pair('name', 'tên', plain);
    pair('shortCode', 'mã', plain);
    pair('kind', 'loại', (v) => (typeof v === 'string' ? (UNIT_KIND_LABEL[v as UnitKind] ?? v) : '—'));
    pair('parentId', 'cấp trên', (v) => (typeof v === 'number' ? this.unit(v) : 'không có'));
    pair('parentCode', 'cấp trên', (v) => (typeof v === 'string' ? v : 'không có'));
    if ('active' in after && before.active !== after.active) parts.push(after.active ? 'hoạt động lại' : 'ngừng hoạt động');
    if ('joinCode' in after) parts.push('cấp lại mã tham gia');
    return parts.length > 0 ? parts.join('; ') : 'không đổi gì';
  }

  private person(id: number | undefined, seenName?: string): string {
    if (id === undefined || !Number.isInteger(id)) return seenName ?? 'người dùng';
    return numbered(personNameById(this.db, id) ?? seenName ?? 'người đã xóa', id);
  }

  private role(role: Role | undefined, unitId: number | undefined): string {
    if (role === 'admin') return 'quản trị';
    if (role === 'leader') return unitId === undefined ? 'lãnh đạo toàn tỉnh' : `lãnh đạo ${this.unit(unitId)}`;
    if (role === 'officer') return `cán bộ đầu mối ${this.unit(unitId)}`;
    return role ?? '?';
  }

  private chat(id: number | undefined): string {
    const title = id === undefined || !Number.isInteger(id) ? undefined : chatTitleById(this.db, id);
    return title ? `nhóm ${quoted(title, 40)}` : 'một nhóm';
  }

  private deadline(id: number | undefined, seen: Snapshot = {}): string {
    const title = textOf(seen, 'title') ?? (id === undefined || !Number.isInteger(id) ? undefined : deadlineTitleById(this.db, id));
    return title ? quoted(title) : `#${id ?? '?'}`;
  }

  /** Percent, progress and text of an update; for an edit, what changed. */
  private progress(before: Snapshot | undefined, after: Snapshot): string {
    const percent = (s: Snapshot) => (numberOf(s, 'percent') === undefined ? '—' : `${numberOf(s, 'percent')}%`);
    const state = (s: Snapshot) => {
      const value = textOf(s, 'progressState') as ProgressState | undefined;
      return value ? (PROGRESS_STATE_LABEL[value] ?? value) : '—';
    };
    const parts: string[] = [];
    if (!before) {
      if (numberOf(after, 'percent') !== undefined) parts.push(percent(after));
      if (textOf(after, 'progressState')) parts.push(state(after));
      const files = Array.isArray(after.attachments) ? after.attachments.length : 0;
      if (files > 0) parts.push(`${files} tệp đính kèm`);
    } else {
      if (percent(before) !== percent(after)) parts.push(`${percent(before)} → ${percent(after)}`);
      if (state(before) !== state(after)) parts.push(`${state(before)} → ${state(after)}`);
    }
    const text = textOf(after, 'text');
    if (text && (!before || text !== textOf(before, 'text'))) parts.push(quoted(text, 60));
    return parts.length > 0 ? `: ${parts.join(', ')}` : '';
  }

  /**
   * An action this command does not know yet: its name as stored, what it is about, and the plain
   * values that changed, leaving out anything named like a secret or looking like one.
   */
  private unknown(row: AuditLogRow, before: Snapshot, after: Snapshot): string {
    const target = row.entityId === null ? row.entity : `${row.entity} ${ellipsize(row.entityId, 20)}`;
    const changes: string[] = [];
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (SECRET_KEY.test(key) || changes.length === 4) continue;
      const from = plainValue(before[key]);
      const to = plainValue(after[key]);
      if (from === to || from === null || to === null) continue;
      changes.push(key in before && key in after ? `${key}: ${from} → ${to}` : `${key}: ${key in after ? to : from}`);
    }
    return `Thao tác “${ellipsize(row.action, 40)}” trên ${target}${changes.length > 0 ? ` (${changes.join('; ')})` : ''}`;
  }
}

const SECRET_KEY = /token|cookie|secret|pass|imei|credential|session|auth|code|key|signature|otp|phone|email/i;

/** A short readable value, or null for what is better left out (objects, long or opaque text). */
function plainValue(value: unknown): string | null {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  if (!/\s/.test(value) && value.length > 24) return null;
  return ellipsize(value, 30);
}

// ---------------------------------------------------------------------------------------------

export const nhatky: Command = {
  name: 'nhatky',
  access: 'admin',
  summary: 'xem nhật ký thao tác (ai làm gì, lúc nào), lọc theo đơn vị, mô hình hoặc người',
  usage: '/nhatky [trang] [mã đơn vị | mã mô hình | #số người]',
  async run(ctx) {
    const parsed = parseArgs(ctx.db, ctx.args);
    if ('error' in parsed) {
      await ctx.reply(parsed.error);
      return;
    }
    const { page, filter } = parsed;
    const title = filter ? filterTitle(filter) : '';
    const again = (n: number) => `/nhatky ${filter ? `${filterArg(filter)} ` : ''}${n}`;
    const { total, rows } = auditPage(ctx.db, auditFilterOf(filter), page, PAGE_SIZE);
    if (total === 0) {
      await ctx.reply(`Nhật ký${title} chưa có thao tác nào.`);
      return;
    }
    const pages = Math.ceil(total / PAGE_SIZE);
    if (rows.length === 0) {
      await ctx.reply(`Nhật ký${title} chỉ có ${pages} trang. Gõ ${again(pages)} để xem trang cuối.`);
      return;
    }
    const narrator = new Narrator(ctx.db);
    const lines = [`📜 Nhật ký thao tác${title} — trang ${page}/${pages}, ${total} mục, mới nhất trước:`];
    for (const row of rows) {
      const who = ellipsize(scrub(narrator.who(row)), MAX_WHO);
      lines.push(`• ${formatVnDateTime(new Date(row.at))} · ${who}`, `  ${ellipsize(scrub(narrator.what(row)), MAX_WHAT)}`);
    }
    if (page < pages) lines.push(`Xem tiếp: ${again(page + 1)}`);
    await ctx.reply(lines.join('\n'));
  },
};
