import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { groupEntity } from '../../entities/group.js';
import { projectEntity, projectSimpleEntity } from '../../entities/project.js';
import { readPageRequest, sendPageHeaders, type PaginationOptions } from '../../http/pagination.js';
import { BooleanParam, IdInteger, PathOrIdParams, Text } from '../../http/params.js';
import type { Namespace } from '../../store/namespaces-repository.js';
import { createGroup, deleteGroup, findGroup, listGroups, listSubgroups, updateGroup } from '../../services/groups/groups.js';
import { loadNamespaceChains, projectViews } from '../../services/projects/project-views.js';
import { listNamespaceProjects } from '../../services/projects/projects.js';
import { VISIBILITIES } from '../../services/projects/visibility.js';
import { PROJECT_LIST_PAGINATION, ProjectListQuery } from './projects.js';
import { withStatistics } from '../../services/projects/project-statistics.js';

const Visibility = Type.Union(VISIBILITIES.map((v) => Type.Literal(v)));
const GROUP_PAGINATION: PaginationOptions = {
  count: 'capped',
  offsetOrder: { columns: { id: 'id', name: 'name', path: 'path' }, defaultOrderBy: 'name', defaultSort: 'asc' },
};

export default async function groupRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };

  async function render(groups: Namespace[]) {
    const chains = await loadNamespaceChains(ctx, groups.map((g) => g.id));
    return groups.map((g) => groupEntity(g, [...(chains.get(g.id) ?? [g])].reverse().map((ns) => ns.name).join(' / '), rc));
  }

  app.get(
    '/api/v4/groups',
    {
      config: { auth: 'optional' },
      schema: { querystring: Type.Object({ search: Type.Optional(Text()), top_level_only: Type.Optional(BooleanParam()) }) },
    },
    async (request, reply) => {
      const pageRequest = readPageRequest(request, GROUP_PAGINATION);
      const page = await listGroups(ctx, request.actor, { search: request.query.search, topLevelOnly: request.query.top_level_only }, pageRequest);
      sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page);
      return render(page.rows);
    },
  );

  app.get('/api/v4/groups/:id', { config: { auth: 'optional' }, schema: { params: PathOrIdParams } }, async (request) => {
    const [group] = await render([await findGroup(ctx, request.actor, request.params.id)]);
    return group;
  });

  app.get('/api/v4/groups/:id/subgroups', { config: { auth: 'optional' }, schema: { params: PathOrIdParams } }, async (request, reply) => {
    const group = await findGroup(ctx, request.actor, request.params.id);
    const pageRequest = readPageRequest(request, GROUP_PAGINATION);
    const page = await listSubgroups(ctx, request.actor, group, pageRequest);
    sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page);
    return render(page.rows);
  });

  app.get(
    '/api/v4/groups/:id/projects',
    {
      config: { auth: 'optional' },
      schema: {
        params: PathOrIdParams,
        querystring: Type.Object({ ...ProjectListQuery.properties, include_subgroups: Type.Optional(BooleanParam()) }),
      },
    },
    async (request, reply) => {
      const group = await findGroup(ctx, request.actor, request.params.id);
      const pageRequest = readPageRequest(request, PROJECT_LIST_PAGINATION);
      const q = request.query;
      const page = await listNamespaceProjects(
        ctx,
        request.actor,
        group,
        { includeSubgroups: q.include_subgroups === true, search: q.search, visibility: q.visibility, idAfter: q.id_after, idBefore: q.id_before },
        pageRequest,
      );
      sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page, PROJECT_LIST_PAGINATION);
      const views = await projectViews(ctx, page.rows);
      if (q.simple) return views.map((v) => projectSimpleEntity(v, rc));
      return (q.statistics ? await withStatistics(ctx, request.actor, views) : views).map((v) => projectEntity(v, rc));
    },
  );

  app.post(
    '/api/v4/groups',
    {
      config: { auth: 'required' },
      schema: {
        body: Type.Object({
          name: Text({ maxLength: 255 }),
          path: Text({ maxLength: 255 }),
          parent_id: Type.Optional(IdInteger()),
          visibility: Type.Optional(Visibility),
          description: Type.Optional(Text()),
        }),
      },
    },
    async (request, reply) => {
      const [group] = await render([await createGroup(ctx, request.actor, request.body)]);
      return reply.code(201).send(group);
    },
  );

  app.put(
    '/api/v4/groups/:id',
    {
      config: { auth: 'required' },
      schema: {
        params: PathOrIdParams,
        body: Type.Object({ name: Type.Optional(Text({ maxLength: 255 })), description: Type.Optional(Text()), visibility: Type.Optional(Visibility) }),
      },
    },
    async (request) => {
      const [group] = await render([await updateGroup(ctx, request.actor, request.params.id, request.body)]);
      return group;
    },
  );

  app.delete('/api/v4/groups/:id', { config: { auth: 'required' }, schema: { params: PathOrIdParams } }, async (request, reply) => {
    await deleteGroup(ctx, request.actor, request.params.id);
    return reply.code(202).send({ message: '202 Accepted' });
  });
}
