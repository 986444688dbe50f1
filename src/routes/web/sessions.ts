import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readCookie, SESSION_COOKIE, setCookie } from '../../http/cookies.js';
import { signIn, signOut, SESSION_LIFETIME_MS } from '../../services/sessions/web-sessions.js';
import { signInPage } from '../../views/sign-in.js';
import type { AssetUrls } from './assets.js';
import { CsrfError, pageContext, sendHtml, verifyCsrf } from './web-context.js';

/** Before sign-in there is no session: the form's token is checked against this cookie (double submit). */
const FORM_COOKIE = '_conveyor_form';

const MESSAGES = {
  invalid: 'Invalid login or password.',
  locked: 'Your account is locked. Try again in ten minutes.',
  blocked: 'Your account has been blocked.',
} as const;

/** Only paths on this site (never `//evil` or `https://evil`) are followed after sign-in. */
function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

function field(request: FastifyRequest, name: string): string {
  const value = ((request.body ?? {}) as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

export function registerSessionRoutes(app: FastifyInstance, assets: AssetUrls): void {
  const ctx = app.ctx;
  const secure = ctx.externalUrl.startsWith('https:');

  const formToken = (request: FastifyRequest, reply: Parameters<typeof setCookie>[0]): string => {
    const existing = readCookie(request, FORM_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = crypto.randomBytes(32).toString('base64url');
    setCookie(reply, FORM_COOKIE, token, { secure });
    return token;
  };

  app.get('/users/sign_in', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (request.actor.user) return reply.redirect(localPath(query.redirect_to), 302);
    return sendHtml(reply, signInPage(pageContext(request, assets), { formToken: formToken(request, reply), redirectTo: localPath(query.redirect_to) }));
  });

  app.post('/users/sign_in', async (request, reply) => {
    const cookieToken = readCookie(request, FORM_COOKIE);
    const presented = field(request, 'authenticity_token');
    if (!cookieToken || presented.length !== cookieToken.length || !crypto.timingSafeEqual(Buffer.from(presented), Buffer.from(cookieToken))) throw new CsrfError();
    const login = field(request, 'login').trim();
    const result = await signIn(ctx, login, field(request, 'password'));
    if (!result.ok) {
      const pc = pageContext(request, assets);
      return sendHtml(reply, signInPage(pc, { formToken: cookieToken, redirectTo: localPath(field(request, 'redirect_to')), login, error: MESSAGES[result.reason] }), 401);
    }
    const old = readCookie(request, SESSION_COOKIE);
    if (old) await signOut(ctx, old);
    setCookie(reply, SESSION_COOKIE, result.session.secret, { secure, maxAgeSeconds: SESSION_LIFETIME_MS / 1000 });
    setCookie(reply, FORM_COOKIE, '', { secure, maxAgeSeconds: 0 });
    return reply.redirect(localPath(field(request, 'redirect_to')), 303);
  });

  app.post('/users/sign_out', async (request, reply) => {
    verifyCsrf(request);
    await signOut(ctx, request.webSession!.secret);
    setCookie(reply, SESSION_COOKIE, '', { secure, maxAgeSeconds: 0 });
    return reply.redirect('/users/sign_in', 303);
  });
}
