import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.js';
import { runnerStatus } from '../../entities/runner.js';
import { applicationSettings } from '../../services/runners/application-settings.js';
import { listAllRunners } from '../../services/runners/runner-lists.js';
import { listUsersAsAdmin } from '../../services/users/admin-users.js';
import { createUser, setUserBlocked } from '../../services/users/users.js';
import { adminRunnersPage, adminUsersPage } from '../../views/admin-pages.js';
import type { AssetUrls } from './assets.js';
import { offsetPage, pageNumber, queryString } from './page-params.js';
import { pageContext, sendHtml, signInRedirect, verifyCsrf } from './web-context.js';

function text(request: FastifyRequest, name: string): string {
  const value = ((request.body ?? {}) as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

function messages(error: ApiError): string[] {
  const message = error.body.message ?? error.body.error;
  if (message && typeof message === 'object') return Object.entries(message as Record<string, string[]>).flatMap(([k, v]) => v.map((m) => `${k} ${m}`));
  return [String(message)];
}

/** The admin area: runners (registration token, status, last contact) and users. The services check for admins. */
export function registerAdminRoutes(app: FastifyInstance, assets: AssetUrls): void {
  const ctx = app.ctx;

  app.get('/admin/runners', async (request, reply) => {
    if (!request.actor.user) return signInRedirect(request, reply);
    const settings = await applicationSettings(ctx, request.actor);
    const page = pageNumber(request);
    const runners = await listAllRunners(ctx, request.actor, {}, offsetPage(page, 50));
    const now = ctx.clock.now();
    return sendHtml(reply, adminRunnersPage(pageContext(request, assets), {
      registrationToken: String(settings.runners_registration_token),
      externalUrl: ctx.externalUrl,
      runners: runners.rows.map((runner) => ({ runner, status: runnerStatus(runner, now) })),
      page,
      hasMore: runners.hasMore,
    }));
  });

  const usersPage = async (request: FastifyRequest, extra: { errors?: string[]; created?: string } = {}) => {
    const search = queryString(request, 'search');
    const page = pageNumber(request);
    const users = await listUsersAsAdmin(ctx, request.actor, { search: search || undefined }, offsetPage(page, 50));
    return adminUsersPage(pageContext(request, assets), { users: users.rows, search, page, hasMore: users.hasMore, ...extra });
  };

  app.get('/admin/users', async (request, reply) => {
    if (!request.actor.user) return signInRedirect(request, reply);
    return sendHtml(reply, await usersPage(request));
  });

  app.post('/admin/users', async (request, reply) => {
    verifyCsrf(request);
    try {
      const user = await createUser(ctx, request.actor, {
        username: text(request, 'username').trim(),
        name: text(request, 'name').trim(),
        email: text(request, 'email').trim(),
        password: text(request, 'password'),
        admin: text(request, 'admin') === 'true',
      });
      return sendHtml(reply, await usersPage(request, { created: user.username }), 201);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 400 || error.status === 409)) return sendHtml(reply, await usersPage(request, { errors: messages(error) }), error.status);
      throw error;
    }
  });

  app.post<{ Params: { id: string; action: string } }>('/admin/users/:id/:action', async (request, reply) => {
    verifyCsrf(request);
    const id = Number(request.params.id);
    const action = request.params.action;
    if (!Number.isSafeInteger(id) || id <= 0 || id >= 2 ** 31 || (action !== 'block' && action !== 'unblock')) throw new ApiError(404, { error: '404 Not Found' });
    await setUserBlocked(ctx, request.actor, id, action === 'block');
    return reply.redirect('/admin/users', 303);
  });
}
