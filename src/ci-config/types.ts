/** The facts of the pipeline being created that a config's rules and includes may look at. */
export interface PipelineContext {
  ref: string;
  tag: boolean;
  /** GitLab's pipeline source: push, web, api, trigger, schedule, pipeline, parent_pipeline, merge_request_event, ... */
  source: string;
  sha: string;
  commitMessage: string;
  /** Paths changed by the push; null when unknown (a new branch), which makes `changes` true as in GitLab. */
  changedPaths: string[] | null;
  /** Lowest precedence: CI_* variables the server predefines. */
  predefinedVariables: Record<string, string>;
  /** Project and group CI/CD variables. */
  projectVariables: Record<string, string>;
  /** Variables given when the pipeline was created (API, push options, trigger); highest precedence. */
  pipelineVariables: Record<string, string>;
}

/** What the compiler may read from the commit; the only I/O it does. */
export interface ConfigFiles {
  /** The file's text at the pipeline's commit, or null when it does not exist. */
  read(path: string): Promise<string | null>;
  /** Every file path of the commit (for `rules:exists` and wildcard includes); may be omitted when unknown. */
  list?(): Promise<string[]>;
}

export type When = 'on_success' | 'on_failure' | 'always' | 'manual' | 'delayed' | 'never';

export interface YamlVariable {
  key: string;
  value: string;
  description?: string;
  /** false for `expand: false`: the value is used raw, `$` kept. */
  expand: boolean;
}

export interface ImageSpec {
  name: string;
  entrypoint?: string[];
  pull_policy?: string[];
  docker?: Record<string, unknown>;
}

export interface ServiceSpec extends ImageSpec {
  alias?: string;
  command?: string[];
  variables?: YamlVariable[];
}

export interface ArtifactsSpec {
  name?: string;
  paths?: string[];
  exclude?: string[];
  expire_in?: string;
  when?: 'on_success' | 'on_failure' | 'always';
  untracked?: boolean;
  expose_as?: string;
  public?: boolean;
  access?: 'all' | 'developer' | 'none';
  reports?: Record<string, string[] | Record<string, unknown>>;
}

export interface CacheSpec {
  key: string | { files: string[]; prefix?: string };
  paths: string[];
  policy: 'pull-push' | 'pull' | 'push';
  when: 'on_success' | 'on_failure' | 'always';
  untracked: boolean;
  unprotect: boolean;
  fallback_keys: string[];
}

export interface RetrySpec {
  max: number;
  when: string[];
  exit_codes: number[];
}

export interface NeedSpec {
  name: string;
  artifacts: boolean;
  optional: boolean;
  /** For needs on a parallel:matrix job: only the instance with these values. */
  parallel?: { matrix: Array<Record<string, string | string[]>> };
}

export interface EnvironmentSpec {
  name: string;
  url?: string;
  action: 'start' | 'prepare' | 'stop' | 'verify' | 'access';
  on_stop?: string;
  auto_stop_in?: string;
  deployment_tier?: string;
  kubernetes?: Record<string, unknown>;
}

export type TriggerSpec =
  | { kind: 'child'; include: IncludeEntry[]; strategy: 'depend' | null; forward: ForwardSpec }
  | { kind: 'project'; project: string; branch: string | null; strategy: 'depend' | null; forward: ForwardSpec };

export interface ForwardSpec {
  yaml_variables: boolean;
  pipeline_variables: boolean;
}

export type IncludeEntry =
  | { type: 'local'; path: string; rules?: RuleSpec[] }
  | { type: 'project'; project: string; file: string[]; ref?: string }
  | { type: 'remote'; url: string }
  | { type: 'template'; template: string }
  | { type: 'component'; component: string }
  | { type: 'artifact'; artifact: string; job: string };

export interface RuleSpec {
  if?: string;
  changes?: { paths: string[]; compare_to?: string };
  exists?: { paths: string[] };
  when?: When;
  start_in?: string;
  allow_failure?: boolean;
  variables?: YamlVariable[];
  needs?: NeedSpec[];
}

export interface PolicySpec {
  refs?: string[];
  variables?: string[];
  changes?: string[];
  kubernetes?: string;
}

export type ParallelSpec = { total: number } | { matrix: Array<Record<string, string[]>> };

/** A job as the config defines it, after includes, `extends`, `!reference` and `default:`; before rules. */
export interface JobDefinition {
  name: string;
  /** Position in the config, for a stable order. */
  index: number;
  kind: 'build' | 'bridge';
  stage: string;
  script: string[];
  before_script: string[];
  after_script: string[];
  image: ImageSpec | null;
  services: ServiceSpec[];
  tags: string[];
  /** The job's own `variables:` (global ones are merged at planning, honouring `inherit:variables`). */
  variables: YamlVariable[];
  inherit_variables: boolean | string[];
  when: When;
  start_in: string | null;
  /** null = GitLab's default (true for manual jobs without rules, else false). */
  allow_failure: boolean | null;
  allow_failure_exit_codes: number[] | null;
  needs: NeedSpec[] | null;
  dependencies: string[] | null;
  artifacts: ArtifactsSpec | null;
  cache: CacheSpec[];
  retry: RetrySpec | null;
  /** Seconds. */
  timeout: number | null;
  resource_group: string | null;
  interruptible: boolean | null;
  environment: EnvironmentSpec | null;
  coverage: string | null;
  trigger: TriggerSpec | null;
  parallel: ParallelSpec | null;
  rules: RuleSpec[] | null;
  only: PolicySpec | null;
  except: PolicySpec | null;
  id_tokens: Record<string, unknown> | null;
  hooks: Record<string, string[]> | null;
}

/** A job the pipeline will hold: rules applied, parallel expanded, needs resolved. */
export interface JobSpec extends Omit<JobDefinition, 'rules' | 'only' | 'except' | 'parallel' | 'inherit_variables' | 'allow_failure' | 'when'> {
  when: Exclude<When, 'never'>;
  stage_idx: number;
  allow_failure: boolean;
  /** Global variables (as inherited) then the job's, then those its matching rule set. */
  variables: YamlVariable[];
  parallel: { index: number; total: number; matrix?: Record<string, string> } | null;
  /** The definition's name for parallel instances (`test` for `test 1/3`). */
  base_name: string;
}

export interface WorkflowResult {
  name: string | null;
  variables: YamlVariable[];
  auto_cancel: { on_new_commit?: string; on_job_failure?: string } | null;
}

export interface IncludeRecord {
  type: IncludeEntry['type'];
  location: string;
  blob: string | null;
  raw: string | null;
  extra: Record<string, unknown>;
  context_project: string | null;
  context_sha: string | null;
}

/** The config as read and validated, before any pipeline facts beyond includes are applied. */
export interface LoadedConfig {
  stages: string[];
  jobs: JobDefinition[];
  variables: YamlVariable[];
  workflowRules: RuleSpec[] | null;
  workflowName: string | null;
  workflowAutoCancel: WorkflowResult['auto_cancel'];
  includes: IncludeRecord[];
  /** The config after includes, extends and references (lint shows it as YAML; pipelines never need it). */
  merged: Record<string, unknown>;
  warnings: string[];
}

export interface PlannedPipeline {
  stages: string[];
  jobs: JobSpec[];
  workflow: WorkflowResult;
  variables: YamlVariable[];
  warnings: string[];
}

export type PlanResult =
  | { status: 'created'; pipeline: PlannedPipeline }
  | { status: 'filtered'; message: string }
  | { status: 'invalid'; errors: string[]; warnings: string[] };

export type LoadResult = { status: 'loaded'; config: LoadedConfig } | { status: 'invalid'; errors: string[]; warnings: string[] };
