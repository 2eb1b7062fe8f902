import type { UserFromGetMe } from 'grammy/types';

/**
 * What the fake Bot APIs share (bench/instantBotApi.ts and the tests' FakeTelegram in
 * tests/bot/telegram/kit.ts): the bot as getMe describes it, and the text a person reads.
 * Fakes live under bench/ because benchmarks and tests both drive them; tests may import bench,
 * bench never imports tests.
 */

export const BOT_INFO: UserFromGetMe = {
  id: 777000111,
  is_bot: true,
  first_name: 'DVK',
  username: 'dvk_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** What a person reads of an HTML message: tags dropped, entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
