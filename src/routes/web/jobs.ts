import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidParam } from '../../errors/api-error.js';
import { cancelJobAs, eraseJobAs, playJobAs, retryJobAs, validatePlayVariables, type PlayVariable } from '../../services/jobs/job-actions.js';
import { availableJobActions } from '../../services/jobs/job-available-actions.js';
import { jobViews } from '../../services/jobs/job-views.js';
import { getJob, listProjectJobs, wholeJobs } from '../../services/jobs/jobs-query.js';
import { JOB_STATUSES } from '../../services/pipelines/status/job-status.js';
import { jobPage, jobsListPage } from '../../views/job-pages.js';
import { pathUrl } from '../../views/html.js';
import type { AssetUrls } from './assets.js';
import { offsetPage, pageNumber, queryString } from './page-params.js';
import { pageContext, sendHtml, verifyCsrf } from './web-context.js';

export async function jobsList(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls, fullPath: string) {
  const ctx = request.server.ctx;
  const status = queryString(request, 'status');
  const filters = { status: (JOB_STATUSES as readonly string[]).includes(status) ? status : '', name: queryString(request, 'name'), ref: queryString(request, 'ref') };
  const page = pageNumber(request);
  const { project, page: jobs } = await listProjectJobs(ctx, request.actor, fullPath, {
    statuses: filters.status ? [filters.status] : undefined,
    name: filters.name || undefined,
    ref: filters.ref || undefined,
  }, offsetPage(page), wholeJobs);
  const views = await jobViews(ctx, project, jobs.rows, [request.actor.user]);
  return sendHtml(reply, jobsListPage(pageContext(request, assets), { project, jobs: views, filters, page, hasMore: jobs.hasMore }));
}

export async function jobShow(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls, fullPath: string, jobId: number, options: { artifactsBrowsable: boolean }) {
  const ctx = request.server.ctx;
  const { project, job } = await getJob(ctx, request.actor, fullPath, jobId);
  const [view] = await jobViews(ctx, project, [job], [request.actor.user]);
  const archive = view.artifacts.find((a) => a.fileType === 'archive');
  return sendHtml(reply, jobPage(pageContext(request, assets), {
    project,
    view,
    actions: await availableJobActions(ctx, request.actor, project, job, view.artifacts.length > 0),
    canBrowseArtifacts: options.artifactsBrowsable && archive?.fileFormat === 'zip',
    canDownloadArtifacts: archive !== undefined,
  }));
}

/** Form fields `variables[i][key]`/`[value]`; empty rows are left out. */
function playVariables(body: Record<string, unknown>): Array<{ key: string; value: string }> {
  const raw = body.variables;
  const items: PlayVariable[] = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
  const filled = items.filter((item) => item && typeof item === 'object' && typeof item.key === 'string' && item.key.trim() !== '');
  return validatePlayVariables(filled.map((item) => ({ key: String(item.key).trim(), value: item.value ?? '' })));
}

export async function jobAction(request: FastifyRequest, reply: FastifyReply, fullPath: string, jobId: number, action: string) {
  verifyCsrf(request);
  const ctx = request.server.ctx;
  const actor = request.actor;
  let target = jobId;
  if (action === 'cancel') await cancelJobAs(ctx, actor, fullPath, jobId);
  else if (action === 'retry') target = (await retryJobAs(ctx, actor, fullPath, jobId)).job.id;
  else if (action === 'play') await playJobAs(ctx, actor, fullPath, jobId, playVariables((request.body ?? {}) as Record<string, unknown>));
  else if (action === 'erase') await eraseJobAs(ctx, actor, fullPath, jobId);
  else throw invalidParam('action');
  return reply.redirect(`/${pathUrl(fullPath)}/-/jobs/${target}`, 303);
}
