import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { protectedBranchEntity } from '../../entities/protected-branch.js';
import { readPageRequest, sendPageHeaders } from '../../http/pagination.js';
import { BooleanParam, PathOrIdParams, Text } from '../../http/params.js';
import {
  findProtectedBranch,
  listProtectedBranches,
  protectBranch,
  PROTECTED_BRANCH_LEVELS,
  unprotectBranch,
} from '../../services/repositories/protected-branches.js';

const BranchParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), name: Type.String({ minLength: 1, maxLength: 255 }) });
const Level = Type.Unsafe<number>({ type: 'integer', enum: [...PROTECTED_BRANCH_LEVELS] });

/** GitLab's protected branches API: read with access to the code, change as a Maintainer. */
export default async function protectedBranchRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const base = '/api/v4/projects/:id/protected_branches';

  app.get(
    base,
    { config: { auth: 'optional' }, schema: { params: PathOrIdParams, querystring: Type.Object({ search: Type.Optional(Text({ maxLength: 255 })) }) } },
    async (request, reply) => {
      const pageRequest = readPageRequest(request, { count: 'capped' });
      const page = await listProtectedBranches(ctx, request.actor, request.params.id, request.query.search, pageRequest);
      sendPageHeaders(request, reply, ctx.externalUrl, pageRequest, page);
      return page.rows.map(protectedBranchEntity);
    },
  );

  app.get(`${base}/:name`, { config: { auth: 'optional' }, schema: { params: BranchParams } }, async (request) => {
    return protectedBranchEntity(await findProtectedBranch(ctx, request.actor, request.params.id, request.params.name));
  });

  app.post(
    base,
    {
      config: { auth: 'required' },
      schema: {
        params: PathOrIdParams,
        body: Type.Object({
          name: Type.String({ maxLength: 255 }),
          push_access_level: Type.Optional(Level),
          merge_access_level: Type.Optional(Level),
          allow_force_push: Type.Optional(BooleanParam()),
        }),
      },
    },
    async (request, reply) => {
      const branch = await protectBranch(ctx, request.actor, request.params.id, request.body);
      return reply.code(201).send(protectedBranchEntity(branch));
    },
  );

  app.delete(`${base}/:name`, { config: { auth: 'required' }, schema: { params: BranchParams } }, async (request, reply) => {
    await unprotectBranch(ctx, request.actor, request.params.id, request.params.name);
    return reply.code(204).send();
  });
}
