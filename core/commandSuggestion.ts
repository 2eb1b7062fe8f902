import { fold } from './text.js';

/**
 * The command a person probably meant when they typed one the bot does not have: "/dang ky"
 * (which arrives as "/dang" with "ky" as its argument), "/dangki", "/capnhap". Names are compared
 * folded (the dispatcher already folds them) and by edit distance, a swap of two letters counting
 * as one edit: one edit for names of up to 6 letters, two for longer ones. Names under 4 letters
 * ("cn", "dk") are never guessed at: nearly anything short is one edit away from one of them.
 */

/** A command's names, as the dispatcher registers them. */
export interface CommandNames {
  name: string;
  aliases?: readonly string[];
}

export interface CommandSuggestion {
  /** The command's own name (not an alias). */
  name: string;
  /** The arguments that go with it: what was typed after the name, less a word joined to it. */
  args: string;
  /** The first argument was part of the name ("/dang ky"). */
  joined: boolean;
}

export function suggestCommand(commands: readonly CommandNames[], typedName: string, args: string): CommandSuggestion | undefined {
  const [first = '', ...others] = args.split(/\s+/).filter((w) => w !== '');
  const word = fold(first);
  // "/dang ky", "/bao cao quý I": the name was split by a space.
  if (/^[a-z]{1,8}$/.test(word)) {
    const joined = closest(commands, typedName + word);
    if (joined) return { name: joined, args: others.join(' '), joined: true };
  }
  const alone = closest(commands, typedName);
  return alone ? { name: alone, args, joined: false } : undefined;
}

/** The one command whose name is within reach of `typed`; none when two different commands are equally near. */
function closest(commands: readonly CommandNames[], typed: string): string | undefined {
  if (typed.length < 4) return undefined;
  let best: { name: string; distance: number } | undefined;
  let tie = false;
  for (const command of commands) {
    for (const name of [command.name, ...(command.aliases ?? [])]) {
      if (name.length < 4) continue;
      const distance = editDistance(typed, name);
      if (distance > allowed(name)) continue;
      if (!best || distance < best.distance) {
        best = { name: command.name, distance };
        tie = false;
      } else if (distance === best.distance && best.name !== command.name) {
        tie = true;
      }
    }
  }
  return best && !tie ? best.name : undefined;
}

function allowed(name: string): number {
  return name.length <= 6 ? 1 : 2;
}

/** Edits between two names: insertions, deletions, substitutions, and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
