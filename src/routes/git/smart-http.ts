import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, routeNotFound } from '../../errors/api-error.js';
import { decodedPathname } from '../../http/params.js';
import type { GitCredentials, GitService } from '../../services/repositories/git-access.js';
import { serveGitHttp, type GitAction } from '../../services/repositories/git-http.js';

const SERVICES: readonly string[] = ['git-upload-pack', 'git-receive-pack'];

interface GitUrl {
  fullPath: string;
  action: GitAction;
  service: string | null;
}

/** `/<full/path>.git/<action>` (the `.git` is optional, as for GitLab clone URLs without it), or null. */
function parseGitUrl(url: string): GitUrl | null {
  const question = url.indexOf('?');
  const pathname = decodedPathname(url);
  if (pathname === null) return null;
  const match = /^\/(.+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(pathname);
  if (!match) return null;
  const query = new URLSearchParams(question === -1 ? '' : url.slice(question + 1));
  return { fullPath: match[1], action: match[2] as GitAction, service: query.get('service') };
}

/** `Authorization: Basic base64(user:password)`; anything unreadable counts as wrong credentials. */
function basicCredentials(header: string | undefined): GitCredentials | null {
  if (header === undefined) return null;
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1];
  const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return colon === -1 ? { username: '', password: '' } : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Git's own errors are plain text: git prints such a body to its user as `remote: ...`. */
function sendGitError(reply: FastifyReply, error: ApiError) {
  const message = typeof error.body.message === 'string' ? error.body.message : String(error.body.error ?? 'Error');
  return reply.code(error.status).headers(error.headers).type('text/plain; charset=utf-8').send(`${message}\n`);
}

/**
 * Git's smart HTTP protocol. The URLs (`/<any/depth/of/groups>/<project>.git/...`) fit no router
 * pattern, so one catch-all route takes every GET and POST no other route matched, and answers the
 * others with the same 404 as the not-found handler.
 */
export default async function gitSmartHttpRoutes(app: FastifyInstance) {
  const ctx = app.ctx;
  // Packs stream straight into git; no parser may read them, and bodies sent to unknown URLs stay unread.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/x-git-/, (_request, payload, done) => done(null, payload));
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: async (request, reply) => {
      const target = parseGitUrl(request.url);
      const method = target?.action === 'info/refs' ? 'GET' : 'POST';
      if (!target || (request.method !== method && !(method === 'GET' && request.method === 'HEAD'))) throw routeNotFound();
      const service = target.action === 'info/refs' ? target.service : target.action;
      if (service === null || !SERVICES.includes(service)) {
        return reply.code(403).type('text/plain; charset=utf-8').send('Git over HTTP is supported with the smart protocol only.\n');
      }
      try {
        const response = await serveGitHttp(ctx, {
          fullPath: target.fullPath,
          action: target.action,
          service: service as GitService,
          credentials: basicCredentials(header(request, 'authorization')),
          contentType: header(request, 'content-type'),
          contentEncoding: header(request, 'content-encoding'),
          gitProtocol: header(request, 'git-protocol'),
          remoteAddr: request.ip,
          body: method === 'POST' ? request.raw : undefined,
        });
        response.done.catch((error: unknown) => request.log.error({ err: error }, 'git request did not finish cleanly'));
        return reply.code(response.status).headers(response.headers).send(response.body);
      } catch (error) {
        if (error instanceof ApiError) return sendGitError(reply, error);
        throw error;
      }
    },
  });
}
