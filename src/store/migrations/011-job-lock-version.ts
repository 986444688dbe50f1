import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * GitLab's ci_builds.lock_version: a number every change of a job row moves, so a process that kept
 * something derived from a row (the API's serialized Job entity) can tell from the column alone whether
 * the row changed since, whichever process changed it. The repository moves it in its own updates; the
 * trigger moves it for any other update (a foreign key's `set null`, a future statement that forgets),
 * and stays out of the way when the update moved it already.
 */
export function jobLockVersion(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('jobs').addColumn('lock_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      if (dialect === 'postgres') {
        await sql`
          create function jobs_move_lock_version() returns trigger language plpgsql as $$
          begin
            if new.lock_version = old.lock_version then new.lock_version := old.lock_version + 1; end if;
            return new;
          end $$
        `.execute(db);
        await sql`create trigger jobs_lock_version before update on jobs for each row execute function jobs_move_lock_version()`.execute(db);
      } else {
        await sql`
          create trigger jobs_lock_version after update on jobs for each row when new.lock_version = old.lock_version
          begin update jobs set lock_version = old.lock_version + 1 where id = new.id; end
        `.execute(db);
      }
    },
  };
}
