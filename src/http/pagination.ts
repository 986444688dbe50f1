import qs from 'qs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidParam, methodNotAllowed } from '../errors/api-error.js';
import type { Page, PageRequest } from '../store/page.js';

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;
/** GitLab stops counting past 10,000 rows and then leaves out X-Total, X-Total-Pages and rel="last". */
export const COUNT_LIMIT = 10_000;
/** Ids are PostgreSQL integers; a cursor past that range cannot come from us. */
const MAX_DATABASE_ID = 2_147_483_647;

export interface PaginationOptions {
  /** `always`: counted up to COUNT_LIMIT (the generic rule); `never`: 17.x jobs list style. */
  count: 'capped' | 'never';
  /**
   * Orders keyset mode supports; without this, `pagination=keyset` falls back to offset.
   * `style`: GitLab's older keyset (projects, users) continues with `id_after`/`id_before`;
   * the newer one (jobs) with an opaque `cursor`.
   */
  keyset?: { orderBy: string[]; sort: Array<'asc' | 'desc'>; defaultOrderBy: string; defaultSort: 'asc' | 'desc'; style: 'id' | 'cursor' };
  /** Offset-mode ordering: column names by `order_by` value. */
  offsetOrder?: { columns: Record<string, string>; defaultOrderBy: string; defaultSort: 'asc' | 'desc' };
}

type Query = Record<string, unknown>;

function scalar(query: Query, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  // The route's schema may already have coerced it.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return '\u0000invalid';
}

function integerParam(query: Query, key: string): number | undefined {
  const raw = scalar(query, key);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw invalidParam(key);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw invalidParam(key);
  return value;
}

export function perPage(query: Query): number {
  const value = integerParam(query, 'per_page');
  if (value === 0) throw invalidParam('per_page', 'has a value not allowed');
  if (value === undefined || value < 0) return DEFAULT_PER_PAGE;
  return Math.min(value, MAX_PER_PAGE);
}

function sortParam(query: Query, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  const sort = scalar(query, 'sort');
  if (sort === undefined) return fallback;
  if (sort !== 'asc' && sort !== 'desc') throw invalidParam('sort', 'does not have a valid value');
  return sort;
}

function decodeCursor(cursor: string): number | null {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    const id = Number(decoded.id);
    return Number.isInteger(id) && id >= 0 && id <= MAX_DATABASE_ID ? id : null;
  } catch {
    return null;
  }
}

function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id: String(id), _kd: 'n' }), 'utf8').toString('base64url');
}

/** Reads page/per_page or the keyset parameters into a request the store understands; 400/405 like GitLab. */
export function readPageRequest(request: FastifyRequest, options: PaginationOptions): PageRequest {
  const query = request.query as Query;
  const mode = scalar(query, 'pagination');
  if (mode !== undefined && mode !== 'offset' && mode !== 'keyset') throw invalidParam('pagination', 'does not have a valid value');
  const limit = perPage(query);
  if (mode === 'keyset' && options.keyset) {
    const orderBy = scalar(query, 'order_by') ?? options.keyset.defaultOrderBy;
    const sort = scalar(query, 'sort') ?? options.keyset.defaultSort;
    if (!options.keyset.orderBy.includes(orderBy) || !options.keyset.sort.includes(sort as 'asc')) {
      throw methodNotAllowed('Keyset pagination is not yet available for this type of request');
    }
    let afterId: number | null = null;
    if (options.keyset.style === 'id') {
      const key = sort === 'asc' ? 'id_after' : 'id_before';
      afterId = integerParam(query, key) ?? null;
      if (afterId !== null && (afterId < 0 || afterId > MAX_DATABASE_ID)) throw invalidParam(key);
    } else {
      const cursor = scalar(query, 'cursor');
      if (cursor !== undefined && cursor !== '') {
        afterId = decodeCursor(cursor);
        if (afterId === null) throw invalidParam('cursor');
      }
    }
    return { kind: 'keyset', afterId, order: sort as 'asc' | 'desc', limit };
  }
  // Capped so the offset stays an exact integer in both databases; such pages are empty anyway.
  const page = Math.min(Math.max(1, integerParam(query, 'page') ?? 1), 1_000_000_000);
  const order = options.offsetOrder;
  let orderBy: string | undefined;
  let sort: 'asc' | 'desc' | undefined;
  if (order) {
    const requested = scalar(query, 'order_by') ?? order.defaultOrderBy;
    orderBy = Object.hasOwn(order.columns, requested) ? order.columns[requested] : undefined;
    if (!orderBy) throw invalidParam('order_by', 'does not have a valid value');
    sort = sortParam(query, order.defaultSort);
  }
  return {
    kind: 'offset',
    offset: (page - 1) * limit,
    limit,
    countUpTo: options.count === 'capped' ? COUNT_LIMIT : null,
    orderBy,
    sort,
  };
}

/** Every request parameter (route params included), keys sorted, arrays as `key[]=`: GitLab's Link query. */
function linkUrl(request: FastifyRequest, externalUrl: string, overrides: Record<string, string>): string {
  const params: Record<string, unknown> = {
    ...(request.params as Record<string, unknown>),
    ...(request.query as Record<string, unknown>),
    ...overrides,
  };
  delete params['*'];
  const query = qs.stringify(params, { arrayFormat: 'brackets', sort: (a: string, b: string) => a.localeCompare(b) });
  const path = request.url.split('?')[0];
  return `${externalUrl}${path}?${query}`;
}

/** Sets X-* and Link headers for a page, the way GitLab's offset and keyset paginators do. */
export function sendPageHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  externalUrl: string,
  pageRequest: PageRequest,
  page: Page<{ id: number }>,
  options?: PaginationOptions,
): void {
  if (pageRequest.kind === 'keyset') {
    const last = page.rows[page.rows.length - 1];
    if (page.hasMore && last) {
      const continuation: Record<string, string> =
        options?.keyset?.style === 'id'
          ? { [pageRequest.order === 'asc' ? 'id_after' : 'id_before']: String(last.id) }
          : { cursor: encodeCursor(last.id) };
      const next = linkUrl(request, externalUrl, { ...continuation, per_page: String(pageRequest.limit) });
      reply.header('Link', `<${next}>; rel="next"`);
    }
    return;
  }
  const perPageUsed = pageRequest.limit;
  const current = Math.floor(pageRequest.offset / perPageUsed) + 1;
  const links: string[] = [];
  const at = (n: number) => linkUrl(request, externalUrl, { page: String(n), per_page: String(perPageUsed) });
  const totalPages = page.total === undefined ? undefined : Math.max(1, Math.ceil(page.total / perPageUsed));
  if (current > 1) links.push(`<${at(current - 1)}>; rel="prev"`);
  if (page.hasMore) links.push(`<${at(current + 1)}>; rel="next"`);
  links.push(`<${at(1)}>; rel="first"`);
  if (totalPages !== undefined) links.push(`<${at(totalPages)}>; rel="last"`);
  reply.header('X-Per-Page', String(perPageUsed));
  reply.header('X-Page', String(current));
  reply.header('X-Next-Page', page.hasMore ? String(current + 1) : '');
  reply.header('X-Prev-Page', current > 1 ? String(current - 1) : '');
  if (page.total !== undefined && totalPages !== undefined) {
    reply.header('X-Total', String(page.total));
    reply.header('X-Total-Pages', String(totalPages));
  }
  reply.header('Link', links.join(', '));
}

/**
 * Remembers, for a while, which list queries matched more than COUNT_LIMIT rows, so the next requests for
 * them skip the capped count and leave X-Total, X-Total-Pages and rel="last" out at once, as the count
 * would have. Only "too many to count" is remembered, never a number: a stale entry can hide the headers
 * for `ttlMs`, never show a wrong total. Bounded: past `maxEntries` the oldest entries go first.
 */
export class UncountableMemo {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The page request to run: without a count when `key` was uncountable lately. */
  apply(key: string, request: PageRequest): PageRequest {
    if (request.kind !== 'offset' || request.countUpTo === null) return request;
    const until = this.until.get(key);
    if (until === undefined) return request;
    if (until > this.now()) return { ...request, countUpTo: null };
    this.until.delete(key);
    return request;
  }

  /** Notes a page whose count came back over the cap. */
  record(key: string, request: PageRequest, page: Page<unknown>): void {
    if (request.kind !== 'offset' || request.countUpTo === null || page.total !== undefined) return;
    this.until.delete(key);
    if (this.until.size >= this.maxEntries) this.until.delete(this.until.keys().next().value as string);
    this.until.set(key, this.now() + this.ttlMs);
  }
}
