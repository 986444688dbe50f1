import fs from 'node:fs';
import type SqliteDatabase from 'better-sqlite3';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import {
  CompiledQuery,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * Group commit for SQLite (what PostgreSQL's `commit_delay` does). With `synchronous = FULL` every commit
 * waits for an fsync on the event loop (better-sqlite3 is synchronous), which capped the server at a few
 * hundred writes a second and stalled every other request meanwhile. Here every write made in one turn of
 * the event loop joins one transaction, committed once at the end of the turn (setImmediate) under
 * `synchronous = NORMAL`, which appends to the WAL without syncing it; the driver then fdatasyncs the WAL
 * file on libuv's thread pool, and each caller hears of its write only after that sync. A commit is then
 * as durable as under FULL (SQLite's FULL is exactly a WAL sync per commit), the fsync is shared by every
 * write of the turn and by the turns that commit while one is in flight, and the event loop never waits
 * for the disk. Kysely transactions run as savepoints inside the group and keep their all-or-nothing
 * meaning. Reads run at once; they may see the group's writes a moment before those are durable, as a
 * second connection could not.
 *
 * Reads outside a group share one read transaction per turn too (a snapshot, ended at the end of the turn
 * or when a write comes): in WAL mode every statement outside a transaction takes and drops a read lock
 * on the shared-memory file and checks the database file (three system calls, ~6 µs here), which was most
 * of what a primary-key lookup cost; inside a transaction one costs under 1 µs. Ending it is always safe:
 * nothing relies on two reads seeing the same snapshot, as each was its own transaction before.
 */
interface Group {
  committed: Promise<void>;
  settle: (error?: unknown) => void;
}

/**
 * Makes committed WAL frames durable off the event loop, one fdatasync at a time; groups that commit while
 * one runs share the next. Valid because SQLite keeps one WAL file (one inode) while a connection is
 * open, and syncs the WAL before each checkpoint and the database after it by itself, under NORMAL too.
 */
class WalSync {
  #fd: number | undefined;
  #inFlight = false;
  #waiting: Group[] = [];

  constructor(private readonly walFile: string) {}

  afterCommit(group: Group): void {
    this.#fd ??= fs.openSync(this.walFile, 'r');
    this.#waiting.push(group);
    if (!this.#inFlight) this.#sync();
  }

  #sync(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    this.#inFlight = true;
    fs.fdatasync(this.#fd!, (error) => {
      this.#inFlight = false;
      for (const group of batch) group.settle(error ?? undefined);
      if (this.#waiting.length > 0) this.#sync();
    });
  }

  /** At shutdown: what is committed is synced before the connection closes. */
  close(): void {
    if (this.#fd === undefined) return;
    fs.fdatasyncSync(this.#fd);
    for (const group of this.#waiting) group.settle();
    this.#waiting = [];
    fs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}

const TRANSACTION_SAVEPOINT = 'conveyor_transaction';

/** Not fatal: SQLite's own checkpoint, at 64 MB of WAL, still keeps the WAL bounded. */
const onCheckpointError = (error: string) => process.emitWarning(`SQLite checkpoint on the worker failed: ${error}`);

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
    } else if (!this.sqlite.inTransaction) {
      this.driver.openReadSnapshot();
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
    if (statement.readonly && !this.sqlite.inTransaction) this.driver.openReadSnapshot();
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
  #readSnapshot = false;
  readonly #connection: GroupCommitConnection;
  /** Unset for an in-memory database, which has no WAL and nothing to make durable. */
  readonly #walSync: WalSync | undefined;
  readonly #checkpointer: SqliteCheckpointer | undefined;

  constructor(private readonly sqlite: SqliteDatabase.Database) {
    this.#connection = new GroupCommitConnection(this, sqlite);
    if (!sqlite.memory) {
      if (sqlite.pragma('journal_mode', { simple: true }) !== 'wal') throw new Error('group commit needs journal_mode = WAL');
      // NORMAL: the commit appends to the WAL; WalSync syncs it before anyone is answered.
      sqlite.pragma('synchronous = NORMAL');
      this.#walSync = new WalSync(`${sqlite.name}-wal`);
      // Checkpoints run on a worker; SQLite's own (in a commit, on the event loop) only bounds the WAL at 64 MB.
      sqlite.pragma('wal_autocheckpoint = 16000');
      this.#checkpointer = new SqliteCheckpointer(sqlite.name, onCheckpointError);
    }
  }

  async init(): Promise<void> {}

  /**
   * A read run at once when no caller holds the connection (no transaction is open across awaits), so it
   * sees what a read through `acquireConnection` would; undefined when held or when the statement writes.
   */
  readNow(sql: string, parameters: readonly unknown[]): unknown[] | undefined {
    if (this.#unlock !== undefined) return undefined;
    const statement = this.sqlite.prepare(sql);
    if (!statement.reader) return undefined;
    if (!this.sqlite.inTransaction) this.openReadSnapshot();
    return statement.all(parameters) as unknown[];
  }

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
    this.#endReadSnapshot();
    this.#commitGroup();
    this.#walSync?.close();
    await this.#checkpointer?.close();
    this.sqlite.close();
  }

  /** Reads of this turn share a transaction, ended once the turn's other callbacks have run. */
  openReadSnapshot(): void {
    this.sqlite.prepare('begin').run();
    this.#readSnapshot = true;
    setImmediate(() => this.#endReadSnapshot());
  }

  #endReadSnapshot(): void {
    if (!this.#readSnapshot) return;
    this.#readSnapshot = false;
    if (this.sqlite.inTransaction) this.sqlite.prepare('commit').run();
  }

  /** Opens this turn's group if none is open; its commit runs once the turn's other callbacks have run. */
  joinGroup(): void {
    if (this.#group) return;
    // A write starts from the newest snapshot: upgrading the read transaction could fail (SQLITE_BUSY_SNAPSHOT)
    // had another process written since it began.
    this.#endReadSnapshot();
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
      this.#checkpointer?.committed();
      if (this.#walSync) this.#walSync.afterCommit(group);
      else group.settle();
    } catch (error) {
      if (this.sqlite.inTransaction) this.sqlite.prepare('rollback').run();
      group.settle(error);
    }
  }
}

export class GroupCommitSqliteDialect extends SqliteDialect {
  /** Kysely creates it once, when constructed with this dialect. */
  driver: GroupCommitSqliteDriver | undefined;

  constructor(private readonly sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    this.driver = new GroupCommitSqliteDriver(this.sqlite);
    return this.driver;
  }
}
