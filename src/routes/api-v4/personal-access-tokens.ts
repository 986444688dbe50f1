import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { personalAccessTokenEntity } from '../../entities/personal-access-token.js';
import { IdInteger, Text } from '../../http/params.js';
import {
  createTokenForUser,
  currentToken,
  findOwnToken,
  isTokenActive,
  listTokens,
  revokeToken,
} from '../../services/tokens/personal-access-tokens.js';

export default async function personalAccessTokenRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const auth = { auth: 'required' as const };

  app.post(
    '/api/v4/users/:id/personal_access_tokens',
    {
      config: auth,
      schema: {
        params: Type.Object({ id: IdInteger() }),
        body: Type.Object({
          name: Text({ maxLength: 255 }),
          scopes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 }),
          expires_at: Type.Optional(Type.String({ format: 'date' })),
          description: Type.Optional(Text()),
        }),
      },
    },
    async (request, reply) => {
      const { token, secret } = await createTokenForUser(ctx, request.actor, request.params.id, request.body);
      return reply.code(201).send(personalAccessTokenEntity(token, true, secret));
    },
  );

  app.get('/api/v4/personal_access_tokens/self', { config: auth }, async (request) => {
    const token = await currentToken(ctx, request.actor);
    return personalAccessTokenEntity(token, isTokenActive(ctx, token));
  });

  app.get(
    '/api/v4/personal_access_tokens',
    { config: auth, schema: { querystring: Type.Object({ user_id: Type.Optional(IdInteger()) }) } },
    async (request) => {
      const tokens = await listTokens(ctx, request.actor, request.query.user_id);
      return tokens.map((t) => personalAccessTokenEntity(t, isTokenActive(ctx, t)));
    },
  );

  app.get('/api/v4/personal_access_tokens/:id', { config: auth, schema: { params: Type.Object({ id: IdInteger() }) } }, async (request) => {
    const token = await findOwnToken(ctx, request.actor, request.params.id);
    return personalAccessTokenEntity(token, isTokenActive(ctx, token));
  });

  app.delete('/api/v4/personal_access_tokens/self', { config: auth }, async (request, reply) => {
    await revokeToken(ctx, request.actor, (await currentToken(ctx, request.actor)).id);
    return reply.code(204).send();
  });

  app.delete('/api/v4/personal_access_tokens/:id', { config: auth, schema: { params: Type.Object({ id: IdInteger() }) } }, async (request, reply) => {
    await revokeToken(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });
}
