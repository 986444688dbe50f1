import type { CiVariable } from '../../store/ci-variables-repository.js';
import type { Job } from '../../store/jobs-repository.js';
import type { Namespace } from '../../store/namespaces-repository.js';
import type { Pipeline } from '../../store/pipelines-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { User } from '../../store/users-repository.js';
import type { ServiceContext } from '../context.js';
import { predefinedVariables } from './predefined-variables.js';

/** A variable as the runner receives it (runner-protocol §2 / §6). */
export interface RunnerVariable {
  key: string;
  value: string;
  public: boolean;
  masked: boolean;
  file?: boolean;
  raw?: boolean;
}

export interface JobVariableFacts {
  job: Job;
  pipeline: Pipeline;
  project: Project;
  user: User | null;
  commit?: { message: string; authorName: string; authorEmail: string; timestamp: string } | null;
  runner?: { id: number; description: string; tags: string[] } | null;
  jobToken?: string;
  repositoryUrl?: string;
  /** The project's namespace and its ancestors, nearest first, when the caller has read them already. */
  ancestry?: Namespace[];
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
const pub = (key: string, value: string): RunnerVariable => ({ key, value, public: true, masked: false });

function predefined(ctx: ServiceContext, f: JobVariableFacts): RunnerVariable[] {
  const { job, pipeline, project } = f;
  const projectUrl = `${ctx.externalUrl}/${project.fullPath}`;
  const base = predefinedVariables(ctx.externalUrl, project, { ref: pipeline.ref, tag: pipeline.tag, sha: pipeline.sha, source: pipeline.source });
  const vars: RunnerVariable[] = Object.entries(base).map(([k, v]) => pub(k, v));
  vars.push(
    pub('CI_JOB_ID', String(job.id)),
    pub('CI_JOB_URL', `${projectUrl}/-/jobs/${job.id}`),
    pub('CI_JOB_NAME', job.name),
    pub('CI_JOB_NAME_SLUG', slug(job.name)),
    pub('CI_JOB_STAGE', job.stage),
    pub('CI_NODE_TOTAL', String(job.spec.parallel?.total ?? 1)),
    pub('CI_PIPELINE_ID', String(pipeline.id)),
    pub('CI_PIPELINE_IID', String(pipeline.iid)),
    pub('CI_PIPELINE_URL', `${projectUrl}/-/pipelines/${pipeline.id}`),
    pub('CI_PIPELINE_CREATED_AT', pipeline.createdAt.replace(/\.\d{3}Z$/, 'Z')),
    pub('CI_PROJECT_NAMESPACE_ID', String(project.namespaceId)),
    pub('CI_COMMIT_BEFORE_SHA', pipeline.beforeSha),
    pub('CI_COMMIT_REF_PROTECTED', String(job.protected)),
  );
  if (job.spec.parallel) vars.push(pub('CI_NODE_INDEX', String(job.spec.parallel.index)));
  if (job.startedAt) vars.push(pub('CI_JOB_STARTED_AT', job.startedAt.replace(/\.\d{3}Z$/, 'Z')));
  if (pipeline.name) vars.push(pub('CI_PIPELINE_NAME', pipeline.name));
  if (job.when === 'manual') vars.push(pub('CI_JOB_MANUAL', 'true'));
  if (pipeline.source === 'trigger') vars.push(pub('CI_PIPELINE_TRIGGERED', 'true'));
  if (f.commit) {
    const [title, ...rest] = f.commit.message.split('\n');
    vars.push(
      pub('CI_COMMIT_MESSAGE', f.commit.message),
      pub('CI_COMMIT_TITLE', title ?? ''),
      pub('CI_COMMIT_DESCRIPTION', rest.join('\n').replace(/^\n+/, '')),
      pub('CI_COMMIT_TIMESTAMP', f.commit.timestamp),
      pub('CI_COMMIT_AUTHOR', `${f.commit.authorName} <${f.commit.authorEmail}>`),
    );
  }
  if (f.user) {
    vars.push(pub('GITLAB_USER_ID', String(f.user.id)), pub('GITLAB_USER_EMAIL', f.user.email), pub('GITLAB_USER_LOGIN', f.user.username), pub('GITLAB_USER_NAME', f.user.name));
  }
  if (f.runner) {
    vars.push(pub('CI_RUNNER_ID', String(f.runner.id)), pub('CI_RUNNER_DESCRIPTION', f.runner.description), pub('CI_RUNNER_TAGS', JSON.stringify(f.runner.tags).replace(/","/g, '", "')));
  }
  const env = job.spec.environment;
  if (env) {
    vars.push(pub('CI_ENVIRONMENT_NAME', env.name), pub('CI_ENVIRONMENT_SLUG', slug(env.name)), pub('CI_ENVIRONMENT_ACTION', env.action));
    if (env.url) vars.push(pub('CI_ENVIRONMENT_URL', env.url));
    if (env.deployment_tier) vars.push(pub('CI_ENVIRONMENT_TIER', env.deployment_tier));
  }
  if (f.jobToken) vars.push({ key: 'CI_JOB_TOKEN', value: f.jobToken, public: false, masked: true });
  if (f.repositoryUrl) vars.push({ key: 'CI_REPOSITORY_URL', value: f.repositoryUrl, public: false, masked: false });
  return vars;
}

function fromCiVariable(v: CiVariable): RunnerVariable {
  return { key: v.key, value: v.value, public: false, masked: v.masked, ...(v.variableType === 'file' ? { file: true } : {}), ...(v.raw ? { raw: true } : {}) };
}

/**
 * Every variable a job receives, lowest precedence first (the runner lets later ones win): predefined,
 * YAML (global then job, with `expand: false` as raw), group variables from the top group down, project
 * variables, pipeline variables, then variables given when the job was played. Protected CI/CD variables
 * reach only jobs on protected refs.
 */
export async function buildJobVariables(ctx: ServiceContext, facts: JobVariableFacts): Promise<RunnerVariable[]> {
  const { job, pipeline, project } = facts;
  const ciVariables = (await loadCiVariables(ctx, project, facts.ancestry)).filter((v) => !v.protected || job.protected);
  return [
    ...predefined(ctx, facts),
    ...job.spec.variables.map((v) => ({ key: v.key, value: v.value, public: true, masked: false, ...(v.expand ? {} : { raw: true }) })),
    ...ciVariables.map(fromCiVariable),
    ...pipeline.variables.map((v) => ({ key: v.key, value: v.value, public: false, masked: false, ...(v.variable_type === 'file' ? { file: true } : {}) })),
    ...job.jobVariables.map((v) => ({ key: v.key, value: v.value, public: false, masked: false })),
  ];
}

/** Project and group variables as plain values for compiling a pipeline (rules see them), protected ones only on protected refs. */
export async function ciVariablesForPipeline(ctx: ServiceContext, project: Project, protectedRef: boolean): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const v of await loadCiVariables(ctx, project)) if (!v.protected || protectedRef) out[v.key] = v.value;
  return out;
}

/** Group variables from the top group down, then the project's: later entries win. */
export async function loadCiVariables(ctx: ServiceContext, project: Project, knownAncestry?: Namespace[]): Promise<CiVariable[]> {
  const ancestry = knownAncestry ?? (await ctx.store.namespaces.ancestry(project.namespaceId));
  const groupIds = ancestry.filter((ns) => ns.kind === 'group').map((ns) => ns.id).reverse();
  const groupVariables = (await ctx.store.ciVariables.listForGroups(groupIds)).sort((a, b) => groupIds.indexOf(a.owner.id) - groupIds.indexOf(b.owner.id) || a.id - b.id);
  return [...groupVariables, ...(await ctx.store.ciVariables.list({ type: 'project', id: project.id }))];
}
