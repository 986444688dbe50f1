import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/** Pipelines, jobs (builds and bridges in one table, like GitLab's ci_builds), variables, protected branches, commit facts. */
export function pipelinesAndJobs(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('projects').addColumn('build_timeout', 'integer', (c) => c.notNull().defaultTo(3600)).execute();
      await db.schema.alterTable('projects').addColumn('auto_cancel_pending_pipelines', 'integer', (c) => c.notNull().defaultTo(1)).execute();

      await idColumn(dialect, db.schema.createTable('commits'))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('parent_ids', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('author_email', 'text', (c) => c.notNull())
        .addColumn('authored_date', 'text', (c) => c.notNull())
        .addColumn('committer_name', 'text', (c) => c.notNull())
        .addColumn('committer_email', 'text', (c) => c.notNull())
        .addColumn('committed_date', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('commits_project_sha_unique').on('commits').unique().columns(['project_id', 'sha']).execute();

      await idColumn(dialect, db.schema.createTable('pipelines'))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('iid', 'integer', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('tag', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('before_sha', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('yaml_errors', 'text')
        .addColumn('failure_reason', 'text')
        .addColumn('variables', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('yaml_variables', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('protected_ref', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('source_job_id', 'integer')
        .addColumn('parent_pipeline_id', 'integer')
        .addColumn('auto_canceled_by_id', 'integer')
        .addColumn('coverage', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('committed_at', 'text')
        .execute();
      await db.schema.createIndex('pipelines_project_iid_unique').on('pipelines').unique().columns(['project_id', 'iid']).execute();
      await db.schema.createIndex('pipelines_project_ref_id').on('pipelines').columns(['project_id', 'ref', 'id']).execute();
      await db.schema.createIndex('pipelines_project_status_id').on('pipelines').columns(['project_id', 'status', 'id']).execute();

      await idColumn(dialect, db.schema.createTable('jobs'))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('pipeline_id', 'integer', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('stage_idx', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('when', 'text', (c) => c.notNull())
        .addColumn('allow_failure', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('scheduling_type', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('tag', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('tag_list', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('job_variables', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('resource_group', 'text')
        .addColumn('interruptible', 'integer')
        .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('runner_id', 'integer')
        .addColumn('runner_manager_id', 'integer')
        .addColumn('token_digest', 'text')
        .addColumn('failure_reason', 'text')
        .addColumn('exit_code', 'integer')
        .addColumn('coverage', 'real')
        .addColumn('retried', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('downstream_pipeline_id', 'integer')
        .addColumn('scheduled_at', 'text')
        .addColumn('queued_at', 'text')
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('erased_at', 'text')
        .addColumn('erased_by_id', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_project_id').on('jobs').columns(['project_id', 'id']).execute();
      await db.schema.createIndex('jobs_project_status_id').on('jobs').columns(['project_id', 'status', 'id']).execute();
      await db.schema.createIndex('jobs_pipeline_id').on('jobs').columns(['pipeline_id', 'id']).execute();
      await db.schema.createIndex('jobs_project_name_id').on('jobs').columns(['project_id', 'name', 'id']).execute();
      await db.schema.createIndex('jobs_project_ref_id').on('jobs').columns(['project_id', 'ref', 'id']).execute();
      await db.schema.createIndex('jobs_status_id').on('jobs').columns(['status', 'id']).execute();
      await db.schema.createIndex('jobs_token_digest').on('jobs').column('token_digest').execute();

      await idColumn(dialect, db.schema.createTable('ci_variables'))
        .addColumn('project_id', 'integer', (c) => c.references('projects.id').onDelete('cascade'))
        .addColumn('namespace_id', 'integer', (c) => c.references('namespaces.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('variable_type', 'text', (c) => c.notNull())
        .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('masked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('raw', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('environment_scope', 'text', (c) => c.notNull().defaultTo('*'))
        .addColumn('description', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ci_variables_project').on('ci_variables').columns(['project_id', 'key']).execute();
      await db.schema.createIndex('ci_variables_namespace').on('ci_variables').columns(['namespace_id', 'key']).execute();

      await idColumn(dialect, db.schema.createTable('protected_branches'))
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('push_access_level', 'integer', (c) => c.notNull().defaultTo(40))
        .addColumn('merge_access_level', 'integer', (c) => c.notNull().defaultTo(40))
        .addColumn('allow_force_push', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('protected_branches_project_name').on('protected_branches').unique().columns(['project_id', 'name']).execute();
    },
  };
}
