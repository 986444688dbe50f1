import { invalidParam, recordNotFound } from '../../errors/api-error.js';
import type { Job, JobFilter, JobKeys, ShownJob } from '../../store/jobs-repository.js';
import type { Page, PageRequest } from '../../store/page.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import { can } from '../access/project-policy.js';
import type { ServiceContext } from '../context.js';
import { JOB_STATUSES } from '../pipelines/status/job-status.js';
import { authorizeProject } from '../projects/projects.js';

/**
 * GitLab's `scope` parameter: a string, an array, or a hash whose values count; every value must be a
 * job status, else `400 scope does not have a valid value` (checked before the project is looked up).
 */
export function parseScope(raw: unknown, options: { allowHash?: boolean } = { allowHash: true }): string[] | undefined {
  if (raw === undefined) return undefined;
  let values: unknown[];
  if (typeof raw === 'string') values = [raw];
  else if (Array.isArray(raw)) values = raw;
  // The project job list takes a hash's values; the pipeline job and bridge lists refuse hashes (GitLab's Grape types).
  else if (options.allowHash && raw !== null && typeof raw === 'object') values = Object.values(raw);
  else values = ['unknown'];
  if (values.some((v) => typeof v !== 'string' || !(JOB_STATUSES as readonly string[]).includes(v))) {
    throw invalidParam('scope', 'does not have a valid value');
  }
  return values as string[];
}

/** The list filters a caller may set (GitLab's scope plus Conveyor's name/ref/date extensions). */
export type JobListFilters = Pick<JobFilter, 'statuses' | 'name' | 'ref' | 'createdAfter' | 'createdBefore' | 'updatedAfter' | 'updatedBefore'>;

/** `read_build` on the project: Reporter+, or anyone who sees it when public pipelines are on. */
export async function projectForBuilds(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<Project> {
  return authorizeProject(ctx, actor, idOrPath, 'read_build');
}

/** How a list reads its jobs: whole (the web pages act on them), or only what the API's entities show. */
export type JobListReader<J extends JobKeys> = (ctx: ServiceContext, filter: JobFilter, page: PageRequest) => Promise<Page<J>>;
export const wholeJobs: JobListReader<Job> = (ctx, filter, page) => ctx.store.jobs.list(filter, page);
/** Only the keys, for a caller that keeps renderings of jobs (see completeListedJobs). */
export const jobKeys: JobListReader<JobKeys> = (ctx, filter, page) => ctx.store.jobs.listKeys(filter, page);

export type ListedJob<K> = { job: JobKeys; kept: K } | { job: ShownJob; kept: undefined };

/**
 * A page of keys made whole where needed: the jobs `keptOf` has a rendering for stay keys (with it), the
 * others are read with what their entities show. A job gone between the two reads leaves the page.
 */
export async function completeListedJobs<K>(
  ctx: ServiceContext,
  keys: JobKeys[],
  keptOf: (job: JobKeys) => K | undefined,
): Promise<Array<ListedJob<K>>> {
  const listed: Array<ListedJob<K>> = [];
  const missing: number[] = [];
  for (const job of keys) {
    const kept = keptOf(job);
    if (kept === undefined) missing.push(job.id);
    listed.push({ job, kept } as ListedJob<K>);
  }
  if (missing.length === 0) return listed;
  const read = await ctx.store.jobs.findShownByIds(missing);
  const out: Array<ListedJob<K>> = [];
  for (const l of listed) {
    if (l.kept !== undefined) out.push(l);
    else {
      const job = read.get(l.job.id);
      if (job) out.push({ job, kept: undefined });
    }
  }
  return out;
}

export async function listProjectJobs<J extends JobKeys>(
  ctx: ServiceContext,
  actor: Actor,
  idOrPath: string,
  filters: JobListFilters,
  page: PageRequest,
  read: JobListReader<J>,
): Promise<{ project: Project; page: Page<J> }> {
  const project = await projectForBuilds(ctx, actor, idOrPath);
  const filter: JobFilter = { projectId: project.id, type: 'build', includeRetried: true, ...filters };
  return { project, page: await read(ctx, filter, page) };
}

/**
 * Jobs (or bridges) of one pipeline, as GitLab's pipelines.rb checks them: the job list needs
 * `read_pipeline` on the project and quietly answers `[]` to readers of the pipeline who may not read
 * builds (JobsFinder); the bridge list needs `read_build` on the project (403). Either way the project must
 * be visible (404 Project Not Found) and the pipeline must belong to it (404 Not found).
 */
export async function listPipelineJobs<J extends JobKeys>(
  ctx: ServiceContext,
  actor: Actor,
  idOrPath: string,
  pipelineId: number,
  options: { type: 'build' | 'bridge'; statuses?: string[]; includeRetried: boolean },
  page: PageRequest,
  read: JobListReader<J>,
): Promise<{ project: Project; page: Page<J> }> {
  const project = await authorizeProject(ctx, actor, idOrPath, options.type === 'bridge' ? 'read_build' : 'read_pipeline');
  const pipeline = await ctx.store.pipelines.findById(pipelineId);
  if (!pipeline || pipeline.projectId !== project.id) throw recordNotFound();
  if (!(await can(ctx, actor, 'read_build', project))) return { project, page: { rows: [], hasMore: false, total: 0 } };
  const filter: JobFilter = { projectId: project.id, pipelineId, type: options.type, includeRetried: options.includeRetried, statuses: options.statuses };
  return { project, page: await read(ctx, filter, page) };
}

/** A build of the project (bridges and other projects' jobs are `404 Not found`); `processable` also finds bridges. */
export async function findProjectJob(ctx: ServiceContext, project: Project, jobId: number, options: { processable?: boolean } = {}): Promise<Job> {
  return ofProject(await ctx.store.jobs.findById(jobId), project, options);
}

function ofProject<J extends JobKeys>(job: J | undefined, project: Project, options: { processable?: boolean } = {}): J {
  if (!job || job.projectId !== project.id || (!options.processable && job.type !== 'build')) throw recordNotFound();
  return job;
}

/** getJob's checks on the job's keys alone (see completeListedJobs for the rest). */
export async function getJobKeys(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number): Promise<{ project: Project; job: JobKeys }> {
  const project = await projectForBuilds(ctx, actor, idOrPath);
  return { project, job: ofProject(await ctx.store.jobs.findKeysById(jobId), project) };
}

export async function getJob(ctx: ServiceContext, actor: Actor, idOrPath: string, jobId: number): Promise<{ project: Project; job: Job }> {
  const project = await projectForBuilds(ctx, actor, idOrPath);
  return { project, job: await findProjectJob(ctx, project, jobId) };
}

