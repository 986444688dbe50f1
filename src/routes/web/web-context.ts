import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, routeNotFound } from '../../errors/api-error.js';
import { isValidCsrfToken } from '../../services/sessions/web-sessions.js';
import type { Html } from '../../views/html.js';
import type { PageContext } from '../../views/layout.js';
import { messagePage } from '../../views/layout.js';
import type { AssetUrls } from './assets.js';

/**
 * The web UI's Content-Security-Policy: scripts and styles only from this server (no inline code, no
 * inline styles), no plugins, no framing, forms post only here. User data is escaped on top of that.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-store');
}

export function sendHtml(reply: FastifyReply, body: Html, status = 200) {
  return securityHeaders(reply).code(status).type('text/html; charset=utf-8').send(body.text);
}

export function pageContext(request: FastifyRequest, assets: AssetUrls): PageContext {
  const user = request.actor.user;
  return {
    user: user ? { username: user.username, name: user.name, isAdmin: user.isAdmin } : null,
    csrfToken: request.webSession?.csrfToken ?? null,
    asset: (name) => assets.url(name),
    assetImports: (name) => assets.imports(name),
    now: request.server.ctx.clock.now(),
    path: request.url,
  };
}

/** Rails answers a form without a valid authenticity token with 422; so does Conveyor. */
export class CsrfError extends ApiError {
  constructor() {
    super(422, { message: '422 Unprocessable Entity - invalid authenticity token' });
  }
}

/** Every state-changing web request carries the session's CSRF token (form field or `X-CSRF-Token`). */
export function verifyCsrf(request: FastifyRequest): void {
  const session = request.webSession;
  const body = (request.body ?? {}) as Record<string, unknown>;
  const presented = body.authenticity_token ?? request.headers['x-csrf-token'];
  if (!session || !isValidCsrfToken(session, presented)) throw new CsrfError();
}

/** The signed-in user, or a redirect to the sign-in page (GitLab's `authenticate_user!`). */
export function signInRedirect(request: FastifyRequest, reply: FastifyReply) {
  const back = request.method === 'GET' ? request.url : '/';
  return reply.redirect(`/users/sign_in?redirect_to=${encodeURIComponent(back)}`, 302);
}

export function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

const TITLES: Record<number, [string, string]> = {
  400: ['Bad request', 'The request could not be understood.'],
  403: ['Access denied', 'You are not allowed to do this.'],
  404: ['Page not found', 'The page you were looking for could not be found, or you do not have access to it.'],
  422: ['The change you requested was rejected', 'Your session may have expired or the form was sent from elsewhere. Reload the page and try again.'],
};

/**
 * Errors on web pages: signed out and denied means "sign in first"; otherwise an HTML page for browsers,
 * and GitLab's JSON error shapes for other clients (curl, API tests probing unknown URLs).
 */
export function renderWebError(request: FastifyRequest, reply: FastifyReply, error: ApiError, assets: AssetUrls) {
  const status = error.status;
  if (!wantsHtml(request)) {
    // Other clients get the not-found handler's answer: a web URL tells nothing about projects.
    const body = status === 404 ? routeNotFound().body : error.body;
    return reply.code(status).headers(error.headers).type('application/json').send(body);
  }
  if (!request.actor.user && request.method === 'GET' && (status === 401 || status === 403 || status === 404)) return signInRedirect(request, reply);
  const [title, text] = TITLES[status] ?? [`Error ${status}`, typeof error.body.message === 'string' ? error.body.message : 'Something went wrong.'];
  const detail = typeof error.body.message === 'string' && status === 400 ? error.body.message.replace(/^400 Bad request - /, '') : text;
  return sendHtml(reply, messagePage(pageContext(request, assets), title, detail), status);
}
