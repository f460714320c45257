/** A log line with a sequence number (job logs). */
export interface SeqLine {
  seq: number;
}

/**
 * Merge incoming lines into a seq-ordered list without duplicates: a reconnecting EventSource (Last-Event-ID)
 * or a `?after` catch-up may send lines the view already has. Returns the same array when nothing is new,
 * so React can skip a render. Keeps at most `max` newest lines.
 */
export function mergeBySeq<T extends SeqLine>(
  current: readonly T[],
  incoming: readonly T[],
  max = 20_000,
): T[] {
  if (incoming.length === 0) return current as T[];
  const seen = new Set(current.map((l) => l.seq));
  const fresh: T[] = [];
  for (const line of incoming) {
    if (!Number.isFinite(line.seq) || seen.has(line.seq)) continue;
    seen.add(line.seq);
    fresh.push(line);
  }
  if (fresh.length === 0) return current as T[];
  const lastSeq = current.length ? (current[current.length - 1] as T).seq : Number.NEGATIVE_INFINITY;
  const inOrder = fresh.every((l, i) => l.seq > (i === 0 ? lastSeq : (fresh[i - 1] as T).seq));
  const merged = inOrder ? [...current, ...fresh] : [...current, ...fresh].sort((a, b) => a.seq - b.seq);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** The highest seq in a list (for `?after=` on a manual reconnect), or null when empty. */
export const lastSeqOf = (lines: readonly SeqLine[]): number | null =>
  lines.length ? (lines[lines.length - 1] as SeqLine).seq : null;

/** Append lines that have no seq (container logs), keeping at most `max` newest. */
export function appendCapped<T>(current: readonly T[], incoming: readonly T[], max = 5_000): T[] {
  if (incoming.length === 0) return current as T[];
  const merged = [...current, ...incoming];
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}
