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
