import type { Generated } from 'kysely';

/**
 * Table shapes shared by both dialects. Timestamps are ISO-8601 UTC strings with milliseconds
 * and booleans are 0/1 integers, so rows read the same from SQLite and PostgreSQL
 * (see docs/architecture.md).
 */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  email: string;
  password_digest: string | null;
  is_admin: number;
  state: string;
  failed_sign_ins: Generated<number>;
  locked_at: Generated<string | null>;
  created_at: string;
}

export interface PersonalAccessTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_digest: string;
  scopes: string;
  expires_at: string | null;
  revoked: number;
  created_at: string;
  last_used_at: string | null;
}

export interface NamespacesTable {
  id: Generated<number>;
  name: string;
  path: string;
  full_path: string;
  kind: 'user' | 'group';
  parent_id: number | null;
  owner_id: number | null;
  visibility: string;
  description: string;
  created_at: string;
}

export interface MembersTable {
  id: Generated<number>;
  source_type: 'namespace' | 'project';
  source_id: number;
  user_id: number;
  access_level: number;
  expires_at: string | null;
  created_by_id: number | null;
  created_at: string;
}

export interface ProjectsTable {
  id: Generated<number>;
  namespace_id: number;
  name: string;
  path: string;
  full_path: string;
  description: string;
  visibility: string;
  default_branch: string | null;
  public_jobs: number;
  ci_config_path: string | null;
  creator_id: number | null;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
  build_timeout: Generated<number>;
  auto_cancel_pending_pipelines: Generated<number>;
}

export interface PipelinesTable {
  id: Generated<number>;
  project_id: number;
  iid: number;
  ref: string;
  tag: number;
  sha: string;
  before_sha: string;
  source: string;
  status: string;
  name: string | null;
  user_id: number | null;
  yaml_errors: string | null;
  failure_reason: string | null;
  /** Pipeline variables as JSON `[{key, value, variable_type}]`. */
  variables: string;
  /** Global YAML variables (after workflow rules) as JSON. */
  yaml_variables: string;
  protected_ref: number;
  source_job_id: number | null;
  parent_pipeline_id: number | null;
  auto_canceled_by_id: number | null;
  coverage: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  committed_at: string | null;
}

export interface JobsTable {
  id: Generated<number>;
  project_id: number;
  pipeline_id: number;
  type: 'build' | 'bridge';
  name: string;
  stage: string;
  stage_idx: number;
  status: string;
  when: string;
  allow_failure: number;
  scheduling_type: 'stage' | 'dag';
  ref: string;
  tag: number;
  protected: number;
  /** The compiled JobSpec as JSON. */
  options: string;
  tag_list: string;
  job_variables: string;
  resource_group: string | null;
  interruptible: number | null;
  user_id: number | null;
  runner_id: number | null;
  runner_manager_id: number | null;
  token_digest: string | null;
  failure_reason: string | null;
  exit_code: number | null;
  coverage: number | null;
  retried: number;
  retry_count: number;
  downstream_pipeline_id: number | null;
  scheduled_at: string | null;
  queued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  erased_at: string | null;
  erased_by_id: number | null;
  /** The archive's expiry, kept after the sweeper deleted the archive (GitLab's `artifacts_expire_at`). */
  artifacts_expire_at: Generated<string | null>;
  debug_trace: Generated<number>;
  /** Moved by every change of the row (the repository's updates, else a trigger): see migration 011. */
  lock_version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface CiVariablesTable {
  id: Generated<number>;
  project_id: number | null;
  namespace_id: number | null;
  key: string;
  value: string;
  variable_type: string;
  protected: number;
  masked: number;
  raw: number;
  environment_scope: string;
  description: string | null;
  created_at: string;
}

export interface ProtectedBranchesTable {
  id: Generated<number>;
  project_id: number;
  /** A branch name or a pattern with `*` wildcards (`release/*`). */
  name: string;
  /** 0 = no one, 30 = developers and maintainers, 40 = maintainers. */
  push_access_level: number;
  merge_access_level: number;
  allow_force_push: number;
  created_at: string;
}

/** Commit facts read from git once and kept, so lists of jobs and pipelines need no git process per row. */
export interface CommitsTable {
  id: Generated<number>;
  project_id: number;
  sha: string;
  /** JSON array of parent shas. */
  parent_ids: string;
  title: string;
  message: string;
  author_name: string;
  author_email: string;
  authored_date: string;
  committer_name: string;
  committer_email: string;
  committed_date: string;
}

export interface JobArtifactsTable {
  id: Generated<number>;
  project_id: number;
  job_id: number;
  file_type: string;
  file_format: string;
  filename: string;
  size: number | null;
  sha256: string | null;
  blob_key: string | null;
  expire_at: string | null;
  locked: number;
  created_at: string;
  /** `public`, `private` (Developer+) or `none` (GitLab's accessibility). */
  accessibility: Generated<string>;
}

export interface JobTokenScopeSettingsTable {
  project_id: number;
  inbound_enabled: number;
}

export interface JobTokenAllowlistTable {
  project_id: number;
  target_project_id: number;
  created_at: string;
}

export interface RunnersTable {
  id: Generated<number>;
  /** instance_type | group_type | project_type */
  runner_type: string;
  token_digest: string;
  /** The first 8 characters of the token after its prefix: GitLab's `short_sha`, safe to show. */
  short_sha: string;
  token_expires_at: string | null;
  description: string;
  maintenance_note: string | null;
  paused: number;
  locked: number;
  run_untagged: number;
  /** JSON array of tag names, sorted. */
  tag_list: string;
  /** not_protected | ref_protected */
  access_level: string;
  maximum_timeout: number | null;
  group_id: number | null;
  /** registration_token | authenticated_user */
  registration_type: string;
  creator_id: number | null;
  created_at: string;
  contacted_at: string | null;
}

export interface RunnerProjectsTable {
  id: Generated<number>;
  runner_id: number;
  project_id: number;
  created_at: string;
}

/** One machine (`system_id`) using a runner's token: GitLab's runner manager. */
export interface RunnerManagersTable {
  id: Generated<number>;
  runner_id: number;
  system_id: string;
  version: string | null;
  revision: string | null;
  platform: string | null;
  architecture: string | null;
  executor: string | null;
  ip_address: string | null;
  /** JSON object of the features the runner reported (cancel_gracefully, ...). */
  features: string;
  created_at: string;
  contacted_at: string | null;
}

export interface ApplicationSettingsTable {
  name: string;
  value: string;
}

/** How many bytes of a job's log are stored; the bytes live in blob storage. */
export interface JobTracesTable {
  job_id: number;
  size: number;
  updated_at: string;
}

export interface WebSessionsTable {
  id_digest: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ProjectStatisticsTable {
  project_id: number;
  job_artifacts_size: Generated<number | string>;
  repository_size: number | string | null;
  commit_count: number | null;
  repository_version: Generated<number>;
}

export interface BuildArtifactsSizeRefreshesTable {
  project_id: number;
  state: 'created' | 'running';
  last_artifact_id_at_start: number | null;
  last_artifact_id: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  personal_access_tokens: PersonalAccessTokensTable;
  namespaces: NamespacesTable;
  members: MembersTable;
  projects: ProjectsTable;
  pipelines: PipelinesTable;
  jobs: JobsTable;
  ci_variables: CiVariablesTable;
  protected_branches: ProtectedBranchesTable;
  commits: CommitsTable;
  job_artifacts: JobArtifactsTable;
  runners: RunnersTable;
  runner_projects: RunnerProjectsTable;
  runner_managers: RunnerManagersTable;
  application_settings: ApplicationSettingsTable;
  job_traces: JobTracesTable;
  web_sessions: WebSessionsTable;
  job_token_scope_settings: JobTokenScopeSettingsTable;
  job_token_allowlist: JobTokenAllowlistTable;
  project_statistics: ProjectStatisticsTable;
  build_artifacts_size_refreshes: BuildArtifactsSizeRefreshesTable;
}
