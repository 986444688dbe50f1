import { sql, type Kysely } from 'kysely';

/**
 * GitLab's project_statistics (the job artifacts' total size, kept as artifacts come and go; the
 * repository's size and commit count, measured after pushes) and
 * project_build_artifacts_size_refreshes (a recount of that total, walking the artifacts in batches;
 * removing artifacts waits until it ends, or the walk would count them wrongly).
 */
export function projectStatistics() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('project_statistics')
        .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
        .addColumn('job_artifacts_size', 'bigint', (c) => c.notNull().defaultTo(0))
        // The repository's figures, measured with git when first asked after a push (null: not since).
        .addColumn('repository_size', 'bigint')
        .addColumn('commit_count', 'integer')
        // Moved by every push, so a measurement that raced one is not recorded over its staleness.
        .addColumn('repository_version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`
        insert into project_statistics (project_id, job_artifacts_size)
        select project_id, sum(coalesce(size, 0)) from job_artifacts group by project_id
      `.execute(db);
      await db.schema
        .createTable('build_artifacts_size_refreshes')
        .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
        /** created → running → (row deleted when the walk ends) */
        .addColumn('state', 'text', (c) => c.notNull())
        /** The walk covers artifacts up to this id; later ones were counted as they came. */
        .addColumn('last_artifact_id_at_start', 'integer')
        .addColumn('last_artifact_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
