import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, insufficientScope, notFound, unauthorized } from '../errors/api-error.js';
import { anonymousActor, type Actor } from '../services/access/actor.js';
import type { ServiceContext } from '../services/context.js';
import { findJobByToken } from '../services/jobs/job-tokens.js';
import { findSession, isValidCsrfToken, type ActiveSession } from '../services/sessions/web-sessions.js';
import { authenticateToken } from '../services/tokens/personal-access-tokens.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';

function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** GitLab's order: PRIVATE-TOKEN header, private_token param, Bearer header, access_token param. */
function presentedToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown>;
  const header = firstString(request.headers['private-token']);
  if (header) return header.trim();
  const param = firstString(query.private_token);
  if (param) return param;
  const authorization = firstString(request.headers.authorization);
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return bearer;
  return firstString(query.access_token);
}

async function applySudo(ctx: ServiceContext, request: FastifyRequest, actor: Actor): Promise<Actor> {
  const query = request.query as Record<string, unknown>;
  const identifier = firstString(request.headers.sudo) ?? firstString(query.sudo);
  if (identifier === undefined || identifier === '') return actor;
  if (!actor.user) throw unauthorized();
  if (!actor.user.isAdmin) throw forbidden('Must be admin to use sudo');
  if (actor.tokenId === null) throw forbidden('Must be authenticated using an OAuth or Personal Access Token to use sudo');
  if (!actor.scopes?.includes('sudo')) throw insufficientScope(['sudo']);
  const target = /^\d+$/.test(identifier)
    ? await ctx.store.users.findById(Number(identifier) < 2 ** 31 ? Number(identifier) : 0)
    : await ctx.store.users.findByUsername(identifier);
  if (!target) throw notFound(`User '${identifier}'`);
  return { user: target, scopes: actor.scopes, tokenId: actor.tokenId, sudoFrom: actor.user };
}

/** A job token as GitLab reads it on job-token routes: JOB-TOKEN header, `job_token` or `token` parameter. */
function presentedJobToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown>;
  return firstString(request.headers['job-token']) ?? firstString(query.job_token) ?? firstString(query.token);
}

function bearerToken(request: FastifyRequest): string | undefined {
  return firstString(request.headers.authorization)?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/**
 * On routes that allow job tokens: a PRIVATE-TOKEN wins (GitLab's order), then a Bearer token that is a
 * job token, then JOB-TOKEN / `job_token`. An unknown or finished job's token is 401.
 */
async function resolveJobTokenActor(ctx: ServiceContext, request: FastifyRequest): Promise<Actor | null> {
  const query = request.query as Record<string, unknown>;
  if (firstString(request.headers['private-token']) || firstString(query.private_token)) return null;
  const bearer = bearerToken(request);
  if (bearer) {
    const holder = await findJobByToken(ctx, bearer);
    if (holder) return { user: holder.user, scopes: null, tokenId: null, sudoFrom: null, jobToken: { jobId: holder.jobId, projectId: holder.projectId } };
    return null;
  }
  const token = presentedJobToken(request);
  if (token === undefined) return null;
  const holder = await findJobByToken(ctx, token);
  if (!holder) throw unauthorized();
  return { user: holder.user, scopes: null, tokenId: null, sudoFrom: null, jobToken: { jobId: holder.jobId, projectId: holder.projectId } };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The web UI's session named by the cookie, if it is live (see services/sessions/web-sessions.ts). */
async function cookieSession(ctx: ServiceContext, request: FastifyRequest): Promise<ActiveSession | null> {
  const secret = readCookie(request, SESSION_COOKIE);
  return secret ? findSession(ctx, secret) : null;
}

/**
 * Without a token, the API accepts the web UI's session cookie, as GitLab does; a state-changing call also
 * needs the session's CSRF token in `X-CSRF-Token`, else the session is ignored (GitLab's
 * `verified_request?`), and the call is anonymous.
 */
async function sessionActor(ctx: ServiceContext, request: FastifyRequest): Promise<Actor> {
  const session = await cookieSession(ctx, request);
  if (!session) return anonymousActor();
  if (!SAFE_METHODS.has(request.method) && !isValidCsrfToken(session, firstString(request.headers['x-csrf-token']))) return anonymousActor();
  return { user: session.user, scopes: null, tokenId: null, sudoFrom: null };
}

export async function resolveActor(ctx: ServiceContext, request: FastifyRequest): Promise<Actor> {
  if (request.routeOptions.config?.jobToken) {
    const viaJob = await resolveJobTokenActor(ctx, request);
    if (viaJob) return viaJob;
  }
  const secret = presentedToken(request);
  if (secret === undefined || secret === '') return applySudo(ctx, request, await sessionActor(ctx, request));
  const { user, token } = await authenticateToken(ctx, secret, request.method, request.routeOptions.config?.scopes);
  return applySudo(ctx, request, { user, scopes: token.scopes, tokenId: token.id, sudoFrom: null });
}

/** Resolves the caller before validation, so a bad token answers 401 before any 400 (GitLab's order). */
export function registerAuthentication(app: FastifyInstance): void {
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('webSession', null);
  app.addHook('onRequest', async (request) => {
    request.actor = anonymousActor();
    if (!request.url.startsWith('/api/')) {
      // Web pages: the session cookie alone; their forms check the CSRF token themselves.
      request.webSession = await cookieSession(app.ctx, request);
      if (request.webSession) request.actor = { user: request.webSession.user, scopes: null, tokenId: null, sudoFrom: null };
      return;
    }
    request.actor = await resolveActor(app.ctx, request);
    if (request.routeOptions.config?.auth === 'required' && !request.actor.user) throw unauthorized();
  });
}
