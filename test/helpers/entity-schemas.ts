/**
 * JSON Schemas for the Jobs and Runners API entities as GitLab 17.x sends them (shared/reference/gitlab-jobs-api-behavior.md §3;
 * RunnerDetails and JobBasicWithProject from GitLab 17's entity sources), written from the specification, not from
 * Conveyor's entities: a reply that differs from GitLab fails here.
 *
 * - Job and Bridge are closed (`additionalProperties: false`) so stray keys are caught; `failure_reason` is
 *   required when `status` is `failed` and forbidden otherwise; `artifacts_file` is optional.
 * - PipelineBasic, Commit and User are open: GitLab keeps adding fields to them (§3.4–§3.6).
 * - Database times are ISO-8601 UTC with milliseconds (`2015-12-24T15:51:21.802Z`); commit times keep the
 *   commit's own offset (§1.1).
 */
import assert from 'node:assert/strict';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

type Schema = Record<string, unknown>;

const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });

/** A database timestamp: UTC, milliseconds, `Z`. */
export const dbTime: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' };
/** A commit timestamp: milliseconds, the commit's own offset (or `Z`). */
export const commitTime: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})$' };
const sha: Schema = { type: 'string', pattern: '^[0-9a-f]{40}$' };
const url: Schema = { type: 'string', pattern: '^https?://' };

/** §7.1: the 17.x job statuses. */
export const JOB_STATUSES = [
  'created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'success', 'failed',
  'canceling', 'canceled', 'skipped', 'manual', 'scheduled',
] as const;

/** §3.6: User as embedded in a job (UserSafe ⊂ UserBasic ⊂ User); open, GitLab adds fields over time. */
export const userSchema: Schema = {
  $id: 'User',
  type: 'object',
  required: ['id', 'username', 'name', 'state', 'locked', 'avatar_url', 'web_url'],
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    name: { type: 'string' },
    state: { type: 'string' },
    locked: { type: 'boolean' },
    avatar_url: nullable(url),
    web_url: url,
    // Only when the caller may see the profile.
    created_at: dbTime,
    bio: nullable({ type: 'string' }),
    location: nullable({ type: 'string' }),
    public_email: nullable({ type: 'string' }),
    skype: nullable({ type: 'string' }),
    linkedin: nullable({ type: 'string' }),
    twitter: nullable({ type: 'string' }),
    discord: nullable({ type: 'string' }),
    website_url: nullable({ type: 'string' }),
    organization: nullable({ type: 'string' }),
    job_title: nullable({ type: 'string' }),
    pronouns: nullable({ type: 'string' }),
    bot: { type: 'boolean' },
    work_information: nullable({ type: 'string' }),
    followers: { type: 'integer' },
    following: { type: 'integer' },
    is_followed: { type: 'boolean' },
    local_time: nullable({ type: 'string' }),
  },
};

/** §3.5: API::Entities::Commit. */
export const commitSchema: Schema = {
  $id: 'Commit',
  type: 'object',
  required: [
    'id', 'short_id', 'created_at', 'parent_ids', 'title', 'message', 'author_name', 'author_email', 'authored_date',
    'committer_name', 'committer_email', 'committed_date', 'trailers', 'extended_trailers', 'web_url',
  ],
  properties: {
    id: sha,
    short_id: { type: 'string', pattern: '^[0-9a-f]{8}$' },
    created_at: commitTime,
    parent_ids: { type: 'array', items: sha },
    title: { type: 'string' },
    message: { type: 'string' },
    author_name: { type: 'string' },
    author_email: { type: 'string' },
    authored_date: commitTime,
    committer_name: { type: 'string' },
    committer_email: { type: 'string' },
    committed_date: commitTime,
    trailers: { type: 'object', additionalProperties: { type: 'string' } },
    extended_trailers: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    web_url: { type: 'string', pattern: '^https?://.+/-/commit/[0-9a-f]{40}$' },
  },
};

/** §3.4: API::Entities::Ci::PipelineBasic (17.x set). */
export const pipelineBasicSchema: Schema = {
  $id: 'PipelineBasic',
  type: 'object',
  required: ['id', 'iid', 'project_id', 'sha', 'ref', 'status', 'source', 'created_at', 'updated_at', 'web_url'],
  properties: {
    id: { type: 'integer' },
    iid: { type: 'integer' },
    project_id: { type: 'integer' },
    sha,
    ref: { type: 'string' },
    status: { type: 'string' },
    source: { type: 'string' },
    created_at: dbTime,
    updated_at: dbTime,
    web_url: { type: 'string', pattern: '^https?://.+/-/pipelines/\\d+$' },
  },
};

/** §3.9: items of `artifacts`. */
export const jobArtifactSchema: Schema = {
  $id: 'JobArtifact',
  type: 'object',
  additionalProperties: false,
  required: ['file_type', 'size', 'filename', 'file_format'],
  properties: {
    file_type: { type: 'string' },
    size: nullable({ type: 'integer', minimum: 0 }),
    filename: { type: 'string' },
    file_format: { type: 'string' },
  },
};

/** §3.7 (17.x): API::Entities::Ci::Runner, closed (17.x has no `created_at`, `created_by` or `job_execution_status`). */
export const runnerSchema: Schema = {
  $id: 'Runner',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'description', 'ip_address', 'active', 'paused', 'is_shared', 'runner_type', 'name', 'online', 'status'],
  properties: {
    id: { type: 'integer' },
    description: nullable({ type: 'string' }),
    ip_address: { type: 'null' },
    active: { type: 'boolean' },
    paused: { type: 'boolean' },
    is_shared: { type: 'boolean' },
    runner_type: { enum: ['instance_type', 'group_type', 'project_type'] },
    name: nullable({ type: 'string' }),
    // `contacted_at && contacted_at > deadline` in Ruby: null for a runner that never called.
    online: nullable({ type: 'boolean' }),
    status: { enum: ['online', 'offline', 'stale', 'never_contacted', 'paused'] },
  },
  allOf: [
    // `paused` is `!active`; `is_shared` is `runner_type == instance_type`.
    { if: { properties: { active: { const: true } } }, then: { properties: { paused: { const: false } } }, else: { properties: { paused: { const: true } } } },
    {
      if: { properties: { runner_type: { const: 'instance_type' } } },
      then: { properties: { is_shared: { const: true } } },
      else: { properties: { is_shared: { const: false } } },
    },
  ],
};

/** §3.8 (17.x): API::Entities::Ci::RunnerManager, closed. */
export const runnerManagerSchema: Schema = {
  $id: 'RunnerManager',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'system_id', 'version', 'revision', 'platform', 'architecture', 'created_at', 'contacted_at', 'ip_address', 'status'],
  properties: {
    id: { type: 'integer' },
    system_id: { type: 'string' },
    version: nullable({ type: 'string' }),
    revision: nullable({ type: 'string' }),
    platform: nullable({ type: 'string' }),
    architecture: nullable({ type: 'string' }),
    created_at: dbTime,
    contacted_at: nullable(dbTime),
    ip_address: nullable({ type: 'string' }),
    status: { enum: ['online', 'offline', 'stale', 'never_contacted'] },
  },
};

/**
 * API::Entities::Ci::RunnerDetails (17.x, lib/api/entities/ci/runner_details.rb): Runner, then the settings,
 * the newest manager's version facts, contacted_at, maintenance_note, projects (BasicProjectDetails, open) and
 * groups (BasicGroupDetails). Closed.
 */
export const runnerDetailsSchema: Schema = {
  $id: 'RunnerDetails',
  type: 'object',
  additionalProperties: false,
  required: [
    ...(runnerSchema.required as string[]), 'tag_list', 'run_untagged', 'locked', 'maximum_timeout', 'access_level',
    'version', 'revision', 'platform', 'architecture', 'contacted_at', 'maintenance_note', 'projects', 'groups',
  ],
  properties: {
    ...(runnerSchema.properties as Record<string, Schema>),
    tag_list: { type: 'array', items: { type: 'string' } },
    run_untagged: { type: 'boolean' },
    locked: { type: 'boolean' },
    maximum_timeout: nullable({ type: 'integer' }),
    access_level: { enum: ['not_protected', 'ref_protected'] },
    version: nullable({ type: 'string' }),
    revision: nullable({ type: 'string' }),
    platform: nullable({ type: 'string' }),
    architecture: nullable({ type: 'string' }),
    contacted_at: nullable(dbTime),
    maintenance_note: nullable({ type: 'string' }),
    projects: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'description', 'name', 'name_with_namespace', 'path', 'path_with_namespace', 'created_at', 'web_url'],
        properties: { id: { type: 'integer' }, name_with_namespace: { type: 'string' }, path_with_namespace: { type: 'string' }, created_at: dbTime, web_url: url },
      },
    },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'web_url', 'name'],
        properties: { id: { type: 'integer' }, web_url: url, name: { type: 'string' } },
      },
    },
  },
  allOf: runnerSchema.allOf,
};

/** §3.1 first table / §3.2: the JobBasic fields, shared by Job and Bridge. */
const jobBasicProperties: Record<string, Schema> = {
  id: { type: 'integer' },
  status: { enum: [...JOB_STATUSES] },
  stage: { type: 'string' },
  name: { type: 'string' },
  ref: { type: 'string' },
  tag: { type: 'boolean' },
  coverage: nullable({ type: 'number' }),
  allow_failure: { type: 'boolean' },
  created_at: dbTime,
  started_at: nullable(dbTime),
  finished_at: nullable(dbTime),
  erased_at: nullable(dbTime),
  duration: nullable({ type: 'number', minimum: 0 }),
  queued_duration: nullable({ type: 'number', minimum: 0 }),
  user: nullable({ $ref: 'User' }),
  commit: nullable({ $ref: 'Commit' }),
  pipeline: { $ref: 'PipelineBasic' },
  failure_reason: { type: 'string', minLength: 1 },
  web_url: { type: 'string', pattern: '^https?://.+/-/jobs/\\d+$' },
  project: {
    type: 'object',
    required: ['ci_job_token_scope_enabled'],
    properties: { ci_job_token_scope_enabled: { type: 'boolean' } },
  },
};
const jobBasicRequired = [
  'id', 'status', 'stage', 'name', 'ref', 'tag', 'coverage', 'allow_failure', 'created_at', 'started_at', 'finished_at',
  'erased_at', 'duration', 'queued_duration', 'user', 'commit', 'pipeline', 'web_url', 'project',
];
/** `failure_reason` is present exactly when the job failed. */
const failureReasonRule: Schema = {
  if: { properties: { status: { const: 'failed' } }, required: ['status'] },
  then: { required: ['failure_reason'] },
  else: { not: { required: ['failure_reason'] } },
};

/** §3.1: API::Entities::Ci::Job (JobBasic + extras), closed. */
export const jobSchema: Schema = {
  $id: 'Job',
  type: 'object',
  additionalProperties: false,
  required: [...jobBasicRequired, 'artifacts', 'runner', 'runner_manager', 'artifacts_expire_at', 'archived', 'tag_list'],
  properties: {
    ...jobBasicProperties,
    artifacts_file: {
      type: 'object',
      additionalProperties: false,
      required: ['filename', 'size'],
      properties: { filename: { type: 'string' }, size: nullable({ type: 'integer', minimum: 0 }) },
    },
    artifacts: { type: 'array', items: { $ref: 'JobArtifact' } },
    runner: nullable({ $ref: 'Runner' }),
    runner_manager: nullable({ $ref: 'RunnerManager' }),
    artifacts_expire_at: nullable(dbTime),
    archived: { type: 'boolean' },
    tag_list: { type: 'array', items: { type: 'string' } },
  },
  allOf: [failureReasonRule],
};

/** §3.3: API::Entities::Ci::Bridge = JobBasic + downstream_pipeline, closed (no artifacts, runner, tags…). */
export const bridgeSchema: Schema = {
  $id: 'Bridge',
  type: 'object',
  additionalProperties: false,
  required: [...jobBasicRequired, 'downstream_pipeline'],
  properties: { ...jobBasicProperties, downstream_pipeline: nullable({ $ref: 'PipelineBasic' }) },
  allOf: [failureReasonRule],
};

/**
 * API::Entities::Ci::JobBasicWithProject, the items of `GET /runners/:id/jobs`: JobBasic whose `project` is
 * API::Entities::ProjectIdentity. Closed.
 */
export const jobBasicWithProjectSchema: Schema = {
  $id: 'JobBasicWithProject',
  type: 'object',
  additionalProperties: false,
  required: jobBasicRequired,
  properties: {
    ...jobBasicProperties,
    project: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'description', 'name', 'name_with_namespace', 'path', 'path_with_namespace', 'created_at'],
      properties: {
        id: { type: 'integer' },
        description: nullable({ type: 'string' }),
        name: { type: 'string' },
        name_with_namespace: { type: 'string' },
        path: { type: 'string' },
        path_with_namespace: { type: 'string' },
        created_at: dbTime,
      },
    },
  },
  allOf: [failureReasonRule],
};

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
for (const schema of [
  userSchema, commitSchema, pipelineBasicSchema, jobArtifactSchema, runnerSchema, runnerManagerSchema, runnerDetailsSchema, jobSchema, bridgeSchema,
  jobBasicWithProjectSchema,
]) {
  ajv.addSchema(schema);
}

function validator(id: string): ValidateFunction {
  const validate = ajv.getSchema(id);
  assert.ok(validate, `schema ${id}`);
  return validate;
}

const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`).join('\n  ');

/** Fails with every schema violation listed (and the value) unless `value` matches the entity's schema. */
export type EntityId = 'Job' | 'Bridge' | 'PipelineBasic' | 'Commit' | 'User' | 'JobArtifact' | 'Runner' | 'RunnerDetails' | 'RunnerManager' | 'JobBasicWithProject';

export function assertEntity(id: EntityId, value: unknown, what: string = id): void {
  const validate = validator(id);
  if (!validate(value)) assert.fail(`${what} does not match the ${id} schema:\n  ${describeErrors(validate.errors)}\n${JSON.stringify(value, null, 2)}`);
}

/** A Job reply (object) or list reply (array of Jobs). */
export function assertJob(reply: unknown): void {
  if (Array.isArray(reply)) reply.forEach((item, i) => assertEntity('Job', item, `item ${i}`));
  else assertEntity('Job', reply);
}

/** A Bridge reply (object) or list reply (array of Bridges). */
export function assertBridge(reply: unknown): void {
  if (Array.isArray(reply)) reply.forEach((item, i) => assertEntity('Bridge', item, `item ${i}`));
  else assertEntity('Bridge', reply);
}

/** Every item of a list reply (or the one object) against the entity's schema. */
export function assertEntities(id: EntityId, reply: unknown): void {
  if (Array.isArray(reply)) reply.forEach((item, i) => assertEntity(id, item, `item ${i}`));
  else assertEntity(id, reply);
}
