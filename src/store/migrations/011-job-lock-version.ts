import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * GitLab's ci_builds.lock_version: a number every change of a job row moves, so a process that kept
 * something derived from a row (the API's serialized Job entity) can tell from the column alone whether
 * the row changed since, whichever process changed it. The jobs repository moves it in every update it
 * makes (and no other code updates jobs). On PostgreSQL, where other processes and tools may share the
 * database, a trigger also moves it for any update that did not. SQLite has none: there an AFTER UPDATE
 * trigger, even one whose WHEN is false, made every job update two to three times slower (24 -> 50-76
 * µs for a runner taking a job), and the database is this one process's.
 */
export function jobLockVersion(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('jobs').addColumn('lock_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      if (dialect === 'postgres') {
        // BEFORE, so the row is written once: SQLite's triggers cannot change NEW, hence none there.
        await sql`
          create function jobs_move_lock_version() returns trigger language plpgsql as $$
          begin
            if new.lock_version = old.lock_version then new.lock_version := old.lock_version + 1; end if;
            return new;
          end $$
        `.execute(db);
        await sql`create trigger jobs_lock_version before update on jobs for each row execute function jobs_move_lock_version()`.execute(db);
      }
    },
  };
}
