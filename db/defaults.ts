import type { Db } from './client.js';
import { fields, settings } from './schema.js';

/** The fields (lĩnh vực) the plans name; an admin can add or retire fields later. */
export const DEFAULT_FIELDS = [
  'Kinh tế',
  'Văn hóa - xã hội',
  'Quốc phòng - an ninh',
  'Xây dựng Đảng và hệ thống chính trị',
  'Cải cách hành chính',
  'Tiếp dân và giải quyết đơn thư',
  'Xây dựng nông thôn mới',
] as const;

/** Deployment-wide settings and their defaults. */
export const DEFAULT_SETTINGS = {
  /** Models each unit must register per year ("ít nhất 01 mô hình/năm"). */
  'quota.default': 1,
} as const;

/** Inserts what a fresh deployment needs, leaving anything already there untouched. */
export function ensureDefaults(db: Db, now: Date): void {
  db.transaction((tx) => {
    DEFAULT_FIELDS.forEach((label, i) => {
      tx.insert(fields)
        .values({ label, sortOrder: (i + 1) * 10 })
        .onConflictDoNothing()
        .run();
    });
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
      tx.insert(settings).values({ key, value, updatedAt: now.getTime() }).onConflictDoNothing().run();
    }
  });
}
