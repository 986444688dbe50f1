import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { allowReadsNow } from './compiled-lookup.js';
import { postgresNotifier, silentNotifier, type Notifier } from './notifier.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Cross-process messages: LISTEN/NOTIFY on PostgreSQL, nothing on SQLite (one process). */
  notifier: Notifier;
  close(): Promise<void>;
}

// int8 (count(*), bigint ids) arrives as a string by default; our ids and counts fit in a double.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/**
 * better-sqlite3 builds each result row by defining its columns one by one, which for a page of 100
 * 37-column jobs cost more than the query. Reading rows as arrays and turning them into objects with a
 * literal compiled once per statement (one hidden class, no per-key work) costs under half as much.
 * Only what the driver uses is offered: `reader`, `readonly`, `all`, `iterate` and `run`. A statement SQLite had
 * to re-prepare with different columns (a migration altering a table it reads) is noticed by its width.
 */
function literalRows(statement: SqliteDatabase.Statement): SqliteDatabase.Statement {
  if (!statement.reader) return statement;
  let width = 0;
  let build: (row: unknown[]) => unknown = () => ({});
  const compile = (): boolean => {
    const names = statement.columns().map((c) => c.name);
    // `"__proto__": x` in a literal would set the prototype instead of a key.
    if (names.includes('__proto__')) return false;
    width = names.length;
    build = new Function('r', `return {${names.map((name, i) => `${JSON.stringify(name)}: r[${i}]`).join(', ')}};`) as typeof build;
    return true;
  };
  if (!compile()) return statement;
  statement.raw(true);
  const rows = (raw: unknown[][]) => {
    if (raw.length > 0 && raw[0].length !== width && !compile()) throw new Error('a statement changed its columns to include __proto__');
    return raw.map(build);
  };
  const wrapper = {
    reader: true,
    readonly: statement.readonly,
    all: (...params: unknown[]) => rows(statement.all(...params) as unknown[][]),
    *iterate(...params: unknown[]) {
      for (const row of statement.iterate(...params) as IterableIterator<unknown[]>) yield rows([row])[0];
    },
    run: (...params: unknown[]) => statement.run(...params),
  };
  return wrapper as unknown as SqliteDatabase.Statement;
}

/**
 * Kysely prepares every statement anew; on SQLite preparing costs as much as running a small
 * query. Our statements are few and parameterised, so a bounded cache by SQL text pays off.
 * Safe because Kysely's SQLite driver runs one statement at a time on its single connection.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, max = 1000): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = literalRows(sqlite.prepare(source));
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function openSqlite(file: string): DatabaseHandle {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  // A write acknowledged to a client survives power loss, not only a process crash: FULL until the group
  // commit driver takes over, which commits under NORMAL and syncs the WAL itself, off the event loop,
  // before anyone hears of the write (sqlite-group-commit.ts).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const dialect = new GroupCommitSqliteDialect(withStatementCache(sqlite));
  const db = new Kysely<Database>({ dialect });
  allowReadsNow(db, (text, parameters) => dialect.driver?.readNow(text, parameters));
  return { db, dialect: 'sqlite', notifier: silentNotifier, close: () => db.destroy() };
}

export function openPostgres(url: string, poolSize: number): DatabaseHandle {
  // Bounded waits: while PostgreSQL is down a request fails (503) within seconds instead of hanging.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000, query_timeout: 60_000 });
  // A client losing its connection (PostgreSQL restarting) must not crash the process: idle ones are the
  // pool's to replace; a checked-out one (a held advisory lock) fails its next query and is discarded.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const notifier = postgresNotifier(url, pool);
  return {
    db,
    dialect: 'postgres',
    notifier,
    async close() {
      await notifier.close();
      await db.destroy();
    },
  };
}

export function openDatabase(options: { databaseUrl?: string; dataDir: string; poolSize: number }): DatabaseHandle {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize)
    : openSqlite(path.join(options.dataDir, 'conveyor.sqlite3'));
}

/** A unique (or primary key) constraint refused the write, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
