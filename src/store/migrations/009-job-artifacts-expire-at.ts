import { sql, type Kysely } from 'kysely';

/**
 * GitLab's `ci_builds.artifacts_expire_at`: the archive's expiry kept on the job, so it outlives the
 * artifact rows the sweeper deletes. A later job that needs this one must still learn that its artifacts
 * expired (`missing_dependency_failure`), which a missing row cannot tell from "never had any".
 */
export function jobArtifactsExpireAt() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('jobs').addColumn('artifacts_expire_at', 'text').execute();
      await sql`
        update jobs set artifacts_expire_at = (
          select a.expire_at from job_artifacts a where a.job_id = jobs.id and a.file_type = 'archive'
        )
        where id in (select job_id from job_artifacts where file_type = 'archive' and expire_at is not null)
      `.execute(db);
    },
  };
}
