import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidParam } from '../../errors/api-error.js';
import { availableJobActionsForJobs } from '../../services/jobs/job-available-actions.js';
import { jobViews } from '../../services/jobs/job-views.js';
import { listPipelineJobs, wholeJobs } from '../../services/jobs/jobs-query.js';
import { availablePipelineActions } from '../../services/pipelines/pipeline-available-actions.js';
import { cancelPipelineAs, retryPipelineAs } from '../../services/pipelines/pipeline-commands.js';
import { findPipeline, listPipelines, PIPELINE_STATUSES } from '../../services/pipelines/pipelines-query.js';
import { findProject } from '../../services/projects/projects.js';
import { pipelinePage, pipelinesListPage } from '../../views/pipeline-pages.js';
import { projectUrl } from '../../views/project-pages.js';
import type { AssetUrls } from './assets.js';
import { offsetPage, pageNumber, queryString } from './page-params.js';
import { pageContext, sendHtml, verifyCsrf } from './web-context.js';

const ALL_JOBS = { kind: 'offset', offset: 0, limit: 1000, countUpTo: null } as const;

export async function pipelinesList(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls, fullPath: string) {
  const ctx = request.server.ctx;
  const status = queryString(request, 'status');
  const ref = queryString(request, 'ref');
  const page = pageNumber(request);
  const query = { status: PIPELINE_STATUSES.includes(status) ? status : undefined, ref: ref || undefined };
  const result = await listPipelines(ctx, request.actor, fullPath, query, offsetPage(page));
  return sendHtml(reply, pipelinesListPage(pageContext(request, assets), {
    project: result.project,
    pipelines: result.page.rows,
    users: result.users,
    status: query.status ?? '',
    ref,
    page,
    hasMore: result.page.hasMore,
  }));
}

export async function pipelineShow(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls, fullPath: string, pipelineId: number) {
  const ctx = request.server.ctx;
  const actor = request.actor;
  const { pipeline, project, user } = await findPipeline(ctx, actor, fullPath, pipelineId);
  const [builds, bridges] = await Promise.all([
    listPipelineJobs(ctx, actor, fullPath, pipelineId, { type: 'build', includeRetried: false }, ALL_JOBS, wholeJobs),
    listPipelineJobs(ctx, actor, fullPath, pipelineId, { type: 'bridge', includeRetried: false }, ALL_JOBS, wholeJobs).catch(() => null),
  ]);
  const jobs = [...builds.page.rows, ...(bridges?.page.rows ?? [])];
  const views = await jobViews(ctx, project, jobs, [actor.user]);
  const downstreamUrls = new Map<number, string>();
  for (const view of views) {
    if (!view.downstream) continue;
    const target = view.downstream.projectId === project.id ? project : await findProject(ctx, actor, String(view.downstream.projectId)).catch(() => null);
    if (target) downstreamUrls.set(view.job.id, `${projectUrl(target)}/-/pipelines/${view.downstream.id}`);
  }
  return sendHtml(reply, pipelinePage(pageContext(request, assets), {
    project,
    pipeline,
    user,
    commit: views.find((v) => v.commit)?.commit ?? null,
    jobs: views,
    actions: await availablePipelineActions(ctx, actor, project, jobs),
    jobButtons: await availableJobActionsForJobs(ctx, actor, project, builds.page.rows),
    downstreamUrls,
    upstreamUrl: pipeline.parentPipelineId !== null ? `${projectUrl(project)}/-/pipelines/${pipeline.parentPipelineId}` : null,
  }));
}

export async function pipelineAction(request: FastifyRequest, reply: FastifyReply, fullPath: string, pipelineId: number, action: string) {
  verifyCsrf(request);
  const ctx = request.server.ctx;
  if (action === 'cancel') await cancelPipelineAs(ctx, request.actor, fullPath, pipelineId);
  else if (action === 'retry') await retryPipelineAs(ctx, request.actor, fullPath, pipelineId);
  else throw invalidParam('action');
  return reply.redirect(`/${fullPath.split('/').map(encodeURIComponent).join('/')}/-/pipelines/${pipelineId}`, 303);
}
