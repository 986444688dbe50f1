import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { userEntity, userPublicEntity } from '../../entities/user.js';
import { readPageRequest, sendPageHeaders } from '../../http/pagination.js';
import { BooleanParam, IdInteger, Text } from '../../http/params.js';
import { createUser, findUser, listUsers, setUserBlocked } from '../../services/users/users.js';

const UserIdParams = Type.Object({ id: IdInteger() });
const USER_KEYSET = { orderBy: ['id'], sort: ['asc' as const, 'desc' as const], defaultOrderBy: 'id', defaultSort: 'asc' as const, style: 'id' as const };

export default async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const rc = { externalUrl: app.ctx.externalUrl };

  app.get('/api/v4/user', { config: { auth: 'required' } }, async (request) => {
    const user = request.actor.user!;
    return userPublicEntity(user, rc, user.isAdmin);
  });

  app.get(
    '/api/v4/users',
    {
      config: { auth: 'optional' },
      schema: {
        querystring: Type.Object({
          username: Type.Optional(Text()),
          search: Type.Optional(Text()),
          active: Type.Optional(BooleanParam()),
          blocked: Type.Optional(BooleanParam()),
        }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const pageRequest = readPageRequest(request, {
        count: 'capped',
        keyset: USER_KEYSET,
      });
      const state = q.blocked ? 'blocked' : q.active ? 'active' : undefined;
      const page = await listUsers(app.ctx, { username: q.username, search: q.search, state }, pageRequest);
      sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page, { count: 'capped', keyset: USER_KEYSET });
      const viewerIsAdmin = request.actor.user?.isAdmin === true;
      return page.rows.map((u) => (viewerIsAdmin ? userPublicEntity(u, rc, true) : userEntity(u, rc)));
    },
  );

  app.get('/api/v4/users/:id', { config: { auth: 'optional' }, schema: { params: UserIdParams } }, async (request) => {
    const user = await findUser(app.ctx, request.params.id);
    return request.actor.user?.isAdmin ? userPublicEntity(user, rc, true) : userEntity(user, rc);
  });

  app.post(
    '/api/v4/users',
    {
      config: { auth: 'required' },
      schema: {
        body: Type.Object({
          username: Text({ maxLength: 255 }),
          name: Text({ maxLength: 255 }),
          email: Text({ maxLength: 255 }),
          password: Type.Optional(Text({ maxLength: 128 })),
          reset_password: Type.Optional(BooleanParam()),
          force_random_password: Type.Optional(BooleanParam()),
          admin: Type.Optional(BooleanParam()),
          skip_confirmation: Type.Optional(BooleanParam()),
        }),
      },
    },
    async (request, reply) => {
      const user = await createUser(app.ctx, request.actor, request.body);
      return reply.code(201).send(userPublicEntity(user, rc, true));
    },
  );

  for (const action of ['block', 'unblock'] as const) {
    app.post(`/api/v4/users/:id/${action}`, { config: { auth: 'required' }, schema: { params: UserIdParams } }, async (request, reply) => {
      const changed = await setUserBlocked(app.ctx, request.actor, request.params.id, action === 'block');
      return reply.code(201).send(changed);
    });
  }
}
