/** The parts of GitLab's job payload (the 201 body of POST /jobs/request) a shell runner uses. */

export interface JobVariable {
  key: string;
  value: string;
  public?: boolean;
  masked?: boolean;
  file?: boolean;
  raw?: boolean;
}

export interface JobStep {
  name: string;
  script?: string[] | null;
  timeout?: number;
  when?: string;
  allow_failure?: boolean;
}

export interface JobArtifact {
  name?: string;
  untracked?: boolean;
  paths?: string[] | null;
  exclude?: string[] | null;
  when?: string;
  expire_in?: string;
  artifact_type?: string;
  artifact_format?: string;
}

export interface JobDependency {
  id: number;
  name?: string;
  token: string;
  artifacts_file?: { filename?: string; size?: number } | null;
}

export interface GitInfo {
  repo_url?: string;
  ref?: string;
  sha?: string;
  before_sha?: string;
  ref_type?: string;
  refspecs?: string[] | null;
  depth?: number;
}

export interface JobPayload {
  id: number;
  token: string;
  allow_git_fetch?: boolean;
  job_info?: { name?: string; stage?: string; project_id?: number; project_name?: string; project_full_path?: string } | null;
  git_info?: GitInfo | null;
  runner_info?: { timeout?: number } | null;
  variables?: JobVariable[] | null;
  steps?: JobStep[] | null;
  artifacts?: JobArtifact[] | null;
  dependencies?: JobDependency[] | null;
  hooks?: Array<{ name: string; script?: string[] | null }> | null;
  features?: { trace_sections?: boolean; token_mask_prefixes?: string[] | null; failure_reasons?: string[] | null } | null;
}

/** Same strictness as gitlab-runner's decoder on the fields we rely on: a job we cannot read is not run. */
export function parseJobPayload(value: unknown): JobPayload {
  if (typeof value !== 'object' || value === null) throw new Error('job payload is not an object');
  const job = value as Record<string, unknown>;
  if (typeof job.id !== 'number' || !Number.isInteger(job.id) || job.id <= 0) throw new Error('job payload has no valid id');
  if (typeof job.token !== 'string') throw new Error('job payload has no token');
  for (const key of ['variables', 'steps', 'artifacts', 'dependencies'] as const) {
    if (job[key] !== undefined && job[key] !== null && !Array.isArray(job[key])) throw new Error(`job payload: ${key} is not an array`);
  }
  const variables = (job.variables as unknown[] | undefined) ?? [];
  for (const v of variables) {
    const variable = v as Record<string, unknown>;
    if (typeof variable?.key !== 'string' || typeof variable.value !== 'string') throw new Error('job payload: a variable has no string key/value');
  }
  return value as JobPayload;
}

export function hookScript(job: JobPayload, name: string): string[] {
  return (job.hooks ?? []).find((h) => h.name === name)?.script ?? [];
}

export function stepNamed(job: JobPayload, name: string): JobStep | undefined {
  return (job.steps ?? []).find((s) => s.name === name);
}
