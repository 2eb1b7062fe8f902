import type { Logger } from 'pino';
import { normalizeIncomingText } from '../../core/text.js';
import type { HistoryMessage, Member, Page } from './api.js';

/**
 * Who is who in the OA's groups. Zalo's webhook event names nobody (docs/zalo-oa-api.md §1a), but
 * the core stores the name a person writes under, so the adapter looks the sender up before the
 * core sees the message: in the group's member list (kept per group, read again at most once a
 * minute when someone unknown writes, and after a join), then in the group's latest messages
 * (their `from_display_name`), which hold the message just sent. The OA's own name comes with the
 * member list too: members address the OA by it.
 */

export interface MemberSource {
  members(groupId: string, offset: number, count: number): Promise<Page<Member>>;
  conversation(groupId: string, offset: number, count: number): Promise<HistoryMessage[]>;
}

/** Zalo does not document the page size of listmember; 50 is what its examples use at most. */
const PAGE = 50;
/** A group of GMF-1000 is 20 pages; more is not a group the OA can own. */
const MAX_PAGES = 25;
const RELOAD_AFTER_MS = 60_000;

export class MemberNames {
  private readonly names = new Map<string, Map<string, string>>();
  private readonly loadedAt = new Map<string, number>();
  private oaName: string | undefined;

  constructor(
    private readonly source: MemberSource,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The OA's name as the member lists show it, once a list was read. */
  get ownName(): string | undefined {
    return this.oaName;
  }

  /**
   * The OA's name, reading `groupId`'s member list first if no list was read yet: a member's
   * first message may address the OA by it.
   */
  async ownNameVia(groupId: string): Promise<string | undefined> {
    if (this.oaName === undefined && !this.loadedAt.has(groupId)) await this.load(groupId);
    return this.oaName;
  }

  /** A name learnt elsewhere (a history item). */
  remember(groupId: string, userId: string, name: string): void {
    const clean = normalizeIncomingText(name);
    if (clean !== '') this.group(groupId).set(userId, clean);
  }

  /** The group changed (someone joined): its list is read again on the next unknown sender. */
  forget(groupId: string): void {
    this.loadedAt.delete(groupId);
  }

  /** The member's name, or undefined when Zalo does not say (the API unreachable, a member not listed). */
  async nameOf(groupId: string, userId: string): Promise<string | undefined> {
    const known = this.names.get(groupId)?.get(userId);
    if (known) return known;
    const loaded = this.loadedAt.get(groupId);
    if (loaded === undefined || this.now() - loaded >= RELOAD_AFTER_MS) {
      await this.load(groupId);
      const listed = this.names.get(groupId)?.get(userId);
      if (listed) return listed;
    }
    return this.fromLatest(groupId, userId);
  }

  /** Reads the whole member list of a group; the OA's own entry gives its name. */
  async load(groupId: string): Promise<void> {
    this.loadedAt.set(groupId, this.now());
    try {
      for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
        const { items, total } = await this.source.members(groupId, offset, PAGE);
        for (const member of items) {
          if (member.kind === 'oa') {
            if (member.name) this.oaName = normalizeIncomingText(member.name);
          } else if (member.name) this.remember(groupId, member.id, member.name);
        }
        offset += items.length;
        if (items.length === 0 || offset >= total) break;
      }
    } catch (error) {
      this.log.warn({ err: error, groupId }, 'zalo-oa: the group’s member list could not be read');
    }
  }

  private async fromLatest(groupId: string, userId: string): Promise<string | undefined> {
    try {
      for (const item of await this.source.conversation(groupId, 0, 10)) {
        if (!item.fromOa && item.fromDisplayName) this.remember(groupId, item.fromId, item.fromDisplayName);
      }
    } catch (error) {
      this.log.warn({ err: error, groupId }, 'zalo-oa: the group’s latest messages could not be read');
    }
    return this.names.get(groupId)?.get(userId);
  }

  private group(groupId: string): Map<string, string> {
    let names = this.names.get(groupId);
    if (!names) this.names.set(groupId, (names = new Map()));
    return names;
  }
}
