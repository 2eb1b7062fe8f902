import { sql } from 'drizzle-orm';
import { type AnySQLiteColumn, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Platform } from '../core/chat.js';
import {
  HOLDER_TYPES,
  type HolderType,
  MODEL_KINDS,
  MODEL_STATES,
  type ModelKind,
  type ModelState,
  PROGRESS_STATES,
  type ProgressState,
  ROLES,
  type Role,
  UNIT_KINDS,
  type UnitKind,
} from '../core/domain.js';

// The domain's value lists live in core/domain.ts (labels and parsers below db need them too);
// re-exported here so a query file takes a table and its values from one import.
export { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES, PROGRESS_STATES, ROLES, UNIT_KINDS };
export type { HolderType, ModelKind, ModelState, ProgressState, Role, UnitKind };

/**
 * The whole domain of DOMAIN.md, so later work adds behaviour, not tables.
 *
 * Conventions: instants are epoch milliseconds (integer); calendar days are ISO text
 * "YYYY-MM-DD" (a day in Vietnam, no time zone); platform ids are text; enumerations are
 * text with a CHECK-free TS union (values below) so a new state needs no table rebuild.
 */

const createdAt = () => integer('created_at').notNull();
const updatedAt = () => integer('updated_at').notNull();

// ---------------------------------------------------------------------------------------------
// Units: a tree (province → departments/districts → communes → …)

export const units = sqliteTable(
  'units',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** Short code people type: "SNV", "CAMXUYEN". Unique, upper-case ASCII. */
    shortCode: text('short_code').notNull(),
    kind: text('kind').$type<UnitKind>().notNull(),
    parentId: integer('parent_id').references((): AnySQLiteColumn => units.id, { onDelete: 'restrict' }),
    /** The code an admin hands out for `/thamgia <mã>`. */
    joinCode: text('join_code').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('units_short_code_uq').on(t.shortCode), uniqueIndex('units_join_code_uq').on(t.joinCode), index('units_parent_idx').on(t.parentId)],
);

// ---------------------------------------------------------------------------------------------
// People, their platform identities, roles

export const people = sqliteTable(
  'people',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    displayName: text('display_name').notNull(),
    /** The unit the person works for (joined with /thamgia or set by an admin). */
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'set null' }),
    position: text('position'),
    /** When the person was shown what the bot stores about them and why (Law 91/2025): once. */
    privacyNoticeAt: integer('privacy_notice_at'),
    /** When an admin or the retention rule removed the person: identities gone, name replaced. */
    removedAt: integer('removed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('people_unit_idx').on(t.unitId)],
);

export const identities = sqliteTable(
  'identities',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    platform: text('platform').$type<Platform>().notNull(),
    /** Telegram user id or Zalo uid, as text (Zalo ids exceed 2^53). */
    platformUserId: text('platform_user_id').notNull(),
    username: text('username'),
    displayName: text('display_name').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [uniqueIndex('identities_platform_user_uq').on(t.platform, t.platformUserId), index('identities_person_idx').on(t.personId)],
);

/** One-time codes that join a Telegram identity and a Zalo identity into one person. */
export const linkCodes = sqliteTable('link_codes', {
  code: text('code').primaryKey(),
  personId: integer('person_id')
    .notNull()
    .references(() => people.id, { onDelete: 'cascade' }),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
  /**
   * The code was typed where others could read it (a group): it no longer works, whoever types it.
   */
  burntAt: integer('burnt_at'),
  /**
   * A merge that would give the redeemer a role the code's person holds (admin, leader) waits for
   * the code's person to confirm it on their own platform: who redeemed it, and when.
   */
  redeemerPersonId: integer('redeemer_person_id').references(() => people.id, { onDelete: 'set null' }),
  redeemedAt: integer('redeemed_at'),
  createdAt: createdAt(),
});

export const roles = sqliteTable(
  'roles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    /** The unit (and its subtree) the role applies to; null = the whole deployment. */
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'cascade' }),
    grantedBy: integer('granted_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    // SQLite treats NULLs as distinct in unique indexes, so deployment-wide roles get their own.
    uniqueIndex('roles_person_role_unit_uq').on(t.personId, t.role, t.unitId).where(sql`${t.unitId} is not null`),
    uniqueIndex('roles_person_role_global_uq').on(t.personId, t.role).where(sql`${t.unitId} is null`),
    index('roles_unit_idx').on(t.unitId),
  ],
);

/**
 * A person whose officer role on a unit was taken back: the unit's join code (the old one they
 * know, or any later one) no longer makes them its officer again; only an admin's /phanquyen does,
 * which lifts the block.
 */
export const joinBlocks = sqliteTable(
  'join_blocks',
  {
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    blockedBy: integer('blocked_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.unitId] }), index('join_blocks_blocked_by_idx').on(t.blockedBy)],
);

// ---------------------------------------------------------------------------------------------
// Group chats: where people talk, bound to the unit subtree they serve

export const chats = sqliteTable(
  'chats',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').$type<Platform>().notNull(),
    platformChatId: text('platform_chat_id').notNull(),
    kind: text('kind').$type<'group' | 'private'>().notNull(),
    title: text('title'),
    /** Root of the unit subtree this group serves; null until an admin binds it. */
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'set null' }),
    /** False once the bot was removed or the chat vanished; nothing is sent there then. */
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('chats_platform_chat_uq').on(t.platform, t.platformChatId), index('chats_unit_idx').on(t.unitId)],
);

/** Who has been seen in which chat: reminders go where the late unit's officers actually are. */
export const chatMembers = sqliteTable(
  'chat_members',
  {
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id, { onDelete: 'cascade' }),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.personId] }), index('chat_members_person_idx').on(t.personId)],
);

// ---------------------------------------------------------------------------------------------
// Models ("mô hình", "điển hình") and their life

/** The configurable list of fields (lĩnh vực); seeded with the plans' defaults. */
export const fields = sqliteTable(
  'fields',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    label: text('label').notNull(),
    sortOrder: integer('sort_order').notNull().default(0),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
  },
  (t) => [uniqueIndex('fields_label_uq').on(t.label)],
);

export const models = sqliteTable(
  'models',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Readable code: DVK-2026-0007. */
    code: text('code').notNull(),
    year: integer('year').notNull(),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    kind: text('kind').$type<ModelKind>().notNull(),
    holderType: text('holder_type').$type<HolderType>().notNull(),
    /** For an individual holder: who. */
    holderName: text('holder_name'),
    fieldId: integer('field_id')
      .notNull()
      .references(() => fields.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    /** fold(name): the same name twice for one unit and year is caught through this. */
    nameKey: text('name_key').notNull(),
    content: text('content').notNull(),
    expectedResult: text('expected_result'),
    startDate: text('start_date').notNull(),
    endDate: text('end_date').notNull(),
    personInCharge: text('person_in_charge').notNull(),
    state: text('state').$type<ModelState>().notNull().default('pending'),
    /** Afterwards, independent of the state: replicated elsewhere, commended. */
    replicatedAt: integer('replicated_at'),
    commendedAt: integer('commended_at'),
    createdBy: integer('created_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('models_code_uq').on(t.code),
    uniqueIndex('models_unit_year_name_uq').on(t.unitId, t.year, t.nameKey),
    index('models_year_unit_idx').on(t.year, t.unitId),
    index('models_state_idx').on(t.state),
  ],
);

export const modelStateHistory = sqliteTable(
  'model_state_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    modelId: integer('model_id')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    /** null for the registration itself. */
    fromState: text('from_state').$type<ModelState>(),
    /** A state, or the after-life events "replicated" / "commended". */
    toState: text('to_state').notNull(),
    reason: text('reason'),
    actorPersonId: integer('actor_person_id').references(() => people.id, { onDelete: 'set null' }),
    at: integer('at').notNull(),
  },
  (t) => [index('model_state_history_model_idx').on(t.modelId, t.at)],
);

/** Models each unit must build per year ("at least 01 to 02"); the default lives in settings. */
export const unitQuotas = sqliteTable(
  'unit_quotas',
  {
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    required: integer('required').notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.year] })],
);

// ---------------------------------------------------------------------------------------------
// Progress updates

export const progressUpdates = sqliteTable(
  'progress_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    modelId: integer('model_id')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    authorPersonId: integer('author_person_id').references(() => people.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    percent: integer('percent'),
    progressState: text('progress_state').$type<ProgressState>(),
    /** The reporting period the update counts for. */
    periodYear: integer('period_year').notNull(),
    periodMonth: integer('period_month').notNull(),
    periodQuarter: integer('period_quarter').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('progress_updates_model_idx').on(t.modelId, t.createdAt), index('progress_updates_period_idx').on(t.periodYear, t.periodMonth)],
);

/**
 * What became of the file behind an attachment (the bot keeps a copy, since Zalo's links expire):
 * waiting to be fetched, kept in the evidence folder, too large to keep, or given up on.
 */
export const EVIDENCE_STATES = ['pending', 'stored', 'too_large', 'failed'] as const;
export type EvidenceState = (typeof EVIDENCE_STATES)[number];

export const attachments = sqliteTable(
  'attachments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    updateId: integer('update_id')
      .notNull()
      .references(() => progressUpdates.id, { onDelete: 'cascade' }),
    platform: text('platform').$type<Platform>().notNull(),
    kind: text('kind').$type<'photo' | 'document' | 'video' | 'audio' | 'other'>().notNull(),
    ref: text('ref').notNull(),
    /** The name and type the platform gave; the kept copy is named by its hash, so these stay the only record of them. */
    fileName: text('file_name'),
    mimeType: text('mime_type'),
    /** The size the platform announced, before any download. */
    sizeBytes: integer('size_bytes'),
    createdAt: createdAt(),
    evidenceState: text('evidence_state').$type<EvidenceState>().notNull().default('pending'),
    /** Hex SHA-256 of the kept copy: its name in the evidence folder (db/evidenceStore.ts). */
    sha256: text('sha256'),
    storedBytes: integer('stored_bytes'),
    storedAt: integer('stored_at'),
    /** Downloads tried so far; a failed one is tried again at `nextFetchAt`. */
    fetchAttempts: integer('fetch_attempts').notNull().default(0),
    nextFetchAt: integer('next_fetch_at'),
    /** Why the last download failed, in a few words (never the link: a Telegram one holds the token). */
    fetchError: text('fetch_error'),
  },
  (t) => [
    index('attachments_update_idx').on(t.updateId),
    // The fetcher's queue: only rows still waiting are in it.
    index('attachments_pending_idx').on(t.nextFetchAt).where(sql`${t.evidenceState} = 'pending'`),
    // Is a kept file still referenced (the sweep, deduplication)?
    index('attachments_sha256_idx').on(t.sha256),
  ],
);

// ---------------------------------------------------------------------------------------------
// Deadlines and the reminder outbox

export const DEADLINE_RULES = ['yearly', 'monthly', 'quarterly', 'half_yearly', 'once'] as const;
export type DeadlineRule = (typeof DEADLINE_RULES)[number];

export const DONE_CRITERIA = ['quota_registered', 'period_updates', 'none'] as const;
export type DoneCriterion = (typeof DONE_CRITERIA)[number];

export const deadlines = sqliteTable(
  'deadlines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Stable key for deadlines loaded from the config file ("monthly-report"); null for one-offs. */
    key: text('key'),
    title: text('title').notNull(),
    rule: text('rule').$type<DeadlineRule>().notNull(),
    /** Rule parameters: { month, day } | { day } | { dayOfLastMonth } | { date } … (JSON). */
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Period the data covers when it differs from the calendar (Decree 09/2019 cut-offs). */
    cutoff: text('cutoff', { mode: 'json' }).$type<Record<string, unknown> | null>(),
    /** Root of the unit subtree concerned; null = every unit. */
    unitId: integer('unit_id').references(() => units.id, { onDelete: 'cascade' }),
    /** Unit kinds concerned (JSON array); null = all kinds. */
    unitKinds: text('unit_kinds', { mode: 'json' }).$type<string[] | null>(),
    doneCriterion: text('done_criterion').$type<DoneCriterion>().notNull(),
    /** Reminder policy: { before: [7,3,1], onDay: true, afterDays: N } (JSON). */
    policy: text('policy', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    source: text('source').$type<'config' | 'chat'>().notNull(),
    createdBy: integer('created_by').references(() => people.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('deadlines_key_uq').on(t.key)],
);

/**
 * pending → claimed (a sender took it; not tried yet) → sending (the platform call started) → sent.
 * A crash leaves claimed rows safe to take again; a sending row may have reached the platform, so it
 * becomes 'uncertain' and is never sent again (see scheduler/reminderSender.ts).
 */
export const OUTBOX_STATUSES = ['pending', 'claimed', 'sending', 'sent', 'uncertain', 'failed', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const reminderOutbox = sqliteTable(
  'reminder_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deadlineId: integer('deadline_id')
      .notNull()
      .references(() => deadlines.id, { onDelete: 'cascade' }),
    /** The deadline's occurrence this reminder is about, as an ISO day. */
    occurrence: text('occurrence').notNull(),
    chatId: integer('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    /** before-7, before-3, on-day, overdue-2, escalation … */
    kind: text('kind').notNull(),
    /** What to send: text parts and mentions (JSON), fixed when planned. */
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    notBefore: integer('not_before').notNull(),
    /** After this instant the reminder is superseded by a later one and is no longer sent. */
    expiresAt: integer('expires_at'),
    claimToken: text('claim_token'),
    claimedAt: integer('claimed_at'),
    sentAt: integer('sent_at'),
    /** Platform message id once sent, the proof it went out. */
    sentMessageId: text('sent_message_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [
    // The planner may run any number of times: the same reminder is written once.
    uniqueIndex('reminder_outbox_key_uq').on(t.deadlineId, t.occurrence, t.chatId, t.kind),
    index('reminder_outbox_status_idx').on(t.status, t.notBefore),
  ],
);

/**
 * One row per reminder slot the planner has dealt with (deadline, occurrence, kind): the slot's
 * late units were computed once and its outbox rows written in the same transaction, so the
 * minute tick never recomputes a slot nor plans it twice.
 */
export const reminderRuns = sqliteTable(
  'reminder_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deadlineId: integer('deadline_id')
      .notNull()
      .references(() => deadlines.id, { onDelete: 'cascade' }),
    occurrence: text('occurrence').notNull(),
    kind: text('kind').notNull(),
    lateUnits: integer('late_units').notNull(),
    messages: integer('messages').notNull(),
    plannedAt: integer('planned_at').notNull(),
  },
  (t) => [uniqueIndex('reminder_runs_key_uq').on(t.deadlineId, t.occurrence, t.kind)],
);

/**
 * One row per group and day the leaders' morning digest was decided for (scheduler/leaderDigest.ts),
 * written before it is sent: the key keeps it to once a day across restarts and two processes,
 * and a send that fails is not tried again every minute. `waiting` is how many models it listed
 * (0: nothing waited, nothing was sent).
 */
export const leaderDigestRuns = sqliteTable(
  'leader_digest_runs',
  {
    chatRowId: integer('chat_row_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    waiting: integer('waiting').notNull(),
    decidedAt: integer('decided_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatRowId, t.day] })],
);

// ---------------------------------------------------------------------------------------------
// Conversations in progress: one row per platform + chat + person

export const conversations = sqliteTable(
  'conversations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').$type<Platform>().notNull(),
    chatId: text('chat_id').notNull(),
    userId: text('user_id').notNull(),
    flow: text('flow').notNull(),
    /** Key of the step being asked, or "confirm". */
    step: text('step').notNull(),
    /** Answers so far, keyed by step (JSON). */
    answers: text('answers', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Data the flow was started with (e.g. the unit acted for), JSON. */
    context: text('context', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** The bot's latest prompt: answers must refer to it where the platform uses replies. */
    promptMessageId: text('prompt_message_id'),
    startedAt: integer('started_at').notNull(),
    updatedAt: updatedAt(),
    expiresAt: integer('expires_at').notNull(),
    /** Optimistic lock: a step moves only if nobody moved it first (duplicate deliveries). */
    version: integer('version').notNull().default(0),
  },
  // No index on expires_at: it changes at every step (an index entry rewritten with each answer),
  // while the lapse check reads a table that only holds the conversations under way.
  (t) => [uniqueIndex('conversations_owner_uq').on(t.platform, t.chatId, t.userId)],
);

// ---------------------------------------------------------------------------------------------
// Inbound de-duplication (a Telegram update or a Zalo message delivered twice is handled once)

export const processedInbound = sqliteTable(
  'processed_inbound',
  {
    platform: text('platform').notNull(),
    key: text('key').notNull(),
    at: integer('at').notNull(),
  },
  // Written for every update, read by key; forgetting old keys (hourly) scans the table instead
  // of every update paying for a second index. The table is WITHOUT ROWID (migration 0003, which
  // drizzle's schema cannot express): a migration drizzle-kit generates for this table would
  // recreate it with a rowid, so add WITHOUT ROWID to such a migration by hand.
  (t) => [primaryKey({ columns: [t.platform, t.key] })],
);

// ---------------------------------------------------------------------------------------------
// Settings (deployment-wide values an admin may change) and the audit log

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: updatedAt(),
});

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** The person who did it; null for the system or the CLI (see actorLabel). */
    actorPersonId: integer('actor_person_id').references(() => people.id, { onDelete: 'set null' }),
    actorLabel: text('actor_label').notNull(),
    /** "model.register", "model.approve", "role.grant", … */
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId), index('audit_log_at_idx').on(t.at)],
);

// ---------------------------------------------------------------------------------------------
// The Zalo Official Account's OAuth tokens: one row per OA (secrets; never logged)

export const ZALO_OA_TOKEN_STATES = ['ok', 'needs_reauthorisation'] as const;
export type ZaloOaTokenState = (typeof ZALO_OA_TOKEN_STATES)[number];

export const zaloOaTokens = sqliteTable('zalo_oa_tokens', {
  oaId: text('oa_id').primaryKey(),
  /** Null until the first refresh after an operator loaded a refresh token. */
  accessToken: text('access_token'),
  accessExpiresAt: integer('access_expires_at'),
  /** Single-use at Zalo: every refresh returns a new one, written here before the new access token is used. */
  refreshToken: text('refresh_token').notNull(),
  /** An estimate (Zalo says three months from issue and does not return it). */
  refreshExpiresAt: integer('refresh_expires_at').notNull(),
  state: text('state').$type<ZaloOaTokenState>().notNull().default('ok'),
  /** When the row entered its state, and why (Zalo's refusal, for needs_reauthorisation). */
  stateSince: integer('state_since').notNull(),
  stateReason: text('state_reason'),
  updatedAt: updatedAt(),
});

// ---------------------------------------------------------------------------------------------
// Files the bot serves by link (the Zalo OA route: what Zalo cannot carry): one row per offered file

export const fileLinks = sqliteTable(
  'file_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Hex SHA-256 of the link's token. Only the hash is kept, so a copy of the database hands out no working link. */
    tokenHash: text('token_hash').notNull(),
    /** The name and type the group sees and the download carries. */
    fileName: text('file_name').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** The file's random name in the links folder (never the user-visible name, which may say what it holds). */
    storedName: text('stored_name').notNull(),
    /** Where the link was sent. */
    platform: text('platform').$type<Platform>().notNull(),
    platformChatId: text('platform_chat_id').notNull(),
    createdAt: createdAt(),
    expiresAt: integer('expires_at').notNull(),
    downloads: integer('downloads').notNull().default(0),
    lastDownloadAt: integer('last_download_at'),
    /** When the file was deleted from disk; the row stays for the audit trail. */
    purgedAt: integer('purged_at'),
  },
  (t) => [
    uniqueIndex('file_links_token_hash_uq').on(t.tokenHash),
    // The purge's queue: only links whose file is still on disk are in it.
    index('file_links_unpurged_idx').on(t.expiresAt).where(sql`${t.purgedAt} is null`),
  ],
);
