import type { ChatRef, IncomingMessage, Outbound, PlatformUser } from '../../core/chat.js';
import { OA_GROUP, OA_GROUP_NAME, OaBed } from '../../bench/fakes/zaloOa/botBed.js';
import { adapterContract, type BotMessage, type Delivery, type PlatformDriver, type PlatformWorld, type Typed } from './adapterContract.js';

/**
 * The Zalo OA adapter under the contract, on the OA bed (bench/fakes/zaloOa/botBed.ts): the real
 * route (OpenAPI client, token store, file links, adapter and its HTTP server on loopback) over the
 * fake OpenAPI, fed signed webhook posts. Every group message reaches the OA, so an answer is the
 * person's next message. A file Zalo does not carry (a spreadsheet) arrives as a link: the member
 * taps it, and what the bot's server hands out is what the group received.
 */

const GROUP: ChatRef = { platform: 'zalo-oa', id: OA_GROUP, kind: 'group', title: OA_GROUP_NAME };
const LINK = /https:\/\/dvk\.example\.gov\.vn\/zalo-oa\/tep\/[A-Za-z0-9_-]+/;

async function zaloOaWorld(): Promise<PlatformWorld> {
  let last: { message: IncomingMessage; outbound: Outbound } | undefined;
  let nextUid = 8_100_000_000_000_000_001n;
  /** What each link handed out when a member opened it. */
  const downloads = new Map<string, { name: string; data: Buffer }>();
  const bed = await OaBed.start({
    tap: (message, outbound) => {
      last = { message, outbound };
    },
    prepare: ({ route }) => {
      // A member opens each link as soon as it is posted (the test reads the sends synchronously).
      const offer = route.links.offer.bind(route.links);
      route.links.offer = async (file, chat) => {
        const link = await offer(file, chat);
        const response = await fetch(bed.local(link.url));
        const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? '');
        downloads.set(link.url, { name, data: Buffer.from(await response.arrayBuffer()) });
        return link;
      };
    },
  });
  const { fake, core } = bed;

  const group = fake.groups.get(OA_GROUP)!;
  const sent = (): BotMessage[] =>
    fake.sent.map((s) => {
      if (s.kind === 'file') return { chatId: s.groupId, text: '', file: { name: s.upload.fileName, data: s.upload.bytes } };
      if (s.kind === 'image') return { chatId: s.groupId, text: s.caption, ...(s.upload ? { file: { name: s.upload.fileName, data: s.upload.bytes } } : {}) };
      const link = LINK.exec(s.text)?.[0];
      const file = link ? downloads.get(link) : undefined;
      return { chatId: s.groupId, text: seen(s.text), ...(file ? { file } : {}) };
    });

  /** Zalo shows a `[@user_id]` the OA writes as the member's name (docs/zalo-oa-api.md §3b). */
  const seen = (text: string) =>
    text.replace(/\[@(\d+)\]/g, (token, id: string) => {
      const member = group.members.find((m) => m.id === id);
      return member ? `@${member.name}` : token;
    });

  const events = new Map<string, Record<string, unknown>>();
  const say = async (from: PlatformUser, typed: Typed): Promise<Delivery> => {
    let text = '';
    for (const part of typeof typed === 'string' ? [typed] : typed) {
      if (typeof part === 'string') text += part;
      // How a member's mention reaches the webhook is not documented: the name as typed, no id.
      else if ('mentionBot' in part) text += `@${fake.oaName}`;
      else text += part.as;
    }
    const before = sent().length;
    last = undefined;
    const event = await bed.say(from.id, text);
    const id = String((event.message as { msg_id: string }).msg_id);
    events.set(id, event);
    return { id, replies: sent().slice(before), ...last! };
  };

  return {
    adapter: bed.adapter,
    core,
    group: GROUP,
    person(displayName) {
      const name = displayName.normalize('NFC');
      let member = group.members.find((m) => m.name === name);
      if (!member) group.members.push((member = { id: String(nextUid++), name }));
      return { id: member.id, displayName: name };
    },
    say,
    answer: say,
    sent,
    async redeliver(delivery) {
      const before = sent().length;
      // Zalo posts a failed delivery again: the same body, with num_retry.
      await bed.post(events.get(delivery.id)!, { retry: 1 });
      return sent().slice(before);
    },
    refuseSends() {
      // -403: the group is not the OA's (any more).
      fake.fail('/v3.0/oa/group/message', -403, { times: 100 });
    },
    async removeBot(chat) {
      await bed.post({ event_name: 'delete_group', app_id: fake.appId, oa_id: fake.oaId, group_id: chat.id, timestamp: String(Date.now()) });
    },
    close: () => bed.close(),
  };
}

const zaloOaDriver: PlatformDriver = {
  name: 'Zalo OA (GMF webhook and OpenAPI, fake Zalo)',
  noMentionMarks: 'Zalo does not document how a member’s mention reaches the webhook; the name typed is read as text',
  start: zaloOaWorld,
};

adapterContract(zaloOaDriver);
