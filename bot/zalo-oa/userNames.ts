import type { Logger } from 'pino';
import { normalizeIncomingText } from '../../core/text.js';
import type { UserDetail } from './api.js';

/**
 * Who writes to the OA in a 1:1 chat. Like a group post, the 1:1 webhook event names nobody
 * (docs/zalo-oa-api.md §8), and the core stores the name a person writes under, so the adapter
 * looks the person up first: Zalo's user detail (`display_name`), kept per person. A name is read
 * again after a day (people rename themselves), and after the person follows or unfollows the OA;
 * a failed lookup is not tried again for a minute, so a burst of messages from one person while
 * the API is down costs one call, not one per message. Group member names stay in MemberNames:
 * a group's list is read per group, a person's detail per person.
 */

export interface UserSource {
  userDetail(userId: string): Promise<UserDetail>;
}

const FRESH_MS = 24 * 3600_000;
const RETRY_AFTER_MS = 60_000;

export class UserNames {
  private readonly known = new Map<string, { name: string; at: number }>();
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly source: UserSource,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The person's Zalo name, or undefined when Zalo does not say (the API unreachable, no permission). */
  async nameOf(userId: string): Promise<string | undefined> {
    const now = this.now();
    const cached = this.known.get(userId);
    if (cached && now - cached.at < FRESH_MS) return cached.name;
    const failed = this.failedAt.get(userId);
    if (failed !== undefined && now - failed < RETRY_AFTER_MS) return cached?.name;
    try {
      const detail = await this.source.userDetail(userId);
      const name = normalizeIncomingText(detail.displayName ?? '');
      this.failedAt.delete(userId);
      if (name === '') return cached?.name;
      this.known.set(userId, { name, at: now });
      return name;
    } catch (error) {
      this.failedAt.set(userId, now);
      this.log.warn({ err: error, userId }, 'zalo-oa: the person’s name could not be read (user detail)');
      // A stale name beats none: the core would otherwise store "Không tên" over it.
      return cached?.name;
    }
  }

  /** The person followed or unfollowed the OA: their detail is read again next time. */
  forget(userId: string): void {
    // Kept as stale rather than dropped: if the next lookup fails, the old name still serves.
    const cached = this.known.get(userId);
    if (cached) cached.at = Number.NEGATIVE_INFINITY;
    this.failedAt.delete(userId);
  }
}
