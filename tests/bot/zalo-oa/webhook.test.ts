import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../../bot/zalo-oa/signature.js';
import { chainOf, MAX_WEBHOOK_BODY, type WebhookEvent, ZaloOaWebhook } from '../../../bot/zalo-oa/webhook.js';
import { groupText, postEvent, type WebhookTarget } from '../../../bench/fakes/zaloOa/webhookDriver.js';
import { capturingLogger } from '../../helpers/logs.js';

const APP = '1234567890123456789';
const OA = '579745863508352884';
const SECRET = 'oa-secret-key-for-tests';
const AT = new Date('2026-03-10T09:00:00+07:00');

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** The webhook on a loopback port, recording what it handles; `hold` keeps a handler waiting. */
/** The webhook on a loopback server; events go to `onEvent` when given, else are recorded in `handled` (after `hold`). */
async function start(options: { hold?: Promise<void>; onEvent?: (event: WebhookEvent) => Promise<void> } = {}) {
  const { log, lines } = capturingLogger();
  const handled: Array<{ event: WebhookEvent; retry: number }> = [];
  const webhook = new ZaloOaWebhook({
    path: '/zalo-oa/webhook',
    appId: APP,
    oaId: OA,
    secretKey: SECRET,
    log,
    async onEvent(event, delivery) {
      if (options.onEvent) return options.onEvent(event);
      if (options.hold) await options.hold;
      handled.push({ event, retry: delivery.retry });
    },
  });
  server = createServer((req, res) => {
    if (!webhook.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const target: WebhookTarget = { url: `http://127.0.0.1:${port}/zalo-oa/webhook`, appId: APP, secretKey: SECRET };
  return { webhook, handled, lines, target, port };
}

const text = (group: string, user: string, words: string, id: string) => groupText(APP, OA, group, user, words, id, AT);

describe('the OA webhook', () => {
  it('answers a post signed as Zalo signs it, then hands the event on; the "mac=" form is accepted too', async () => {
    const { webhook, handled, target } = await start();
    expect(await postEvent(target, text('g1', 'u1', '/huongdan', 'm1'))).toEqual({ status: 200 });
    expect(await postEvent(target, text('g1', 'u1', '/toi', 'm2'), { macPrefix: true, retry: 1 })).toEqual({ status: 200 });
    await webhook.idle();
    expect(handled.map((h) => [h.event.event_name, (h.event.message as { text: string }).text, h.retry])).toEqual([
      ['user_send_group_text', '/huongdan', 0],
      ['user_send_group_text', '/toi', 1],
    ]);
  });

  it('sends the 200 at once while the event before is still being handled', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { webhook, handled, target } = await start({ hold });
    // Both posts are answered although no handler has finished: Zalo is never kept waiting.
    expect(await postEvent(target, text('g1', 'u1', 'một', 'm1'))).toEqual({ status: 200 });
    expect(await postEvent(target, text('g1', 'u2', 'hai', 'm2'))).toEqual({ status: 200 });
    expect(handled).toEqual([]);
    release();
    await webhook.idle();
    expect(handled.map((h) => (h.event.message as { text: string }).text)).toEqual(['một', 'hai']);
  });

  it('drops a post with a wrong signature, and logs it without the message', async () => {
    const { webhook, handled, lines, target } = await start();
    const forged = webhookSignature(APP, '{}', '0', 'not-the-secret');
    expect(await postEvent(target, text('g1', 'u1', 'Nội dung riêng tư', 'm1'), { signature: forged })).toEqual({ status: 401 });
    expect(await postEvent(target, text('g1', 'u1', 'Nội dung riêng tư', 'm2'), { signature: '' })).toEqual({ status: 401 });
    await webhook.idle();
    expect(handled).toEqual([]);
    expect(lines.filter((l) => l.msg.includes('wrong signature'))).toHaveLength(2);
    expect(JSON.stringify(lines)).not.toContain('riêng tư');
  });

  it('drops an event for another app or another OA, even signed', async () => {
    const { webhook, handled, target } = await start();
    const otherOa = { ...text('g1', 'u1', 'x', 'm1'), oa_id: '111' };
    const otherApp = { ...text('g1', 'u1', 'x', 'm2'), app_id: '222' };
    expect((await postEvent(target, otherOa)).status).toBe(200);
    // Signed with the other app's id (what a post meant for that app would carry).
    expect((await postEvent({ ...target, appId: '222' }, otherApp)).status).toBe(401);
    await webhook.idle();
    expect(handled).toEqual([]);
  });

  it('refuses a body over 1 MB and a PUT; answers Zalo’s URL check (a GET, an unsigned {}) with 200 and handles nothing; leaves other paths to the server', async () => {
    const { webhook, handled, target, port } = await start();
    const big = { ...text('g1', 'u1', 'x'.repeat(MAX_WEBHOOK_BODY), 'm1') };
    expect((await postEvent(target, big)).status).toBe(413);
    expect((await fetch(target.url, { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await fetch(target.url)).status).toBe(200);
    expect((await fetch(target.url, { method: 'POST', body: '{}' })).status).toBe(200);
    const notJson = await fetch(target.url, { method: 'POST', body: 'hello', headers: { 'x-zevent-signature': 'x' } });
    expect(notJson.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
    await webhook.idle();
    expect(handled).toEqual([]);
  });

  it('handles one group in order and different groups side by side', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const { webhook, target } = await start({
      async onEvent(event) {
        const words = event.message ? (event.message as { text: string }).text : `${event.group_id}-${event.event_name}`;
        if (words === 'g1-a') await hold; // the first of group 1 is slow
        order.push(words);
      },
    });
    await postEvent(target, text('g1', 'u1', 'g1-a', 'm1'));
    await postEvent(target, text('g1', 'u1', 'g1-b', 'm2'));
    await postEvent(target, text('g2', 'u2', 'g2-a', 'm3'));
    // A lifecycle event names its group flat (group_id, no recipient): it waits behind that group's messages.
    await postEvent(target, { app_id: APP, oa_id: OA, event_name: 'user_out_group', group_id: 'g1', users: [{ id: 'u9' }], timestamp: String(AT.getTime()) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['g2-a']); // group 2 is not held up by group 1
    release();
    await webhook.idle();
    expect(order).toEqual(['g2-a', 'g1-a', 'g1-b', 'g1-user_out_group']);
  });

  it('chains a 1:1 chat by its person: one person in order, two people and a group side by side', async () => {
    const holds = new Map<string, { promise: Promise<void>; release: () => void }>();
    for (const key of ['u1-a', 'g1-a']) {
      let release!: () => void;
      holds.set(key, { promise: new Promise<void>((resolve) => (release = resolve)), release });
    }
    const order: string[] = [];
    const { webhook, target } = await start({
      async onEvent(event) {
        const words = event.message ? (event.message as { text: string }).text : `${event.follower?.id}-${event.event_name}`;
        await holds.get(words)?.promise;
        order.push(words);
      },
    });
    const privateText = (user: string, words: string, id: string) => ({
      app_id: APP,
      event_name: 'user_send_text',
      timestamp: String(AT.getTime()),
      sender: { id: user },
      recipient: { id: OA },
      message: { msg_id: id, text: words },
    });
    await postEvent(target, privateText('u1', 'u1-a', 'p1'));
    await postEvent(target, privateText('u1', 'u1-b', 'p2'));
    // The OA's answer echoes with the person as recipient; a follow names them as follower.
    await postEvent(target, { ...privateText(OA, 'u1-echo', 'p3'), event_name: 'oa_send_text', recipient: { id: 'u1' } });
    await postEvent(target, { app_id: APP, oa_id: OA, event_name: 'unfollow', follower: { id: 'u1' }, source: 'oa_profile', timestamp: String(AT.getTime()) });
    await postEvent(target, privateText('u2', 'u2-a', 'p4'));
    // A group whose first message is slow does not hold the people up, and they do not hold it up.
    await postEvent(target, text('g1', 'u1', 'g1-a', 'm1'));
    await postEvent(target, text('g1', 'u2', 'g1-b', 'm2'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['u2-a']);
    holds.get('g1-a')!.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['u2-a', 'g1-a', 'g1-b']);
    holds.get('u1-a')!.release();
    await webhook.idle();
    expect(order).toEqual(['u2-a', 'g1-a', 'g1-b', 'u1-a', 'u1-b', 'u1-echo', 'u1-unfollow']);
  });

  it('names each event’s chain', () => {
    const base = { app_id: APP, timestamp: '1' };
    expect(chainOf({ ...base, event_name: 'user_send_text', sender: { id: 'u1' }, recipient: { id: OA } })).toBe('user:u1');
    expect(chainOf({ ...base, event_name: 'oa_send_file', sender: { id: OA }, recipient: { id: 'u1' } })).toBe('user:u1');
    expect(chainOf({ ...base, event_name: 'follow', follower: { id: 'u1' } })).toBe('user:u1');
    expect(chainOf({ ...base, event_name: 'user_send_group_text', sender: { id: 'u1' }, recipient: { id: 'g1' } })).toBe('group:g1');
    expect(chainOf({ ...base, event_name: 'oa_send_group_text', sender: { id: OA }, recipient: { id: 'g1' } })).toBe('group:g1');
    expect(chainOf({ ...base, event_name: 'user_out_group', group_id: 'g1' })).toBe('group:g1');
    expect(chainOf({ ...base, event_name: 'user_seen_message' })).toBe('event:user_seen_message');
  });
});
