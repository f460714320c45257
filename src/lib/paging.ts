/** A page of a cursor-paged list, as API.md's paged lists return it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Turn up to `limit + 1` rows (newest first, as the repositories return them) into a page: the extra
 * row only tells that there is a next page, whose cursor is the id of this page's last row.
 */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const page = rows.slice(0, limit);
  return { items: page.map(map), nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}
