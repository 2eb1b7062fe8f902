/**
 * "@Bot Dân vận khéo, kinh tế": in a group, members address the bot by mentioning it first (Zalo
 * notifies an account that way; on Telegram "@dvk_bot …"). The mention says whom the message is
 * for, not what it says: the core must read "kinh tế", as it reads a plain answer or /cmd@bot —
 * otherwise the answer is asked again and "@Bot /huongdan" is no command.
 *
 * Shared by the adapters: each finds the bot's mentions its own way (a Zalo uid, a Telegram
 * entity, the simulator's typed username) and gives them here with their UTF-16 places in the raw
 * text. Returns the text after the leading mentions of the bot and the separators after them
 * (spaces, commas, colons), with every other mark moved to its place in that text.
 */
export function withoutBotAddress<M>(
  raw: string,
  marks: readonly M[],
  place: (mark: M) => { offset: number; length: number; bot: boolean },
): { text: string; marks: Array<{ mark: M; offset: number }> } {
  let cut = 0;
  for (;;) {
    const start = raw.length - raw.slice(cut).trimStart().length;
    const lead = marks.find((m) => place(m).bot && place(m).offset === start);
    if (!lead) break;
    const end = start + place(lead).length;
    cut = end + /^[\s,:;]*/u.exec(raw.slice(end))![0].length;
  }
  return {
    text: raw.slice(cut),
    marks: marks.filter((m) => place(m).offset >= cut).map((mark) => ({ mark, offset: place(mark).offset - cut })),
  };
}
