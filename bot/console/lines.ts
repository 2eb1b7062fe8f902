import { fold, normalizeIncomingText } from '../text.js';

/**
 * One scripted line of the simulator: `[Group name] Person name: text`.
 * A line without the bracket part is more text from the last group and person.
 * The group `[riêng]` (or `[rieng]`, `[private]`) is the person's private chat with the bot.
 */
export interface ScriptLine {
  group?: string;
  person?: string;
  text: string;
}

const ADDRESSED = /^\[([^\]]+)\]\s*([^:]+?)\s*:\s?(.*)$/s;

export function parseScriptLine(line: string): ScriptLine {
  const clean = normalizeIncomingText(line);
  const match = ADDRESSED.exec(clean);
  if (!match) return { text: clean };
  return { group: match[1]!.trim(), person: match[2]!.trim(), text: match[3]!.trim() };
}

export function isPrivateLabel(group: string): boolean {
  return ['rieng', 'private', 'tin nhan rieng'].includes(fold(group));
}
