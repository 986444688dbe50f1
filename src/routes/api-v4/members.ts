import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { memberEntity } from '../../entities/member.js';
import { readPageRequest, sendPageHeaders } from '../../http/pagination.js';
import { IdInteger, Text } from '../../http/params.js';
import {
  addMember,
  findMember,
  listMembersPage,
  memberCreators,
  removeMember,
  resolveTarget,
  updateMember,
  type MemberWithUser,
} from '../../services/members/members.js';

const TargetParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) });
const MemberParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), user_id: IdInteger() });
const AccessLevelParam = Type.Integer({ minimum: 0, maximum: 100 });
const ExpiresAt = Type.String({ format: 'date' });

/** The same members API hangs off projects and groups, as in GitLab's `API::Members`. */
export default async function memberRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };

  async function render(members: MemberWithUser[]) {
    const creators = await memberCreators(ctx, members);
    return members.map((m) => memberEntity(m, m.member.createdById === null ? undefined : creators.get(m.member.createdById), rc));
  }

  for (const kind of ['project', 'group'] as const) {
    const base = `/api/v4/${kind}s/:id/members`;
    const auth = { auth: kind === 'project' ? ('required' as const) : ('optional' as const) };

    for (const inherited of [false, true]) {
      const listPath = inherited ? `${base}/all` : base;
      app.get(
        listPath,
        { config: auth, schema: { params: TargetParams, querystring: Type.Object({ query: Type.Optional(Text()) }) } },
        async (request, reply) => {
          const target = await resolveTarget(ctx, request.actor, kind, request.params.id);
          const pageRequest = readPageRequest(request, { count: 'capped' });
          const page = await listMembersPage(ctx, target, { inherited, query: request.query.query }, pageRequest);
          sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page);
          return render(page.rows);
        },
      );
      app.get(`${listPath}/:user_id`, { config: auth, schema: { params: MemberParams } }, async (request) => {
        const target = await resolveTarget(ctx, request.actor, kind, request.params.id);
        return (await render([await findMember(ctx, target, request.params.user_id, inherited)]))[0];
      });
    }

    app.post(
      base,
      {
        config: { auth: 'required' },
        schema: {
          params: TargetParams,
          body: Type.Object({ user_id: IdInteger(), access_level: AccessLevelParam, expires_at: Type.Optional(ExpiresAt) }),
        },
      },
      async (request, reply) => {
        const target = await resolveTarget(ctx, request.actor, kind, request.params.id);
        const member = await addMember(ctx, request.actor, target, request.body);
        return reply.code(201).send((await render([member]))[0]);
      },
    );

    app.put(
      `${base}/:user_id`,
      {
        config: { auth: 'required' },
        schema: { params: MemberParams, body: Type.Object({ access_level: AccessLevelParam, expires_at: Type.Optional(ExpiresAt) }) },
      },
      async (request) => {
        const target = await resolveTarget(ctx, request.actor, kind, request.params.id);
        return (await render([await updateMember(ctx, request.actor, target, request.params.user_id, request.body)]))[0];
      },
    );

    app.delete(`${base}/:user_id`, { config: { auth: 'required' }, schema: { params: MemberParams } }, async (request, reply) => {
      const target = await resolveTarget(ctx, request.actor, kind, request.params.id);
      await removeMember(ctx, request.actor, target, request.params.user_id);
      return reply.code(204).send();
    });
  }
}
