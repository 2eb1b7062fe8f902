/**
 * Splitting a long message for a platform's limit, shared by the adapters: lines are packed into
 * chunks of at most `limit` (joined by one newline); a line too long on its own is cut where
 * `cut` says (each platform knows what must not be cut: an entity, a mention), its pieces sent
 * on their own, its rest starting the next chunk. Atoms are the pieces that are never split.
 */
export function packLines<A>(
  lines: readonly A[][],
  limit: number,
  lengthOf: (atom: A) => number,
  cut: (line: A[], limit: number) => { end: number; next: number },
): A[][][] {
  const length = (line: readonly A[]) => line.reduce((n, a) => n + lengthOf(a), 0);
  const chunks: A[][][] = [];
  let current: A[][] = [];
  let currentLength = 0;
  const flush = () => {
    if (current.length > 0) chunks.push(current);
    current = [];
    currentLength = 0;
  };
  for (const line of lines) {
    const joined = current.length > 0 ? currentLength + 1 + length(line) : length(line);
    if (joined <= limit) {
      current.push(line);
      currentLength = joined;
      continue;
    }
    flush();
    let rest = line;
    while (length(rest) > limit) {
      const { end, next } = cut(rest, limit);
      chunks.push([rest.slice(0, end)]);
      rest = rest.slice(next);
    }
    current = [rest];
    currentLength = length(rest);
  }
  flush();
  return chunks;
}

/**
 * A text given as atoms (a character each, or a piece that must stay whole, such as a mention)
 * packed into pieces of at most `limit` UTF-16 units: cut at line ends ("\n" atoms), a longer line
 * at its last space that fits (the space is dropped), or hard for a line without one, never inside
 * a whole atom. Each piece comes as its lines, without blank lines at its edges. Both Zalo routes
 * render this way; they differ only in what a whole atom is and how a piece is written out.
 */
export function packAtoms<A extends { text: string }>(atoms: readonly A[], limit: number, whole: (atom: A) => boolean): A[][][] {
  const lines: A[][] = [[]];
  for (const atom of atoms) {
    if (!whole(atom) && atom.text === '\n') lines.push([]);
    else lines.at(-1)!.push(atom);
  }
  const cut = (line: readonly A[], max: number): { end: number; next: number } => {
    let length = 0;
    let lastSpace = -1;
    let i = 0;
    for (; i < line.length; i++) {
      if (length + line[i]!.text.length > max) break;
      length += line[i]!.text.length;
      if (!whole(line[i]!) && line[i]!.text === ' ') lastSpace = i;
    }
    if (lastSpace > 0) return { end: lastSpace, next: lastSpace + 1 };
    const end = Math.max(i, 1);
    return { end, next: end };
  };
  return packLines(lines, limit, (a) => a.text.length, cut).map((piece) => {
    let first = 0;
    let last = piece.length;
    while (first < last && piece[first]!.length === 0) first++;
    while (last > first && piece[last - 1]!.length === 0) last--;
    return piece.slice(first, last);
  });
}
