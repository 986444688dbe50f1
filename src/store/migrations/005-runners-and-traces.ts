import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/**
 * Runners (GitLab's ci_runners), the machines behind each runner token (ci_runner_machines), project
 * runner assignments, instance settings (the registration token), the length of each job's live log. A
 * runner's job request scans the pending builds through 002's (status, id) index.
 */
export function runnersAndTraces(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await idColumn(dialect, db.schema.createTable('runners'))
        .addColumn('runner_type', 'text', (c) => c.notNull())
        .addColumn('token_digest', 'text', (c) => c.notNull())
        .addColumn('short_sha', 'text', (c) => c.notNull())
        .addColumn('token_expires_at', 'text')
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('maintenance_note', 'text')
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_untagged', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('tag_list', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('access_level', 'text', (c) => c.notNull().defaultTo('not_protected'))
        .addColumn('maximum_timeout', 'integer')
        .addColumn('group_id', 'integer', (c) => c.references('namespaces.id').onDelete('cascade'))
        .addColumn('registration_type', 'text', (c) => c.notNull())
        .addColumn('creator_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('contacted_at', 'text')
        .execute();
      await db.schema.createIndex('runners_token_digest_unique').on('runners').unique().column('token_digest').execute();

      await idColumn(dialect, db.schema.createTable('runner_projects'))
        .addColumn('runner_id', 'integer', (c) => c.notNull().references('runners.id').onDelete('cascade'))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('runner_projects_unique').on('runner_projects').unique().columns(['runner_id', 'project_id']).execute();
      await db.schema.createIndex('runner_projects_project').on('runner_projects').columns(['project_id', 'runner_id']).execute();

      await idColumn(dialect, db.schema.createTable('runner_managers'))
        .addColumn('runner_id', 'integer', (c) => c.notNull().references('runners.id').onDelete('cascade'))
        .addColumn('system_id', 'text', (c) => c.notNull())
        .addColumn('version', 'text')
        .addColumn('revision', 'text')
        .addColumn('platform', 'text')
        .addColumn('architecture', 'text')
        .addColumn('executor', 'text')
        .addColumn('ip_address', 'text')
        .addColumn('features', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('contacted_at', 'text')
        .execute();
      await db.schema.createIndex('runner_managers_unique').on('runner_managers').unique().columns(['runner_id', 'system_id']).execute();

      await db.schema
        .createTable('application_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('job_traces')
        .addColumn('job_id', 'integer', (c) => c.primaryKey().references('jobs.id').onDelete('cascade'))
        .addColumn('size', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      // GitLab's job metadata `debug_trace_enabled`: the log may hold secrets, so only Developers read it.
      await db.schema.alterTable('jobs').addColumn('debug_trace', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('jobs_runner_id').on('jobs').columns(['runner_id', 'id']).execute();
    },
  };
}
