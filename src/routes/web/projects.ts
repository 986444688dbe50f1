import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../services/access/project-policy.js';
import { listPipelines } from '../../services/pipelines/pipelines-query.js';
import { findProject, listProjects } from '../../services/projects/projects.js';
import { projectPage, projectsListPage } from '../../views/project-pages.js';
import type { AssetUrls } from './assets.js';
import { offsetPage, pageNumber, queryString } from './page-params.js';
import { pageContext, sendHtml } from './web-context.js';

/** `/`: the projects the caller can see (public ones when signed out). */
export async function projectsList(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls) {
  const ctx = request.server.ctx;
  const search = queryString(request, 'search');
  const page = pageNumber(request);
  const result = await listProjects(ctx, request.actor, { search: search || undefined }, offsetPage(page));
  return sendHtml(reply, projectsListPage(pageContext(request, assets), { projects: result.rows, search, page, hasMore: result.hasMore }));
}

/** `/<namespace>/<project>`: clone URL and the latest pipelines. */
export async function projectOverview(request: FastifyRequest, reply: FastifyReply, assets: AssetUrls, fullPath: string) {
  const ctx = request.server.ctx;
  const project = await findProject(ctx, request.actor, fullPath);
  const canReadPipelines = await can(ctx, request.actor, 'read_pipeline', project);
  const latest = canReadPipelines ? await listPipelines(ctx, request.actor, fullPath, {}, offsetPage(1, 5)) : null;
  return sendHtml(reply, projectPage(pageContext(request, assets), {
    project,
    cloneUrl: `${ctx.externalUrl}/${project.fullPath}.git`,
    pipelines: latest?.page.rows ?? [],
    users: latest?.users ?? new Map(),
    canReadPipelines,
  }));
}
