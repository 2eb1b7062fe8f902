import { vi } from 'vitest';
import type { AdapterHooks, ChatRef, IncomingHandler, IncomingMessage, Outbound, PlatformUser } from '../../core/chat.js';
import { type BotBed, botBedPerTest, GROUP_ID } from '../../bench/fakes/zalo/botBed.js';
import type { Person, WireMessage } from '../../bench/fakes/zalo/index.js';
import { adapterContract, type BotMessage, type Delivery, type PlatformDriver, type PlatformWorld, type Typed } from './adapterContract.js';

/**
 * The Zalo adapter under the contract, on the zca-js test bed: zca-js's own login, listener and
 * sendMessage over the fake Zalo network, the real ZaloAdapter (supervisor, send queue) and the
 * core. Every group message reaches the bot, so an answer is the person's next message; a mention
 * carries the person's uid at its UTF-16 place in the text as typed.
 */

const GROUP: ChatRef = { platform: 'zalo', id: GROUP_ID, kind: 'group' };
/** What members see the bot's account called (tests/fixtures/zalo/group-event-remove-bot.json). */
const BOT_NAME = 'Bot Dân vận khéo';

const beds = botBedPerTest();

/**
 * Calls of one hook the adapter made, counted by their key, so a test can wait for the adapter to
 * have seen something that leaves no other trace (a duplicate it dropped, a removal it reported).
 */
function countCalls<K extends 'firstDelivery' | 'chatGone'>(
  hooks: AdapterHooks,
  name: K,
  keyOf: (args: Parameters<AdapterHooks[K]>) => string,
): Map<string, number> {
  const counts = new Map<string, number>();
  const original = hooks[name] as (...args: Parameters<AdapterHooks[K]>) => ReturnType<AdapterHooks[K]>;
  // The adapter looks its hooks up at each call: the counting one is called from now on.
  (hooks as unknown as Record<K, unknown>)[name] = (...args: Parameters<AdapterHooks[K]>) => {
    const result = original(...args);
    counts.set(keyOf(args), (counts.get(keyOf(args)) ?? 0) + 1);
    return result;
  };
  return counts;
}

async function zaloWorld(): Promise<PlatformWorld> {
  const bed: BotBed = await beds.start();
  const { zalo, core } = bed;
  const deliveries = countCalls(core.hooks, 'firstDelivery', ([, key]) => key);
  const gone = countCalls(core.hooks, 'chatGone', ([, chatId]) => chatId);
  // The bed hands every message to the dispatcher; what it was given is kept on the way.
  let last: { message: IncomingMessage; outbound: Outbound } | undefined;
  const handle: IncomingHandler = core.dispatcher.handle;
  Object.defineProperty(core.dispatcher, 'handle', {
    value: (async (message, outbound) => {
      last = { message, outbound };
      await handle(message, outbound);
    }) satisfies IncomingHandler,
  });

  const people = new Map<string, Person>();
  let nextUid = 7_600_000_000_000_000_001n;
  const personOf = (user: PlatformUser): Person => people.get(user.displayName)!;

  /** What zca-js sent, as messages: texts, and each file with the bytes uploaded for it (uploads go one at a time, in order). */
  const sent = (): BotMessage[] => {
    let upload = 0;
    return zalo.sent.map((s) => {
      if (s.kind !== 'file' && s.kind !== 'photo') return { chatId: s.threadId, text: s.text };
      const file = zalo.uploads[upload++]!;
      return { chatId: s.threadId, text: s.kind === 'photo' ? s.text : '', file: { name: file.fileName, data: file.data } };
    });
  };

  const wires = new Map<string, WireMessage>();
  const handled = async (push: () => Promise<WireMessage>): Promise<Delivery> => {
    const before = sent().length;
    const n = bed.incoming.length + 1;
    last = undefined;
    const wire = await push();
    await bed.nthIncoming(n);
    await bed.adapter.idle();
    wires.set(wire.msgId, wire);
    return { id: wire.msgId, replies: sent().slice(before), ...last! };
  };

  const say = (from: PlatformUser, typed: Typed): Promise<Delivery> => {
    const sender = personOf(from);
    if (typeof typed === 'string') return handled(() => zalo.deliverText(GROUP_ID, sender, typed));
    let text = '';
    const mentions: Array<{ uid: string; pos: number; len: number }> = [];
    for (const part of typed) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      // The bot is the account's name in the group (the fake's account goes by BOT_NAME).
      const [uid, as] = 'mentionBot' in part ? [zalo.ownId, `@${BOT_NAME}`] : [part.mention.id, part.as];
      mentions.push({ uid, pos: text.length, len: as.length });
      text += as;
    }
    return handled(() => zalo.deliverMention(GROUP_ID, sender, text, mentions));
  };

  return {
    adapter: bed.adapter,
    core,
    group: GROUP,
    person(displayName) {
      const name = displayName.normalize('NFC');
      let person = people.get(name);
      if (!person) people.set(name, (person = { id: String(nextUid++), name }));
      return { id: person.id, displayName: name };
    },
    say,
    answer: (from, typed) => say(from, typed),
    sent,
    async redeliver(delivery) {
      const before = sent().length;
      const seen = deliveries.get(delivery.id) ?? 0;
      await zalo.deliverGroup(wires.get(delivery.id)!);
      // Dropped before the core sees it: the adapter's check is the one trace it leaves.
      await vi.waitFor(() => {
        if ((deliveries.get(delivery.id) ?? 0) <= seen) throw new Error(`zalo: message ${delivery.id} not delivered again yet`);
      });
      await bed.adapter.idle();
      return sent().slice(before);
    },
    refuseSends() {
      // 123: the recipient does not take messages from this account.
      zalo.failNextSend(123, 'Không thể nhận tin nhắn từ bạn.');
    },
    async removeBot(chat) {
      const seen = gone.get(chat.id) ?? 0;
      const removal = zalo.groupEventFixture('group-event-remove-bot');
      await zalo.deliverGroupEvents([{ act: removal.act, data: { ...removal.data, groupId: chat.id } }]);
      await vi.waitFor(() => {
        if ((gone.get(chat.id) ?? 0) <= seen) throw new Error(`zalo: removal from ${chat.id} not reported yet`);
      });
    },
    close: () => bed.close(),
  };
}

const zaloDriver: PlatformDriver = {
  name: 'Zalo (zca-js, fake network)',
  start: zaloWorld,
};

adapterContract(zaloDriver);
