import type { IncomingAttachment } from '../../core/chat.js';
import { fold, normalizeIncomingText } from '../../core/text.js';

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

const ATTACH = /^(?:📎|\+tep\b|\+tệp\b)\s*(.*)$/su;

const KIND_BY_EXTENSION: Record<string, IncomingAttachment['kind']> = {
  jpg: 'photo',
  jpeg: 'photo',
  png: 'photo',
  gif: 'photo',
  webp: 'photo',
  heic: 'photo',
  mp4: 'video',
  mov: 'video',
  mp3: 'audio',
  m4a: 'audio',
  ogg: 'audio',
};

/**
 * `📎 anh.jpg, bao-cao.pdf` (or `+tep …`) plays sending files: the simulator's stand-in for a
 * photo or document attached in a real chat. Returns undefined for ordinary text.
 */
export function parseAttachments(text: string): IncomingAttachment[] | undefined {
  const match = ATTACH.exec(text);
  if (!match) return undefined;
  return match[1]!
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((ref) => {
      const fileName = ref.split(/[/\\]/).pop()!;
      const extension = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
      return { kind: KIND_BY_EXTENSION[extension] ?? 'document', ref, fileName };
    });
}
