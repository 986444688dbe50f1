import { sql, type Kysely } from 'kysely';
import type { Dialect } from './db.js';

/** What a lock guards; the number keeps one kind of lock from colliding with another's ids. */
export const LockKind = { pipeline: 1, duty: 2, repository: 3 } as const;

/**
 * Locks that hold across server processes: PostgreSQL session advisory locks, each held on a pinned
 * connection while `work` runs its queries on others. A process that dies releases its locks with its
 * connections. At most `maxHeld` are held per process at once, so pinned connections never take the whole
 * pool from the queries the locked work needs. With SQLite there is one process: `work` just runs.
 */
export class AdvisoryLocks {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly db: Kysely<any>,
    private readonly dialect: Dialect,
    private readonly maxHeld: number,
  ) {}

  private async slot(): Promise<void> {
    if (this.held < this.maxHeld) {
      this.held++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held--;
  }

  /** Runs `work` while holding the lock, waiting for another process to release it first. */
  async withLock<T>(kind: number, id: number, work: () => Promise<T>): Promise<T> {
    if (this.dialect !== 'postgres') return work();
    await this.slot();
    try {
      return await this.db.connection().execute(async (connection) => {
        await sql`SELECT pg_advisory_lock(${kind}, ${id})`.execute(connection);
        try {
          return await work();
        } finally {
          await sql`SELECT pg_advisory_unlock(${kind}, ${id})`.execute(connection).catch(() => undefined);
        }
      });
    } finally {
      this.release();
    }
  }

  /** Runs `work` only if no other process holds the lock now; false when skipped. */
  async ifFree(kind: number, id: number, work: () => Promise<unknown>): Promise<boolean> {
    if (this.dialect !== 'postgres') {
      await work();
      return true;
    }
    await this.slot();
    try {
      return await this.db.connection().execute(async (connection) => {
        const got = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${kind}, ${id}) AS locked`.execute(connection);
        if (!got.rows[0]?.locked) return false;
        try {
          await work();
          return true;
        } finally {
          await sql`SELECT pg_advisory_unlock(${kind}, ${id})`.execute(connection).catch(() => undefined);
        }
      });
    } finally {
      this.release();
    }
  }
}
