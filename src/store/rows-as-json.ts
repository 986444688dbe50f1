import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Dialect } from './db.js';
import { compiledStatement } from './compiled-lookup.js';

const builders = new Map<string, (values: unknown[]) => unknown>();

/** Turns an array of the columns' values into an object keyed by them: a literal compiled once per column list. */
function rowBuilder(columns: readonly string[]): (values: unknown[]) => unknown {
  const key = columns.join(',');
  let build = builders.get(key);
  if (!build) {
    build = new Function('r', `return {${columns.map((c, i) => `${JSON.stringify(c)}: r[${i}]`).join(', ')}};`) as (values: unknown[]) => unknown;
    builders.set(key, build);
  }
  return build;
}

/** SQLite only: `query`'s rows (it selects `columns`, numbers and text) as one JSON array, ordered by id. */
function asJsonQuery<R>(db: Kysely<any>, query: SelectQueryBuilder<any, any, R>, columns: readonly string[], order: 'asc' | 'desc') {
  const values = sql.join(columns.map((c) => sql.ref(`rows_as_json.${c}`)));
  return db
    .selectFrom(query.as('rows_as_json'))
    .select(sql<string>`json_group_array(json_array(${values}) order by ${sql.ref('rows_as_json.id')} ${sql.raw(order === 'asc' ? 'asc' : 'desc')})`.as('json'));
}

const parseJsonRows = <R>(json: string, columns: readonly string[]): R[] => (JSON.parse(json) as unknown[][]).map(rowBuilder(columns) as (values: unknown[]) => R);

/**
 * SQLite only: the rows of `query` (which selects `columns`, numbers and text) read as one JSON value,
 * ordered by id. better-sqlite3 makes a JS array per row and sets each value through V8's API, which for
 * a hundred rows cost more than SQLite's own work; JSON.parse of the same values costs a fraction of it.
 */
async function rowsAsJson<R>(db: Kysely<any>, query: SelectQueryBuilder<any, any, R>, columns: readonly string[], order: 'asc' | 'desc'): Promise<R[]> {
  const { json } = await asJsonQuery(db, query, columns, order).executeTakeFirstOrThrow();
  return parseJsonRows<R>(json, columns);
}

/** The rows of `query`, ordered by id: on SQLite as one JSON value (rowsAsJson), on PostgreSQL as they come. */
export function rowsOrderedById<R>(db: Kysely<any>, dialect: Dialect, query: SelectQueryBuilder<any, any, R>, columns: readonly string[], order: 'asc' | 'desc'): Promise<R[]> {
  return dialect === 'sqlite' ? rowsAsJson(db, query, columns, order) : query.execute();
}

/** rowsOrderedById of a query whose shape does not depend on its values, built and compiled once (compiledStatement). */
export function compiledRowsOrderedById<A extends unknown[], R>(
  executor: () => Kysely<any>,
  dialect: Dialect,
  build: (db: Kysely<any>, ...args: A) => SelectQueryBuilder<any, any, R>,
  columns: readonly string[],
  order: 'asc' | 'desc',
): (...args: A) => Promise<R[]> {
  if (dialect !== 'sqlite') {
    const run = compiledStatement(executor, build);
    return async (...args) => (await run(...args)).rows;
  }
  const run = compiledStatement(executor, (db, ...args: A) => asJsonQuery(db, build(db, ...args), columns, order));
  return async (...args) => parseJsonRows<R>((await run(...args)).rows[0].json, columns);
}
