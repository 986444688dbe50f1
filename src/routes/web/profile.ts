import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.js';
import { createOwnToken, ownTokenScopes } from '../../services/tokens/own-tokens.js';
import { listTokens, revokeToken } from '../../services/tokens/personal-access-tokens.js';
import { tokensPage } from '../../views/settings-pages.js';
import type { AssetUrls } from './assets.js';
import { pageContext, sendHtml, signInRedirect, verifyCsrf } from './web-context.js';

const TOKENS_PATH = '/-/user_settings/personal_access_tokens';

function fields(request: FastifyRequest): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** `{"message": {"name": ["can't be blank"]}}` → `name can't be blank`. */
function validationMessages(error: ApiError): string[] {
  const message = error.body.message;
  if (message && typeof message === 'object') return Object.entries(message as Record<string, string[]>).flatMap(([k, v]) => v.map((m) => `${k.replace(/_/g, ' ')} ${m}`));
  return [String(message ?? error.body.error ?? 'Could not create the token')];
}

/** The signed-in user's personal access tokens: list, create (shown once), revoke. */
export function registerProfileRoutes(app: FastifyInstance, assets: AssetUrls): void {
  const ctx = app.ctx;
  const show = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<Parameters<typeof tokensPage>[1]> = {}, status = 200) =>
    sendHtml(reply, tokensPage(pageContext(request, assets), { tokens: await listTokens(ctx, request.actor), scopes: ownTokenScopes(request.actor), ...extra }), status);

  app.get(TOKENS_PATH, async (request, reply) => {
    if (!request.actor.user) return signInRedirect(request, reply);
    return show(request, reply);
  });

  app.post(TOKENS_PATH, async (request, reply) => {
    verifyCsrf(request);
    const body = fields(request);
    const form = {
      name: typeof body.name === 'string' ? body.name : '',
      scopes: stringList(body.scopes),
      expiresAt: typeof body.expires_at === 'string' ? body.expires_at.trim() : '',
    };
    try {
      const { token, secret } = await createOwnToken(ctx, request.actor, { name: form.name, scopes: form.scopes, expiresAt: form.expiresAt || null });
      return show(request, reply, { created: { name: token.name, secret } }, 201);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) return show(request, reply, { errors: validationMessages(error), form }, 400);
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>(`${TOKENS_PATH}/:id/revoke`, async (request, reply) => {
    verifyCsrf(request);
    const id = Number(request.params.id);
    if (Number.isSafeInteger(id) && id > 0 && id < 2 ** 31) await revokeToken(ctx, request.actor, id);
    return reply.redirect(TOKENS_PATH, 303);
  });
}
