import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';

/**
 * Runs a read at once on a connection nobody holds, answering its rows, or undefined when it cannot
 * (the connection is in someone's transaction, or the statement writes). SQLite's only: there a query
 * through Kysely's executor waits for the connection, runs, and hands it back over half a dozen promise
 * hops, which cost more than a lookup by key itself.
 */
export type ReadNow = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;

const readersNow = new WeakMap<object, ReadNow>();

/** Lets compiled statements on `db` (not on its transactions, which are other objects) read at once. */
export function allowReadsNow<DB>(db: Kysely<DB>, readNow: ReadNow): void {
  readersNow.set(db, readNow);
}

/** Stands for a lookup's argument while its query is built, so the compiled parameter can be found. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A statement built and compiled once per executor, then run with each call's values. Kysely builds and
 * compiles every query anew, and on the hottest statements (a token, a job, a project by id; a log's
 * length moving) that cost more than SQLite running them. Only for statements whose shape does not depend
 * on the values (no `in` lists).
 */
export function compiledStatement<DB, A extends unknown[], R>(
  /** The executor, asked for when the statement runs (a repository's field initializers run before its constructor's). */
  executor: () => Kysely<DB>,
  build: (db: Kysely<DB>, ...args: A) => Compilable<R>,
): (...args: A) => Promise<QueryResult<R>> {
  let compiled: { query: CompiledQuery<R>; slots: Array<number | null> } | undefined;
  return (...args: A) => {
    const db = executor();
    if (!compiled) {
      const query = build(db, ...(args.map((_, i) => new Slot(i)) as A)).compile();
      compiled = { query, slots: query.parameters.map((p) => (p instanceof Slot ? p.index : null)) };
    }
    const { query, slots } = compiled;
    const parameters = query.parameters.map((value, i) => (slots[i] === null ? value : args[slots[i]!]));
    const rows = readersNow.get(db)?.(query.sql, parameters);
    if (rows) return Promise.resolve({ rows: rows as R[] });
    return db.executeQuery<R>(CompiledQuery.raw(query.sql, parameters) as CompiledQuery<R>);
  };
}

/** A compiled statement answering one row (a lookup by key), or undefined. */
export function compiledLookup<DB, A extends unknown[], R>(
  executor: () => Kysely<DB>,
  build: (db: Kysely<DB>, ...args: A) => Compilable<R>,
): (...args: A) => Promise<R | undefined> {
  const run = compiledStatement(executor, build);
  return async (...args: A) => (await run(...args)).rows[0];
}

/**
 * Rows for a set of keys: none without keys; one key (a single job's page asks for one of each) through
 * its compiled lookup; several through the `in` query, built anew since its shape depends on the count.
 */
export async function rowsByKeys<K, R>(keys: K[], one: (key: K) => Promise<R | undefined>, many: (keys: K[]) => Promise<R[]>): Promise<R[]> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  if (unique.length > 1) return many(unique);
  const row = await one(unique[0]);
  return row === undefined ? [] : [row];
}
