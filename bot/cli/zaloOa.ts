import { vietnameseCli } from './vietnameseCli.js';
import type { Logger } from 'pino';
import { daysBetween, isoDayOf } from '../../core/calendar.js';
import { type Clock, fixedClock, formatIsoDay, formatVnDate, formatVnDateTime, systemClock } from '../../core/clock.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { readZaloOaTokens, storeAuthorisedPair, type ZaloOaTokens } from '../../db/zaloOaTokens.js';
import { type Config, loadConfigOrSay, type ZaloOaSettings, zaloOaSettings } from '../config.js';
import { createLogger, silentLogger } from '../logger.js';
import {
  exchangeAuthorizationCode,
  type GroupInfo,
  type GroupSummary,
  refreshAccessToken,
  ZaloOaApi,
  ZaloOaApiError,
  ZaloOaTokenRefused,
} from '../zalo-oa/api.js';
import { pkcePair, readAuthorizationAnswer } from '../zalo-oa/consent.js';
import { REFRESH_TOKEN_LIFETIME_MS, TokenKeeper, ZaloOaNeedsReauthorisation } from '../zalo-oa/tokens.js';
import { exitWith } from './database.js';
import { InputCancelled, readStdinLine } from './stdinLine.js';

/**
 * `npm run zalo-oa -- …`: the operator's side of the Zalo Official Account route. Load a first
 * refresh token (from stdin, so it never lands in the shell's history), run the PKCE consent, list
 * the OA's GMF groups with their package expiry, send a test message, show the token's state.
 * Works on the bot's own database (DB_PATH) beside a running bot: the token row is shared, and
 * every write to it compares what it replaces (db/zaloOaTokens.ts).
 *
 * No token, code or key is ever printed: every line passes through `Say`, which blanks the
 * secrets this run has seen.
 *
 * Exit codes: 0 done, 1 refused or failed (one Vietnamese line saying why; for `trang-thai`,
 * also when the OA has no usable token), 2 wrong or missing configuration, 130 cancelled at the prompt.
 */

/** Groups whose package ends within this many days are marked (docs/zalo-oa-api.md §7d). */
const EXPIRY_WARNING_DAYS = 14;
/** Zalo's default page is 5 and no maximum is documented for getgroupsofoa; 10 is the history API's. */
const GROUPS_PAGE = 10;
/** Zalo's examples page members by up to 50. */
const MEMBERS_PAGE = 50;
const REFRESH_MONTHS_TEXT = 'khoảng 3 tháng';
const RERUN_LOAD = 'npm run zalo-oa -- nap-token';
const RERUN_CONSENT = 'npm run zalo-oa -- cap-quyen';
const API_EXPLORER = 'API Explorer (developers.zalo.me → Công cụ & Hỗ trợ → API Explorer → OA Access Token)';

/** Writes lines with every secret of this run blanked, whatever a message from elsewhere quotes. */
class Say {
  private readonly secrets = new Set<string>();

  hide(...values: Array<string | null | undefined>): void {
    for (const value of values) if (value && value.length >= 4) this.secrets.add(value);
  }

  out(...lines: string[]): void {
    process.stdout.write(this.clean(lines));
  }

  err(...lines: string[]): void {
    process.stderr.write(this.clean(lines));
  }

  private clean(lines: string[]): string {
    let text = lines.map((l) => `${l}\n`).join('');
    for (const secret of this.secrets) text = text.split(secret).join('[…]');
    return text;
  }
}

interface Oa {
  config: Config;
  settings: ZaloOaSettings;
  clock: Clock;
  log: Logger;
  say: Say;
}

/** The configuration with the OA route set, or undefined after saying what is missing (exit 2). */
function oaOrSay(): Oa | undefined {
  const config = loadConfigOrSay();
  if (!config) return undefined;
  // parseConfig has already refused a route with only some of its variables set.
  const settings = zaloOaSettings(config);
  if (!settings) {
    process.stderr.write(
      'Chưa cấu hình Zalo OA: hãy đặt ZALO_OA_APP_ID, ZALO_OA_ID, ZALO_OA_APP_SECRET, ZALO_OA_SECRET_KEY và ZALO_OA_PUBLIC_URL trong tệp môi trường (.env) rồi chạy lại.\n',
    );
    return undefined;
  }
  const say = new Say();
  say.hide(settings.appSecret, settings.secretKey);
  return {
    config,
    settings,
    clock: config.DVK_NOW ? fixedClock(config.DVK_NOW) : systemClock,
    // The keeper's own lines are English JSON for the bot's journal; here they appear only when asked for.
    log: config.LOG_LEVEL ? createLogger(config.LOG_LEVEL) : silentLogger,
    say,
  };
}

async function withDatabase(oa: Oa, job: (db: AppDatabase['db']) => Promise<number>): Promise<number> {
  const database = await openDatabase(oa.config.DB_PATH, { clock: oa.clock });
  try {
    const stored = readZaloOaTokens(database.db, oa.settings.oaId);
    oa.say.hide(stored?.accessToken, stored?.refreshToken);
    return await job(database.db);
  } catch (error) {
    const why = explain(oa, error);
    if (why === undefined) throw error;
    oa.say.err(why);
    return 1;
  } finally {
    database.close();
  }
}

function keeperFor(oa: Oa, db: AppDatabase['db']): TokenKeeper {
  const { appId, appSecret, oaId, oauthUrl } = oa.settings;
  return new TokenKeeper({
    db,
    oaId,
    clock: oa.clock,
    refresh: async (refreshToken) => {
      const pair = await refreshAccessToken({ appId, appSecret, refreshToken }, { oauthUrl });
      oa.say.hide(pair.accessToken, pair.refreshToken);
      return pair;
    },
    log: oa.log,
    // The operator is the one reading: the refusal is said on the next line, not alerted.
    onRefused: () => {},
  });
}

function apiFor(oa: Oa, keeper: TokenKeeper): ZaloOaApi {
  return new ZaloOaApi({ baseUrl: oa.settings.apiUrl, oauthUrl: oa.settings.oauthUrl, clock: oa.clock, accessToken: () => keeper.accessToken() });
}

// ---- what went wrong, in one line ----

const NO_TOKEN_YET = 'no refresh token has been loaded';

function explain(oa: Oa, error: unknown): string | undefined {
  const { oaId } = oa.settings;
  if (error instanceof ZaloOaNeedsReauthorisation) {
    if (error.reason === NO_TOKEN_YET)
      return `Chưa nạp mã làm mới (refresh token) nào cho OA ${oaId}: nạp bằng ${RERUN_LOAD}, hoặc cấp quyền bằng ${RERUN_CONSENT}.`;
    return `OA ${oaId} cần được cấp quyền lại: Zalo đã từ chối mã làm mới (${error.reason}). Lấy mã mới ở ${API_EXPLORER} rồi chạy ${RERUN_LOAD}, hoặc chạy ${RERUN_CONSENT}.`;
  }
  if (error instanceof ZaloOaApiError) return apiProblem(error);
  const network = networkProblem(error);
  if (network) return `Không kết nối được tới máy chủ của Zalo (${network}): kiểm tra mạng của máy chủ rồi thử lại.`;
  return undefined;
}

function apiProblem(error: ZaloOaApiError): string {
  const code = `lỗi ${error.code}`;
  switch (error.kind) {
    case 'tokenExpired':
      return `Zalo không nhận mã truy cập đang lưu (${code}). Bot tự làm mới mã khi gặp lỗi này; nếu lỗi còn lặp lại, hãy nạp mã mới bằng ${RERUN_LOAD} hoặc ${RERUN_CONSENT}.`;
    case 'oaRefused':
      if (error.code === -221) return `Zalo từ chối: OA chưa được xác thực, chưa dùng được tính năng này (${code}).`;
      if (error.code === -224) return `Zalo từ chối: gói dịch vụ của OA không có tính năng này, cần nâng cấp gói OA (${code}).`;
      return `Zalo từ chối: OA chưa cấp cho ứng dụng quyền dùng API này (${code}). Cấp quyền lại bằng ${RERUN_CONSENT}, nhớ chọn quyền gửi tin và quyền quản lý nhóm.`;
    case 'groupGone':
      if (error.code === -237) return `Nhóm này đã bị khóa vì gói nhóm GMF hết hạn (${code}): hãy gia hạn nhóm trong Zalo OA.`;
      return `OA không ở trong nhóm này, hoặc mã nhóm không đúng (${code}). Xem các nhóm của OA bằng: npm run zalo-oa -- nhom`;
    case 'rate':
      return `Ứng dụng đã gọi Zalo quá số lần cho phép trong phút này (${code}): thử lại sau một phút.`;
    case 'unavailable':
      return `Máy chủ của Zalo không trả lời được lúc này (HTTP ${error.code}): thử lại sau ít phút.`;
    case 'malformed':
      return `Zalo trả lời không đúng dạng đã biết (${error.message}).`;
    default:
      return `Zalo báo lỗi (${error.message}).`;
  }
}

/** fetch's "fetch failed" names the real cause (ECONNREFUSED, ENOTFOUND, a reset) only in `cause`; the client's own time limit is a TimeoutError. */
function networkProblem(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'TimeoutError') return 'Zalo không trả lời trong thời gian chờ';
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  return String(cause?.code ?? cause?.message ?? 'fetch failed');
}

// ---- the commands ----

async function loadToken(): Promise<number> {
  const oa = oaOrSay();
  if (!oa) return 2;
  const { say } = oa;
  const typed = await readStdinLine({ prompt: 'Dán mã làm mới (refresh token) của OA rồi nhấn Enter (mã không hiện ra khi gõ): ', hidden: true });
  const token = typed?.trim() ?? '';
  say.hide(token);
  if (token === '') {
    say.err(
      `Không nhận được mã làm mới nào: hãy dán mã vào khi được hỏi, hoặc chuyển qua đầu vào chuẩn (ví dụ: ${RERUN_LOAD} < tep-chua-ma.txt). Chưa có gì thay đổi.`,
    );
    return 1;
  }
  if (/\s/.test(token)) {
    say.err('Mã làm mới không được có khoảng trắng ở giữa: hãy dán đúng một mã trên một dòng. Chưa có gì thay đổi.');
    return 1;
  }
  return withDatabase(oa, async (db) => {
    const keeper = keeperFor(oa, db);
    keeper.load(token);
    try {
      // The refresh spends the operator's token at once (committed before anything else), so a wrong one is known now, not at the bot's next send.
      await keeper.accessToken();
    } catch (error) {
      if (error instanceof ZaloOaNeedsReauthorisation) {
        say.err(
          `Zalo không nhận mã làm mới này: mã sai, đã được dùng hoặc đã hết hạn (${error.reason}). Mỗi mã làm mới chỉ dùng được một lần: lấy mã mới ở ${API_EXPLORER} rồi chạy lại, hoặc cấp quyền bằng ${RERUN_CONSENT}.`,
        );
        return 1;
      }
      const network = networkProblem(error);
      if (!network) throw error;
      say.err(
        `Đã lưu mã làm mới nhưng chưa đổi được với Zalo: không kết nối được (${network}). Bot sẽ đổi mã khi chạy; xem kết quả bằng: npm run zalo-oa -- trang-thai`,
      );
      return 1;
    }
    const row = readZaloOaTokens(db, oa.settings.oaId);
    say.out(`Zalo đã nhận mã làm mới: đã lưu cặp mã mới của OA ${oa.settings.oaId}.`, ...lifetimeLines(row));
    return 0;
  });
}

async function consent(): Promise<number> {
  const oa = oaOrSay();
  if (!oa) return 2;
  const { say, settings } = oa;
  // Opened before the operator spends minutes in Zalo's console: a database that cannot be opened says so now.
  return withDatabase(oa, async (db) => {
    const pkce = pkcePair();
    say.hide(pkce.verifier);
    say.out(
      `Cấp quyền cho ứng dụng ${settings.appId} quản lý OA ${settings.oaId} (OAuth v4 của Zalo, có PKCE):`,
      `1. Trên developers.zalo.me, mở ứng dụng ${settings.appId}, phần thiết lập đường dẫn yêu cầu cấp quyền của Official Account. Đặt Callback URL (ví dụ ${settings.publicUrl}), dán code challenge dưới đây, chọn quyền gửi tin và thông báo qua OA và quyền quản lý nhóm, rồi lưu lại:`,
      `   Code challenge: ${pkce.challenge}`,
      `2. Sao chép đường dẫn yêu cầu cấp quyền mà trang đó tạo, mở bằng tài khoản quản trị của OA (hoặc gửi cho quản trị OA), chọn OA ${settings.oaId} rồi bấm “Cho phép”.`,
      '3. Trình duyệt được chuyển tới Callback URL kèm ?code=…&oa_id=…: dán cả địa chỉ đó (hoặc chỉ mã code) vào đây rồi nhấn Enter. Mã code chỉ dùng được một lần, trong 10 phút.',
      'Giữ lệnh này chạy cho tới khi dán xong: mỗi lần chạy tạo một code challenge mới, chỉ lần chạy này đổi được mã code ứng với nó.',
    );
    const typed = await readStdinLine({ prompt: 'Địa chỉ hoặc mã code: ', hidden: false });
    const answer = readAuthorizationAnswer(typed ?? '', settings.oaId);
    if (!answer.ok) {
      if (answer.reason === 'other-oa') {
        say.err(
          `Mã code này được cấp cho OA ${answer.oaId}, không phải OA ${settings.oaId} trong cấu hình (ZALO_OA_ID): chưa đổi mã, chưa có gì thay đổi. Khi cấp quyền, hãy chọn đúng OA.`,
        );
      } else if (answer.reason === 'empty') say.err('Không nhận được mã code nào: chưa có gì thay đổi.');
      else say.err('Không thấy mã code trong nội dung đã dán: hãy dán địa chỉ trình duyệt được chuyển tới (có ?code=…) hoặc chỉ mã code. Chưa có gì thay đổi.');
      return 1;
    }
    say.hide(answer.code);
    let pair: Awaited<ReturnType<typeof exchangeAuthorizationCode>>;
    try {
      pair = await exchangeAuthorizationCode(
        { appId: settings.appId, appSecret: settings.appSecret, code: answer.code, codeVerifier: pkce.verifier },
        { oauthUrl: settings.oauthUrl },
      );
    } catch (error) {
      if (!(error instanceof ZaloOaTokenRefused)) throw error;
      say.err(
        `Zalo không đổi mã code này (${error.reason}): mã sai, đã dùng, quá 10 phút, hoặc code challenge đang lưu trong thiết lập của ứng dụng không phải của lần chạy này. Hãy chạy lại ${RERUN_CONSENT}, dán code challenge mới vào thiết lập rồi cấp quyền lại. Chưa có gì thay đổi.`,
      );
      return 1;
    }
    say.hide(pair.accessToken, pair.refreshToken);
    // Stored before anything else is done with it: the pair is the only copy.
    const at = oa.clock.now();
    storeAuthorisedPair(
      db,
      settings.oaId,
      {
        accessToken: pair.accessToken,
        accessExpiresAt: at.getTime() + pair.expiresInSeconds * 1000,
        refreshToken: pair.refreshToken,
        refreshExpiresAt: at.getTime() + REFRESH_TOKEN_LIFETIME_MS,
      },
      at,
    );
    say.out(
      `Đã cấp quyền: đã lưu cặp mã mới của OA ${settings.oaId}.`,
      ...lifetimeLines(readZaloOaTokens(db, settings.oaId)),
      'Thử ngay: npm run zalo-oa -- nhom',
    );
    return 0;
  });
}

async function groups(): Promise<number> {
  const oa = oaOrSay();
  if (!oa) return 2;
  return withDatabase(oa, async (db) => {
    const api = apiFor(oa, keeperFor(oa, db));
    const all: GroupSummary[] = [];
    for (let offset = 0, pages = 0; pages < 100; pages++) {
      const page = await api.groupsOfOa(offset, GROUPS_PAGE);
      all.push(...page.items);
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) break;
    }
    if (all.length === 0) {
      oa.say.out(`OA ${oa.settings.oaId} chưa có nhóm chat nào (GMF). Nhóm do OA tạo trong Zalo OA Manager; tạo xong, chạy lại lệnh này để lấy mã nhóm.`);
      return 0;
    }
    const today = isoDayOf(oa.clock.now());
    const lines = [`OA ${oa.settings.oaId} có ${all.length} nhóm:`];
    let warned = 0;
    for (const group of all) {
      let info: GroupInfo | undefined;
      let infoProblem: string | undefined;
      try {
        info = await api.groupInfo(group.groupId);
      } catch (error) {
        if (!(error instanceof ZaloOaApiError) || error.kind === 'tokenExpired' || error.kind === 'oaRefused') throw error;
        infoProblem = apiProblem(error);
      }
      lines.push(groupLine(group, info));
      if (infoProblem) lines.push(`  không đọc được thông tin gói của nhóm: ${infoProblem}`);
      else if (info) {
        const expiry = expiryLine(info, today);
        if (expiry.warn) warned++;
        lines.push(`  ${expiry.text}`);
      }
    }
    if (warned > 0) lines.push(`⚠ ${warned} nhóm cần gia hạn gói trong ${EXPIRY_WARNING_DAYS} ngày tới hoặc đã hết hạn.`);
    oa.say.out(...lines);
    return 0;
  });
}

function groupLine(group: GroupSummary, info: GroupInfo | undefined): string {
  const status = info?.status ?? group.status;
  const members = info?.totalMembers ?? group.totalMembers;
  const max = info?.maxMembers;
  const parts = [statusText(status)];
  if (members !== undefined) parts.push(max !== undefined ? `${members}/${max} thành viên` : `${members} thành viên`);
  return `• ${info?.name ?? group.name} (mã ${group.groupId}) — ${parts.join(', ')}`;
}

function statusText(status: string | undefined): string {
  if (status === 'enabled') return 'đang hoạt động';
  if (status === 'disabled') return 'bị khóa, không gửi tin được';
  return status ? `trạng thái ${status}` : 'không rõ trạng thái';
}

function expiryLine(info: GroupInfo, today: string): { text: string; warn: boolean } {
  const dissolves = info.autoDeleteDate ? `nhóm tự giải tán ngày ${formatIsoDay(info.autoDeleteDate)} nếu không gia hạn` : undefined;
  const asset = info.assetType ? `gói ${info.assetType}` : 'gói';
  if (!info.validThrough) return { text: [`${asset}: Zalo không cho biết ngày hết hạn`, dissolves].filter(Boolean).join('; '), warn: false };
  const left = daysBetween(today, info.validThrough);
  const renew = info.autoRenew === true ? ', tự gia hạn' : info.autoRenew === false ? ', không tự gia hạn' : '';
  const until = formatIsoDay(info.validThrough);
  if (left < 0) return { text: [`⚠ ${asset} đã hết hạn từ ${until}: cần gia hạn ngay`, dissolves].filter(Boolean).join('; '), warn: true };
  if (left <= EXPIRY_WARNING_DAYS) {
    const when = left === 0 ? 'hết hạn hôm nay' : `còn ${left} ngày`;
    return { text: [`⚠ ${asset} hết hạn ${until} (${when}${renew}): cần gia hạn`, dissolves].filter(Boolean).join('; '), warn: true };
  }
  return { text: [`${asset} hết hạn ${until}${renew}`, dissolves].filter(Boolean).join('; '), warn: false };
}

async function sendTest(groupId: string, words: string[]): Promise<number> {
  const oa = oaOrSay();
  if (!oa) return 2;
  return withDatabase(oa, async (db) => {
    const api = apiFor(oa, keeperFor(oa, db));
    const typed = words.join(' ').trim();
    const text = (typed || `Tin nhắn thử từ dvk-bot lúc ${formatVnDateTime(oa.clock.now())}: Official Account gửi được tin vào nhóm này.`).normalize('NFC');
    const sent = await api.sendText(groupId.trim(), text);
    oa.say.out(`Đã gửi tin thử vào nhóm ${sent.groupId}: mã tin nhắn ${sent.messageId}.`);
    return 0;
  });
}

/**
 * The members of one group with their OA-scoped ids: what `npm run admin -- add zalo-oa:<id>`
 * needs for the first administrator on a server that runs the OA route alone (the bot never shows
 * a member their id).
 */
async function members(groupId: string): Promise<number> {
  const oa = oaOrSay();
  if (!oa) return 2;
  return withDatabase(oa, async (db) => {
    const api = apiFor(oa, keeperFor(oa, db));
    const lines: string[] = [];
    let total = 0;
    for (let offset = 0, pages = 0; pages < 100; pages++) {
      const page = await api.members(groupId.trim(), offset, MEMBERS_PAGE);
      total = page.total;
      for (const member of page.items) {
        if (member.kind === 'user') lines.push(`• ${member.name ?? '(không tên)'} — zalo-oa:${member.id}`);
      }
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) break;
    }
    oa.say.out(
      `Nhóm ${groupId.trim()} có ${total} thành viên (kể cả OA); mã của từng người trong OA:`,
      ...lines,
      'Cấp quyền quản trị cho một người: npm run admin -- add zalo-oa:<mã> --ten "Họ tên".',
    );
    return 0;
  });
}

async function status(): Promise<number> {
  const oa = oaOrSay();
  if (!oa) return 2;
  return withDatabase(oa, async (db) => {
    const { oaId, appId } = oa.settings;
    const row = readZaloOaTokens(db, oaId);
    const head = `OA ${oaId}, ứng dụng ${appId}.`;
    if (!row) {
      oa.say.out(head, `Trạng thái: chưa nạp mã nào. Nạp mã làm mới bằng ${RERUN_LOAD}, hoặc cấp quyền bằng ${RERUN_CONSENT}.`);
      return 1;
    }
    const since = formatVnDateTime(new Date(row.stateSince));
    if (row.state === 'needs_reauthorisation') {
      oa.say.out(
        head,
        `Trạng thái: cần cấp quyền lại (từ ${since}): ${row.stateReason ?? 'Zalo từ chối mã làm mới'}.`,
        `Bot không gửi được tin qua OA cho tới khi có mã mới: lấy mã ở ${API_EXPLORER} rồi chạy ${RERUN_LOAD}, hoặc chạy ${RERUN_CONSENT}.`,
      );
      return 1;
    }
    oa.say.out(head, `Trạng thái: dùng được (từ ${since}).`, ...lifetimeLines(row, oa.clock.now()));
    return 0;
  });
}

/** When the stored tokens run out; with `now`, also how long is left (the status view). */
function lifetimeLines(row: ZaloOaTokens | undefined, now?: Date): string[] {
  if (!row) return [];
  const lines: string[] = [];
  if (row.accessToken === null || row.accessExpiresAt === null) lines.push('Mã truy cập: chưa có; bot đổi mã ở lần dùng tới.');
  else if (now && row.accessExpiresAt <= now.getTime()) {
    lines.push(`Mã truy cập: đã hết hạn lúc ${formatVnDateTime(new Date(row.accessExpiresAt))}; bot đổi mã mới ở lần dùng tới.`);
  } else lines.push(`Mã truy cập hết hạn lúc ${formatVnDateTime(new Date(row.accessExpiresAt))}; bot tự làm mới trước khi hết hạn.`);
  const refreshUntil = formatVnDate(new Date(row.refreshExpiresAt));
  if (!now) {
    lines.push(`Mã làm mới có hạn ${REFRESH_MONTHS_TEXT} (tới khoảng ${refreshUntil}); mỗi lần làm mới, Zalo cấp mã mới với hạn ${REFRESH_MONTHS_TEXT}.`);
    return lines;
  }
  const msLeft = row.refreshExpiresAt - now.getTime();
  const daysLeft = Math.round(msLeft / 86_400_000);
  if (msLeft < 0) lines.push(`⚠ Mã làm mới đã hết hạn khoảng ${refreshUntil}: cần cấp quyền lại (${RERUN_CONSENT}).`);
  else if (daysLeft <= EXPIRY_WARNING_DAYS) {
    lines.push(`⚠ Mã làm mới hết hạn khoảng ${refreshUntil} (còn ${daysLeft} ngày): chạy bot để mã được làm mới, nếu không sẽ phải cấp quyền lại.`);
  } else lines.push(`Mã làm mới hết hạn khoảng ${refreshUntil} (còn khoảng ${daysLeft} ngày; ${REFRESH_MONTHS_TEXT} kể từ lần cấp gần nhất).`);
  lines.push(`Cập nhật lần cuối: ${formatVnDateTime(new Date(row.updatedAt))}.`);
  return lines;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = vietnameseCli('zalo-oa')
    .description('Official Account Zalo của bot “Dân vận khéo”: nạp mã, cấp quyền, xem nhóm, gửi tin thử')
    .showHelpAfterError('(gõ --help để xem cách dùng)');
  const run = (job: () => Promise<number>) => async () => {
    try {
      code = await job();
    } catch (error) {
      if (!(error instanceof InputCancelled)) throw error;
      process.stderr.write('Đã hủy: chưa có gì thay đổi.\n');
      code = 130;
    }
  };

  cli
    .command('nap-token')
    .alias('load-token')
    .description('nạp mã làm mới (refresh token) đầu tiên từ đầu vào chuẩn (không hiện khi gõ) và đổi thử ngay với Zalo')
    .action(run(loadToken));

  cli
    .command('cap-quyen')
    .alias('consent')
    .description('cấp quyền cho ứng dụng theo OAuth v4 có PKCE: in code challenge, nhận mã code, lưu cặp mã')
    .action(run(consent));

  cli.command('nhom').alias('groups').description('liệt kê các nhóm chat (GMF) của OA: mã nhóm, tên, trạng thái, số thành viên, hạn gói').action(run(groups));

  cli
    .command('gui-thu')
    .alias('send-test')
    .description('gửi một tin nhắn thử vào một nhóm của OA và in mã tin nhắn')
    .argument('<mã-nhóm>', 'mã nhóm (lấy bằng lệnh nhom)')
    .argument('[nội-dung...]', 'nội dung tin (mặc định: một dòng báo là tin thử, kèm giờ gửi)')
    .action((groupId: string, words: string[]) => run(() => sendTest(groupId, words))());

  cli
    .command('thanh-vien')
    .alias('members')
    .description('liệt kê thành viên một nhóm của OA với mã của họ trong OA (để cấp quyền quản trị đầu tiên)')
    .argument('<mã-nhóm>', 'mã nhóm (lấy bằng lệnh nhom)')
    .action((groupId: string) => run(() => members(groupId))());

  cli.command('trang-thai').alias('status').description('xem mã của OA còn dùng được không, khi nào hết hạn (không in mã)').action(run(status));

  await cli.parseAsync(argv);
  return code;
}

exitWith('zalo-oa', () => main(process.argv));
