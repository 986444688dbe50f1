import { sql, type Kysely } from 'kysely';
import type { Dialect } from './db.js';

/** What a lock guards; the number keeps one kind of lock from colliding with another's ids. */
export const LockKind = { pipeline: 1, duty: 2, repository: 3 } as const;

/**
 * Locks that hold across server processes: PostgreSQL session advisory locks, each held on a pinned
 * connection while `work` runs its queries on others. A process that dies releases its locks with its
 * connections. At most `maxHeld` locks of each kind are held per process at once, so pinned connections
 * never take the whole pool from the queries the locked work needs; kinds have separate allowances because
 * one may be taken inside another (a push's pipeline is processed while the repository is held).
 * With SQLite there is one process: `work` just runs.
 */
export class AdvisoryLocks {
  private readonly held = new Map<number, number>();
  private readonly waiting = new Map<number, Array<() => void>>();

  constructor(
    private readonly db: Kysely<any>,
    private readonly dialect: Dialect,
    private readonly maxHeld: number,
  ) {}

  private async slot(kind: number): Promise<void> {
    const held = this.held.get(kind) ?? 0;
    if (held < this.maxHeld) {
      this.held.set(kind, held + 1);
      return;
    }
    await new Promise<void>((resolve) => {
      const queue = this.waiting.get(kind) ?? [];
      queue.push(resolve);
      this.waiting.set(kind, queue);
    });
  }

  private release(kind: number): void {
    const next = this.waiting.get(kind)?.shift();
    if (next) next();
    else this.held.set(kind, (this.held.get(kind) ?? 1) - 1);
  }

  /** Runs `work` while holding the lock, waiting for another process to release it first. */
  async withLock<T>(kind: number, id: number, work: () => Promise<T>): Promise<T> {
    if (this.dialect !== 'postgres') return work();
    await this.slot(kind);
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
      this.release(kind);
    }
  }

  /** Runs `work` only if no other process holds the lock now; false when skipped. */
  async ifFree(kind: number, id: number, work: () => Promise<unknown>): Promise<boolean> {
    if (this.dialect !== 'postgres') {
      await work();
      return true;
    }
    await this.slot(kind);
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
      this.release(kind);
    }
  }
}
