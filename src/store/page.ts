import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';

/** What a list endpoint asks of a repository: a page by offset, or the rows after a keyset cursor. */
export type PageRequest =
  | { kind: 'offset'; offset: number; limit: number; countUpTo: number | null; orderBy?: string; sort?: 'asc' | 'desc' }
  | { kind: 'keyset'; afterId: number | null; order: 'asc' | 'desc'; limit: number };

export interface Page<T> {
  rows: T[];
  /** One more row exists past this page. */
  hasMore: boolean;
  /** Present when the request asked for a count and it stayed under the cap. */
  total?: number;
}

/**
 * Applies a page request to a query whose rows carry `idColumn`. Fetches one extra row to learn
 * whether a next page exists, so the last page never advertises a next link.
 */
export async function fetchPage<R extends { id: number }>(
  db: Kysely<any>,
  query: SelectQueryBuilder<any, any, R>,
  page: PageRequest,
  idColumn: string,
  defaultOrder: 'asc' | 'desc',
  /** Runs the page's query; given, it must answer the rows in the query's order (by id when it orders by id alone). */
  read: (query: SelectQueryBuilder<any, any, R>, direction: 'asc' | 'desc') => Promise<R[]> = (q) => q.execute(),
): Promise<Page<R>> {
  let total: number | undefined;
  if (page.kind === 'offset' && page.countUpTo !== null) {
    const capped = query.clearSelect().select(sql<number>`1`.as('one')).limit(page.countUpTo + 1);
    const counted = await db
      .selectFrom(capped.as('capped'))
      .select(db.fn.countAll().as('n'))
      .executeTakeFirst() as { n: number | string } | undefined;
    const n = Number(counted?.n ?? 0);
    total = n > page.countUpTo ? undefined : n;
  }
  let q = query;
  const direction = page.kind === 'offset' ? (page.sort ?? defaultOrder) : page.order;
  if (page.kind === 'offset') {
    if (page.orderBy && page.orderBy !== idColumn) q = q.orderBy(page.orderBy as any, direction);
    q = q.orderBy(idColumn as any, direction).limit(page.limit + 1).offset(page.offset);
  } else {
    if (page.afterId !== null) q = q.where(idColumn as any, page.order === 'desc' ? '<' : '>', page.afterId);
    q = q.orderBy(idColumn as any, page.order).limit(page.limit + 1);
  }
  const rows = await read(q, direction);
  const hasMore = rows.length > page.limit;
  return { rows: hasMore ? rows.slice(0, page.limit) : rows, hasMore, total };
}

/** Pages an already-loaded list (small, bounded collections such as a project's members). */
export function pageOfArray<T extends { id: number }>(items: T[], page: PageRequest): Page<T> {
  if (page.kind === 'keyset') {
    const ordered = page.order === 'desc' ? [...items].sort((a, b) => b.id - a.id) : [...items].sort((a, b) => a.id - b.id);
    const after = page.afterId === null ? ordered : ordered.filter((i) => (page.order === 'desc' ? i.id < page.afterId! : i.id > page.afterId!));
    return { rows: after.slice(0, page.limit), hasMore: after.length > page.limit };
  }
  const rows = items.slice(page.offset, page.offset + page.limit);
  return { rows, hasMore: items.length > page.offset + page.limit, total: page.countUpTo === null ? undefined : items.length };
}
