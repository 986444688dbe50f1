import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * Group commit for SQLite (what PostgreSQL's `commit_delay` does): with `synchronous = FULL` every commit
 * waits for an fsync, and better-sqlite3 waits on the event loop, so one fsync per write capped the
 * server at a few hundred writes a second. Here every write made in one turn of the event loop joins one
 * transaction, committed once at the end of the turn (setImmediate); each caller hears of its write only
 * after that commit, so an acknowledged write is as durable as before. Kysely transactions run as
 * savepoints inside the group and keep their all-or-nothing meaning. Reads run at once; they may see the
 * group's writes a moment before those are durable, as a second connection could not.
 */
interface Group {
  committed: Promise<void>;
  settle: (error?: unknown) => void;
}

const TRANSACTION_SAVEPOINT = 'conveyor_transaction';

class GroupCommitConnection implements DatabaseConnection {
  /** Set when this use of the connection wrote something that must be durable before its caller goes on. */
  needsCommit = false;
  inTransaction = false;

  constructor(private readonly driver: GroupCommitSqliteDriver, private readonly sqlite: SqliteDatabase.Database) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.sqlite.prepare(compiledQuery.sql);
    const writes = !statement.readonly;
    if (writes) {
      this.driver.joinGroup();
      if (!this.inTransaction) this.needsCommit = true;
    }
    try {
      if (statement.reader) return Promise.resolve({ rows: statement.all(compiledQuery.parameters) as R[] });
      const { changes, lastInsertRowid } = statement.run(compiledQuery.parameters);
      return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
    } catch (error) {
      // SQLite rolls the whole transaction back on some errors (disk full, I/O): the group is lost.
      if (writes) this.driver.checkGroupSurvived(error);
      return Promise.reject(error);
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const statement = this.sqlite.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters)) yield { rows: [row as R] };
  }

  run(text: string): void {
    this.sqlite.prepare(text).run();
  }
}

export class GroupCommitSqliteDriver implements Driver {
  #lock: Promise<void> = Promise.resolve();
  #unlock: (() => void) | undefined;
  #group: Group | undefined;
  #commitDue = false;
  readonly #connection: GroupCommitConnection;

  constructor(private readonly sqlite: SqliteDatabase.Database) {
    this.#connection = new GroupCommitConnection(this, sqlite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection: callers take turns.
    for (;;) {
      const held = this.#lock;
      await held;
      if (this.#lock === held) break;
    }
    this.#lock = new Promise((resolve) => (this.#unlock = resolve));
    this.#connection.needsCommit = false;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const waitFor = this.#connection.needsCommit ? this.#group?.committed : undefined;
    this.#connection.needsCommit = false;
    const unlock = this.#unlock;
    this.#unlock = undefined;
    unlock?.();
    // After the unlock, so that others' writes can join the same group while this caller waits for it.
    if (waitFor) await waitFor;
  }

  async beginTransaction(connection: GroupCommitConnection): Promise<void> {
    this.joinGroup();
    connection.run(`savepoint ${TRANSACTION_SAVEPOINT}`);
    connection.inTransaction = true;
  }

  async commitTransaction(connection: GroupCommitConnection): Promise<void> {
    connection.run(`release ${TRANSACTION_SAVEPOINT}`);
    connection.inTransaction = false;
    connection.needsCommit = true;
    if (this.#commitDue) this.#commitGroup();
  }

  async rollbackTransaction(connection: GroupCommitConnection): Promise<void> {
    connection.inTransaction = false;
    if (this.sqlite.inTransaction) {
      connection.run(`rollback to ${TRANSACTION_SAVEPOINT}`);
      connection.run(`release ${TRANSACTION_SAVEPOINT}`);
    }
    if (this.#commitDue) this.#commitGroup();
  }

  async savepoint(connection: GroupCommitConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    void compile;
    connection.run(`savepoint "${name}"`);
  }

  async rollbackToSavepoint(connection: GroupCommitConnection, name: string): Promise<void> {
    connection.run(`rollback to "${name}"`);
  }

  async releaseSavepoint(connection: GroupCommitConnection, name: string): Promise<void> {
    connection.run(`release "${name}"`);
  }

  async destroy(): Promise<void> {
    this.#commitGroup();
    this.sqlite.close();
  }

  /** Opens this turn's group if none is open; its commit runs once the turn's other callbacks have run. */
  joinGroup(): void {
    if (this.#group) return;
    let settle!: (error?: unknown) => void;
    const committed = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Callers that never wait (a failed statement) must not turn a failed commit into an unhandled rejection.
    committed.catch(() => undefined);
    this.#group = { committed, settle };
    this.sqlite.prepare('begin').run();
    setImmediate(() => this.#commitWhenFree());
  }

  checkGroupSurvived(error: unknown): void {
    if (this.#group && !this.sqlite.inTransaction) {
      const group = this.#group;
      this.#group = undefined;
      this.#commitDue = false;
      group.settle(error);
    }
  }

  /** A Kysely transaction in progress (it may be waiting for other I/O) holds the group open until it ends. */
  #commitWhenFree(): void {
    if (this.#connection.inTransaction) this.#commitDue = true;
    else this.#commitGroup();
  }

  #commitGroup(): void {
    this.#commitDue = false;
    const group = this.#group;
    if (!group) return;
    this.#group = undefined;
    try {
      if (this.sqlite.inTransaction) this.sqlite.prepare('commit').run();
      group.settle();
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.prepare('rollback').run();
      group.settle(error);
    }
  }
}

export class GroupCommitSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new GroupCommitSqliteDriver(this.sqlite);
  }
}
