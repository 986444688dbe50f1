import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/** Job artifacts (archive, metadata, log, reports), as GitLab's ci_job_artifacts. */
export function jobArtifacts(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await idColumn(dialect, db.schema.createTable('job_artifacts'))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('job_id', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('file_type', 'text', (c) => c.notNull())
        .addColumn('file_format', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('size', 'integer')
        .addColumn('sha256', 'text')
        .addColumn('blob_key', 'text')
        .addColumn('expire_at', 'text')
        .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('job_artifacts_job').on('job_artifacts').columns(['job_id', 'file_type']).execute();
      await db.schema.createIndex('job_artifacts_expire').on('job_artifacts').column('expire_at').execute();
    },
  };
}
