import { existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * Start-up configuration: environment variables (and an optional `.env` file, which never
 * overrides a variable already set). Parsed once with zod; a wrong value stops the program with
 * one line naming the variable and what is expected. Secret values are never echoed back.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Instants must carry their offset, so "now" is never silently read in the machine's zone. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

/** Every variable with the sentence shown when its value is wrong. */
const VARIABLES = {
  DB_PATH: {
    schema: z.preprocess(blankToUndefined, z.string().default('./data/dvk.sqlite')),
    expected: 'đường dẫn tới tệp SQLite, ví dụ ./data/dvk.sqlite',
    secret: false,
  },
  TELEGRAM_BOT_TOKEN: {
    schema: optional(z.string().regex(/^\d{5,}:[A-Za-z0-9_-]{30,}$/)),
    expected: 'mã bot do BotFather cấp, dạng 123456789:AA... (giá trị không được in ra vì là bí mật)',
    secret: true,
  },
  TELEGRAM_API_ROOT: {
    // "http://host:8081/" and "http://host:8081" are the same server (grammY refuses the slash).
    schema: optional(z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''))),
    expected: 'địa chỉ http(s) của máy chủ Bot API tự dựng, ví dụ http://127.0.0.1:8081',
    secret: false,
  },
  ZALO_CREDENTIALS: {
    schema: optional(z.string().refine((p) => existsSync(p), 'missing file')),
    expected: 'đường dẫn tới tệp đăng nhập Zalo đã lưu (tệp phải tồn tại)',
    secret: false,
  },
  ZALO_OA_APP_ID: {
    schema: optional(z.string().regex(/^\d{5,25}$/)),
    expected: 'ID ứng dụng (App ID) trên developers.zalo.me, chỉ gồm chữ số',
    secret: false,
  },
  ZALO_OA_ID: {
    schema: optional(z.string().regex(/^\d{5,25}$/)),
    expected: 'OA ID của Official Account (trang Thông tin OA), chỉ gồm chữ số',
    secret: false,
  },
  ZALO_OA_APP_SECRET: {
    schema: optional(z.string().regex(/^\S{8,200}$/)),
    expected: 'khóa bí mật của ứng dụng (App Secret Key, trang Cài đặt của ứng dụng; giá trị không được in ra vì là bí mật)',
    secret: true,
  },
  ZALO_OA_SECRET_KEY: {
    schema: optional(z.string().regex(/^\S{8,200}$/)),
    expected: 'khóa bí mật của OA dùng ký webhook (OA Secret Key, trang Webhook của ứng dụng; không phải App Secret; giá trị không được in ra vì là bí mật)',
    secret: true,
  },
  ZALO_OA_PUBLIC_URL: {
    // Zalo posts only to a verified https domain; the bot's links to files start with it too.
    schema: optional(z.url({ protocol: /^https$/ }).transform((url) => url.replace(/\/+$/, ''))),
    expected: 'địa chỉ https công khai (tên miền đã xác thực với Zalo) trỏ tới bot, ví dụ https://dvk.hatinh.gov.vn',
    secret: false,
  },
  ZALO_OA_PORT: {
    schema: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(65535).default(8790)),
    expected: 'cổng bot nghe webhook của Zalo OA phía sau máy chủ HTTPS (Caddy, nginx), từ 1 đến 65535 (mặc định 8790)',
    secret: false,
  },
  ZALO_OA_HOST: {
    schema: z.preprocess(blankToUndefined, z.string().default('127.0.0.1')),
    expected: 'địa chỉ bot nghe webhook (mặc định 127.0.0.1: chỉ máy chủ HTTPS trên cùng máy chuyển tới)',
    secret: false,
  },
  ZALO_OA_CALLS_PER_MINUTE: {
    schema: z.preprocess(blankToUndefined, z.coerce.number().int().min(10).max(4000).default(100)),
    expected: 'số lần gọi API Zalo OA nhiều nhất trong một phút, từ 10 đến 4000 (mặc định 100, giới hạn của gói Tăng trưởng; gói Toàn diện cho 2000)',
    secret: false,
  },
  ZALO_OA_FILES_DIR: {
    schema: optional(z.string()),
    expected: 'thư mục giữ các tệp gửi qua liên kết tải về (mặc định: thư mục zalo-oa-files cạnh tệp DB_PATH)',
    secret: false,
  },
  ZALO_OA_API_URL: {
    schema: optional(z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''))),
    expected: 'địa chỉ OpenAPI của Zalo (mặc định https://openapi.zalo.me; chỉ đổi khi thử nghiệm)',
    secret: false,
  },
  ZALO_OA_OAUTH_URL: {
    schema: optional(z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''))),
    expected: 'địa chỉ máy chủ OAuth của Zalo (mặc định https://oauth.zaloapp.com; chỉ đổi khi thử nghiệm)',
    secret: false,
  },
  NODE_ENV: {
    // "production" (set by the systemd unit and the Docker image): a service, never the simulator.
    schema: optional(z.string()),
    expected: 'production khi chạy như một dịch vụ (systemd, Docker)',
    secret: false,
  },
  DVK_NOW: {
    schema: optional(
      z
        .string()
        .regex(ISO_WITH_OFFSET)
        .refine((s) => !Number.isNaN(Date.parse(s)))
        .transform((s) => new Date(s)),
    ),
    expected: 'thời điểm ISO có múi giờ, ví dụ 2026-01-15T08:00:00+07:00',
    secret: false,
  },
  LOG_LEVEL: {
    schema: optional(z.enum(LOG_LEVELS)),
    expected: `một trong ${LOG_LEVELS.join(', ')}`,
    secret: false,
  },
  DVK_OUT_DIR: {
    schema: z.preprocess(blankToUndefined, z.string().default('./data/out')),
    expected: 'thư mục ghi các tệp bot tạo ra (xlsx, docx, png)',
    secret: false,
  },
  DVK_CALENDAR: {
    schema: z.preprocess(
      blankToUndefined,
      z
        .string()
        .default('./config/calendar.json')
        .refine((p) => existsSync(p), 'missing file'),
    ),
    expected: 'đường dẫn tới tệp lịch hạn báo cáo (JSON), mặc định ./config/calendar.json (tệp phải tồn tại)',
    secret: false,
  },
  DVK_BACKUP_DIR: {
    schema: optional(z.string()),
    expected: 'thư mục chứa các bản sao lưu (mặc định: thư mục backups cạnh tệp DB_PATH, tức ./data/backups)',
    secret: false,
  },
  DVK_BACKUP_KEEP: {
    schema: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(365).default(14)),
    expected: 'số bản sao lưu được giữ lại, từ 1 đến 365 (mặc định 14)',
    secret: false,
  },
  DVK_BACKUP_TIME: {
    schema: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
        .default('02:00'),
    ),
    expected: 'giờ sao lưu hằng đêm theo giờ Việt Nam, dạng HH:MM (mặc định 02:00)',
    secret: false,
  },
  DVK_EVIDENCE_DIR: {
    schema: optional(z.string()),
    expected: 'thư mục lưu bản sao ảnh, tệp minh chứng (mặc định: thư mục evidence cạnh tệp DB_PATH, tức ./data/evidence)',
    secret: false,
  },
  DVK_EVIDENCE_MAX_MB: {
    schema: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(2000).default(20)),
    expected: 'dung lượng lớn nhất (MB) của một ảnh, tệp minh chứng được lưu, từ 1 đến 2000 (mặc định 20)',
    secret: false,
  },
  DVK_ADMIN_SELF_DECISION: {
    // Off unless said: the person who registered a model (or its unit's officer) never decides on it.
    schema: z.preprocess(
      (v) => (typeof v === 'string' ? blankToUndefined(v.trim().toLowerCase().normalize('NFC')) : v),
      z
        .enum(['co', 'có', 'khong', 'không', 'true', 'false', '1', '0'])
        .default('khong')
        .transform((v) => ['co', 'có', 'true', '1'].includes(v)),
    ),
    expected:
      'co hoặc khong (mặc định khong): có cho quản trị tự duyệt, công nhận mô hình do chính mình đăng ký hay của đơn vị mình không — chỉ nên bật ở nơi chỉ có một người quản trị',
    secret: false,
  },
  DVK_DATA_PROTECTION_CONTACT: {
    // Law 91/2025 and Decree 356/2025: people are told who answers for their data. Printed in the
    // notice /thamgia, /start and /huongdan show; without it the notice says to ask the admins.
    schema: optional(
      z
        .string()
        .transform((v) => v.normalize('NFC').replace(/\s+/g, ' ').trim())
        .pipe(z.string().min(3).max(300)),
    ),
    expected: 'người hoặc bộ phận phụ trách bảo vệ dữ liệu cá nhân và cách liên hệ, từ 3 đến 300 ký tự, ví dụ "Văn phòng Sở Nội vụ, điện thoại 0239 3855 123"',
    secret: false,
  },
  DVK_RETENTION_MONTHS: {
    schema: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(120).default(12)),
    expected:
      'số tháng giữ thông tin của người đã nghỉ (không còn đơn vị, không còn vai trò, không dùng bot) trước khi tự động xóa, từ 1 đến 120 (mặc định 12)',
    secret: false,
  },
  DVK_FLOW_TTL_MINUTES: {
    schema: z.preprocess(
      blankToUndefined,
      z.coerce
        .number()
        .int()
        .min(5)
        .max(7 * 24 * 60)
        .default(24 * 60),
    ),
    expected: 'số phút một cuộc hội thoại dở dang được giữ, từ 5 đến 10080 (mặc định 1440)',
    secret: false,
  },
} as const;

type Variables = typeof VARIABLES;
export type Config = { [K in keyof Variables]: z.output<Variables[K]['schema']> };
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the given environment; throws ConfigError on the first wrong variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(VARIABLES)) {
    const result = spec.schema.safeParse(env[name]);
    if (!result.success) {
      const raw = env[name];
      const shown = spec.secret || raw === undefined ? '' : ` (đang là "${raw.slice(0, 80)}")`;
      throw new ConfigError(name, `Cấu hình sai: ${name} phải là ${spec.expected}${shown}.`);
    }
    out[name] = result.data;
  }
  const config = out as Config;
  zaloOaSettings(config);
  return config;
}

/** The Zalo OA route's settings: all four ids and keys and the public address, or none of them. */
const ZALO_OA_REQUIRED = ['ZALO_OA_APP_ID', 'ZALO_OA_ID', 'ZALO_OA_APP_SECRET', 'ZALO_OA_SECRET_KEY', 'ZALO_OA_PUBLIC_URL'] as const;

export interface ZaloOaSettings {
  appId: string;
  oaId: string;
  appSecret: string;
  secretKey: string;
  publicUrl: string;
  port: number;
  host: string;
  callsPerMinute: number;
  filesDir: string | undefined;
  apiUrl: string | undefined;
  oauthUrl: string | undefined;
}

/**
 * The OA route's settings when it is configured, undefined when none of its required variables is
 * set; one set without the others is a ConfigError naming the first missing one (a half-configured
 * route would start and then refuse every webhook post).
 */
export function zaloOaSettings(config: Config): ZaloOaSettings | undefined {
  const set = ZALO_OA_REQUIRED.filter((name) => config[name] !== undefined);
  if (set.length === 0) return undefined;
  const missing = ZALO_OA_REQUIRED.find((name) => config[name] === undefined);
  if (missing) {
    throw new ConfigError(
      missing,
      `Cấu hình sai: ${missing} phải là ${VARIABLES[missing].expected} (cần đủ ${ZALO_OA_REQUIRED.join(', ')} để chạy Zalo OA; đã có ${set.join(', ')}).`,
    );
  }
  return {
    appId: config.ZALO_OA_APP_ID!,
    oaId: config.ZALO_OA_ID!,
    appSecret: config.ZALO_OA_APP_SECRET!,
    secretKey: config.ZALO_OA_SECRET_KEY!,
    publicUrl: config.ZALO_OA_PUBLIC_URL!,
    port: config.ZALO_OA_PORT,
    host: config.ZALO_OA_HOST,
    callsPerMinute: config.ZALO_OA_CALLS_PER_MINUTE,
    filesDir: config.ZALO_OA_FILES_DIR,
    apiUrl: config.ZALO_OA_API_URL,
    oauthUrl: config.ZALO_OA_OAUTH_URL,
  };
}

/** Reads `.env` (when present) into process.env without overriding, then parses. */
export function loadConfig(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}

/**
 * loadConfig for a program's start (the bot, an operator command): a wrong setting is written to
 * stderr as its one Vietnamese line and undefined comes back, for the caller to exit with 2.
 */
export function loadConfigOrSay(): Config | undefined {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}

export const CONFIG_VARIABLES: ReadonlyArray<{ name: string; expected: string }> = Object.entries(VARIABLES).map(([name, spec]) => ({
  name,
  expected: spec.expected,
}));
