import { STRICT_CONFIRM_CHOICES } from '../../commands/shared/flowEngine.js';
import type { Harness, SayOptions, SentReply } from './harness.js';

/**
 * A decision typed and agreed to, as a leader does it: the command (/duyet, /tralai, /congnhan,
 * /denghi, /nhanrong, /bieuduong, /xoahan) and, when the bot asks to confirm, "đồng ý". Returns
 * what the bot answered to the "đồng ý" — or to the command itself when it refused at once (then
 * nothing is agreed to).
 */
export async function decide(h: Harness, person: string, text: string, options: SayOptions = {}): Promise<SentReply[]> {
  const asked = await h.say(person, text, options);
  if (!asksToConfirm(asked, person)) return asked;
  return h.say(person, 'đồng ý', options);
}

/** Same as decide, as one text. */
export async function decideText(h: Harness, person: string, text: string, options: SayOptions = {}): Promise<string> {
  return (await decide(h, person, text, options)).map((s) => s.text).join('\n---\n');
}

/** Whether the last reply is a confirmation waiting for this person's "đồng ý". */
export function asksToConfirm(replies: readonly SentReply[], person: string): boolean {
  const last = replies.at(-1);
  const offered = last?.reply.choices?.map((c) => c.value) ?? [];
  return last?.reply.prompt?.answerFrom.id === person && STRICT_CONFIRM_CHOICES.every((c) => offered.includes(c.value));
}
