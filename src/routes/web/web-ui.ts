import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, routeNotFound } from '../../errors/api-error.js';
import { decodedPathname } from '../../http/params.js';
import { registerAdminRoutes } from './admin.js';
import { browseArtifacts, keepJobArtifacts, showArtifactFile } from './artifacts.js';
import { registerAssets, type AssetUrls } from './assets.js';
import { jobLogStream } from './job-log-stream.js';
import { jobAction, jobShow, jobsList } from './jobs.js';
import { pipelineAction, pipelineShow, pipelinesList } from './pipelines.js';
import { registerProfileRoutes } from './profile.js';
import { projectOverview, projectsList } from './projects.js';
import { registerSessionRoutes } from './sessions.js';
import { renderWebError } from './web-context.js';

/** Git's smart HTTP URLs, which the git routes answer (see routes/git/smart-http.ts). */
const GIT_URL = /^\/.+?\/(info\/refs|git-upload-pack|git-receive-pack)(\?|$)/;

/**
 * Project pages live below the project's full path, which has any depth (`/group/sub/project/-/jobs/1`):
 * no router pattern fits, and git's catch-all route owns `/*` already. A route constraint sends every
 * other URL (not the API's, not git's) to this plugin's catch-all, which splits the path at `/-/`.
 */
const FRONT_DOOR = {
  name: 'conveyorWebPage',
  storage() {
    const handlers = new Map<string, unknown>();
    return { get: (key: string) => (handlers.get(key) ?? null) as never, set: (key: string, store: unknown) => void handlers.set(key, store) };
  },
  deriveConstraint(request: { url?: string }) {
    const url = request.url ?? '/';
    return url.startsWith('/api/') || GIT_URL.test(url) ? undefined : 'page';
  },
  mustMatchWhenDerived: false,
};

type ProjectHandler = (request: FastifyRequest, reply: FastifyReply, fullPath: string, match: RegExpExecArray) => Promise<unknown>;

export default async function webUiRoutes(app: FastifyInstance) {
  if (!app.hasConstraintStrategy(FRONT_DOOR.name)) app.addConstraintStrategy(FRONT_DOOR as never);
  const assets = registerAssets(app);
  app.setErrorHandler((error: Error, request, reply) => {
    if (error instanceof ApiError) return renderWebError(request, reply, error, assets);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 400 && status < 500) return renderWebError(request, reply, new ApiError(status, { error: `${status} ${error.message}` }), assets);
    request.log.error({ err: error }, 'unhandled error');
    return renderWebError(request, reply, new ApiError(500, { message: '500 Internal Server Error' }), assets);
  });

  registerSessionRoutes(app, assets);
  registerProfileRoutes(app, assets);
  registerAdminRoutes(app, assets);
  app.get('/', (request, reply) => projectsList(request, reply, assets));

  // Open log streams end when the server stops, so closing does not wait for readers that never hang up.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
  });
  const artifactsBrowsable = true;
  const GET: Array<[RegExp, ProjectHandler]> = [
    [/^$/, (rq, rp, path) => projectOverview(rq, rp, assets, path)],
    [/^pipelines\/?$/, (rq, rp, path) => pipelinesList(rq, rp, assets, path)],
    [/^pipelines\/(\d{1,12})$/, (rq, rp, path, m) => pipelineShow(rq, rp, assets, path, Number(m[1]))],
    [/^jobs\/?$/, (rq, rp, path) => jobsList(rq, rp, assets, path)],
    [/^jobs\/(\d{1,12})$/, (rq, rp, path, m) => jobShow(rq, rp, assets, path, Number(m[1]), { artifactsBrowsable })],
    [/^jobs\/(\d{1,12})\/trace\/stream$/, (rq, rp, path, m) => jobLogStream(rq, rp, path, Number(m[1]), openStreams)],
    [/^jobs\/(\d{1,12})\/artifacts\/browse(?:\/(.*))?$/, (rq, rp, path, m) => browseArtifacts(rq, rp, assets, path, Number(m[1]), m[2] ?? '')],
    [/^jobs\/(\d{1,12})\/artifacts\/file\/(.+)$/, (rq, rp, path, m) => showArtifactFile(rq, rp, assets, path, Number(m[1]), m[2])],
  ];
  const POST: Array<[RegExp, ProjectHandler]> = [
    [/^pipelines\/(\d{1,12})\/(cancel|retry)$/, (rq, rp, path, m) => pipelineAction(rq, rp, path, Number(m[1]), m[2])],
    [/^jobs\/(\d{1,12})\/(cancel|retry|play|erase)$/, (rq, rp, path, m) => jobAction(rq, rp, path, Number(m[1]), m[2])],
    [/^jobs\/(\d{1,12})\/artifacts\/keep$/, (rq, rp, path, m) => keepJobArtifacts(rq, rp, path, Number(m[1]))],
  ];

  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    constraints: { [FRONT_DOOR.name]: 'page' },
    handler: async (request, reply) => {
      const target = splitProjectUrl(request.url);
      if (!target) throw routeNotFound();
      for (const [pattern, handler] of request.method === 'POST' ? POST : GET) {
        const match = pattern.exec(target.page);
        if (match) return handler(request, reply, target.fullPath, match);
      }
      throw routeNotFound();
    },
  });
}

/** `/<full/path>[/-/<page>]` → the project's full path and the page below it; null for anything else. */
function splitProjectUrl(url: string): { fullPath: string; page: string } | null {
  const pathname = decodedPathname(url);
  if (pathname === null) return null;
  const marker = pathname.indexOf('/-/');
  const projectPart = (marker === -1 ? pathname : pathname.slice(0, marker)).replace(/^\/+|\/+$/g, '');
  const page = marker === -1 ? '' : pathname.slice(marker + 3);
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(projectPart) || projectPart.split('/').some((s) => s === '.' || s === '..')) return null;
  return { fullPath: projectPart, page };
}

export type { AssetUrls };
