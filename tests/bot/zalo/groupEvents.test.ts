import { describe, expect, it } from 'vitest';
import { type GroupEvent, GroupEventType } from 'zca-js';
import { readGroupEvent } from '../../../bot/zalo/groupEvents.js';

/** What each group event means for the bot (the test bed shows the whole path: fakeZaloChatGone.test.ts). */

const OWN_ID = '8912345678901234567';
const GROUP_ID = '6543210987654321098';
const THU = { id: '7345678901234567890', dName: 'Trần Thị Thu', avatar: '', type: 0, avatar_25: '' };
const BOT = { ...THU, id: OWN_ID, dName: 'Bot' };

function event(act: string, data: Record<string, unknown>, threadId: unknown = GROUP_ID): GroupEvent {
  return { type: GroupEventType.UNKNOWN, act, threadId, isSelf: false, data } as unknown as GroupEvent;
}

describe('readGroupEvent', () => {
  it.each(['remove_member', 'block_member', 'leave'])('%s naming the bot’s account: the bot is out of the group', (act) => {
    expect(readGroupEvent(event(act, { updateMembers: [THU, BOT] }), OWN_ID)).toEqual({ kind: 'gone', groupId: GROUP_ID, reason: 'removed' });
  });

  it.each(['remove_member', 'block_member', 'leave', 'join'])('%s of someone else: a membership change, counted', (act) => {
    expect(readGroupEvent(event(act, { updateMembers: [THU] }), OWN_ID)).toEqual({ kind: 'membership', groupId: GROUP_ID, act, members: 1 });
  });

  it('the bot itself added (join naming it) is not "gone"', () => {
    expect(readGroupEvent(event('join', { updateMembers: [BOT] }), OWN_ID)).toMatchObject({ kind: 'membership' });
  });

  it('disperse: the group disbanded, whoever is listed', () => {
    expect(readGroupEvent(event('disperse', { updateMembers: [] }), OWN_ID)).toEqual({ kind: 'gone', groupId: GROUP_ID, reason: 'disbanded' });
  });

  it('ids compared as text (Zalo’s exceed 2^53); members given as bare ids (remind responses) are read too', () => {
    expect(readGroupEvent(event('remove_member', { updateMembers: [OWN_ID] }), OWN_ID)).toMatchObject({ kind: 'gone' });
  });

  it('other acts, and events with no group or odd data, change nothing', () => {
    expect(readGroupEvent(event('update_setting', { updateMembers: [BOT] }), OWN_ID)).toEqual({ kind: 'other', groupId: GROUP_ID, act: 'update_setting' });
    expect(readGroupEvent(event('disperse', {}, null), OWN_ID)).toEqual({ kind: 'other', groupId: undefined, act: 'disperse' });
    expect(readGroupEvent(event('remove_member', { updateMembers: null }), OWN_ID)).toEqual({
      kind: 'membership',
      groupId: GROUP_ID,
      act: 'remove_member',
      members: 0,
    });
    expect(readGroupEvent(event('remove_member', null as unknown as Record<string, unknown>), OWN_ID)).toMatchObject({ kind: 'membership', members: 0 });
  });
});
