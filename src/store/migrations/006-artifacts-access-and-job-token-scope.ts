import type { Kysely } from 'kysely';

/**
 * Artifacts' access level (GitLab's `ci_job_artifacts.accessibility`: public, private, none), and each
 * project's inbound CI/CD job-token scope: whether it is limited, and which projects it allows.
 */
export function artifactsAccessAndJobTokenScope() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('job_artifacts').addColumn('accessibility', 'text', (c) => c.notNull().defaultTo('public')).execute();
      await db.schema
        .createTable('job_token_scope_settings')
        .addColumn('project_id', 'integer', (c) => c.primaryKey().references('projects.id').onDelete('cascade'))
        .addColumn('inbound_enabled', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('job_token_allowlist')
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('target_project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('job_token_allowlist_pk', ['project_id', 'target_project_id'])
        .execute();
      await db.schema.createIndex('job_artifacts_project').on('job_artifacts').columns(['project_id', 'id']).execute();
      // One artifact per type and job, decided by the database when two uploads race.
      await db.schema.createIndex('job_artifacts_job_type_unique').on('job_artifacts').columns(['job_id', 'file_type']).unique().execute();
    },
  };
}
