import type { Choice } from '../core/chat.js';

/**
 * Zalo groups show no buttons, on either route (personal account or OA): choices are numbered
 * lines and the person answers with the number (or the words, which the engine also reads).
 */
export const CHOICE_HINT = 'Trả lời bằng số thứ tự.';

export function numberedChoices(choices: readonly Choice[]): string {
  return `${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}\n${CHOICE_HINT}`;
}
