import { forbidden } from '../../errors/api-error.js';
import type { JobView } from '../../entities/job.js';
import type { ProjectView } from '../../entities/project.js';
import type { JobFilter, ShownJob } from '../../store/jobs-repository.js';
import type { Page, PageRequest } from '../../store/page.js';
import { AccessLevel } from '../access/access-level.js';
import { isAdmin, type Actor } from '../access/actor.js';
import { projectIdsWithLevel } from '../access/memberships.js';
import { runnerAbilitiesOf } from '../access/runner-policy.js';
import type { ServiceContext } from '../context.js';
import { jobViewsAcrossProjects } from '../jobs/job-views.js';
import { projectViews } from '../projects/project-views.js';
import { findRunner } from './runner-management.js';

export interface RunnerJobsQuery {
  status?: string;
  /** Only the jobs of this machine of the runner (none for a system id it never had). */
  systemId?: string;
}

/**
 * `GET /runners/:id/jobs` (Ci::RunnerJobsFinder): the builds the runner ran, for admins and whoever may read
 * its builds; others see only the jobs of projects where they are Reporter or more.
 */
export async function listRunnerJobs(
  ctx: ServiceContext,
  actor: Actor,
  runnerId: number,
  query: RunnerJobsQuery,
  page: PageRequest,
): Promise<{ page: Page<ShownJob>; views: Array<{ job: JobView<ShownJob>; project: ProjectView }> }> {
  const runner = await findRunner(ctx, runnerId);
  const admin = isAdmin(actor);
  if (!admin && !(await runnerAbilitiesOf(ctx, actor, runner)).abilities.has('read_builds')) throw forbidden('No access granted');
  const filter: JobFilter = { runnerId: runner.id, type: 'build', includeRetried: true, statuses: query.status === undefined ? undefined : [query.status] };
  if (query.systemId !== undefined && query.systemId !== '') {
    filter.runnerManagerId = (await ctx.store.runnerManagers.findBySystemId(runner.id, query.systemId))?.id ?? null;
  }
  if (!admin) filter.projectIds = await projectIdsWithLevel(ctx, actor, AccessLevel.REPORTER);
  const jobs = await ctx.store.jobs.listShown(filter, page);
  const projects = await ctx.store.projects.findByIds(jobs.rows.map((j) => j.projectId));
  const [views, identities] = await Promise.all([
    jobViewsAcrossProjects(ctx, projects, jobs.rows, [actor.user, actor.sudoFrom]),
    projectViews(ctx, [...projects.values()]),
  ]);
  const byProject = new Map(identities.map((v) => [v.project.id, v]));
  return { page: jobs, views: views.map((view) => ({ job: view, project: byProject.get(view.job.projectId)! })) };
}
