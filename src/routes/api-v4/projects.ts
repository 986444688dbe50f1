import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { projectEntity, projectSimpleEntity } from '../../entities/project.js';
import { readPageRequest, sendPageHeaders, type PaginationOptions } from '../../http/pagination.js';
import { BooleanParam, IdInteger, PathOrIdParams, Text } from '../../http/params.js';
import { projectViews, projectViewWithPermissions } from '../../services/projects/project-views.js';
import { createProject, deleteProject, findProject, listProjects, updateProject } from '../../services/projects/projects.js';
import { VISIBILITIES } from '../../services/projects/visibility.js';
import { withStatistics } from '../../services/projects/project-statistics.js';

const Visibility = Type.Union(VISIBILITIES.map((v) => Type.Literal(v)));

export const PROJECT_LIST_PAGINATION: PaginationOptions = {
  count: 'capped',
  keyset: { orderBy: ['id'], sort: ['asc', 'desc'], defaultOrderBy: 'created_at', defaultSort: 'desc', style: 'id' },
  offsetOrder: {
    columns: { id: 'id', created_at: 'id', name: 'name', path: 'path', updated_at: 'updated_at', last_activity_at: 'last_activity_at' },
    defaultOrderBy: 'created_at',
    defaultSort: 'desc',
  },
};

export const ProjectListQuery = Type.Object({
  search: Type.Optional(Text()),
  visibility: Type.Optional(Visibility),
  simple: Type.Optional(BooleanParam()),
  membership: Type.Optional(BooleanParam()),
  owned: Type.Optional(BooleanParam()),
  id_after: Type.Optional(IdInteger({ minimum: 0 })),
  id_before: Type.Optional(IdInteger({ minimum: 0 })),
  statistics: Type.Optional(BooleanParam()),
});

const ProjectSettings = {
  description: Type.Optional(Text()),
  visibility: Type.Optional(Visibility),
  default_branch: Type.Optional(Text({ maxLength: 255 })),
  public_jobs: Type.Optional(BooleanParam()),
  public_builds: Type.Optional(BooleanParam()),
  ci_config_path: Type.Optional(Text({ maxLength: 255 })),
};

export default async function projectRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };

  app.get('/api/v4/projects', { config: { auth: 'optional' }, schema: { querystring: ProjectListQuery } }, async (request, reply) => {
    const pageRequest = readPageRequest(request, PROJECT_LIST_PAGINATION);
    const page = await listProjects(ctx, request.actor, request.query, pageRequest);
    sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page, PROJECT_LIST_PAGINATION);
    const views = await projectViews(ctx, page.rows);
    if (request.query.simple) return views.map((v) => projectSimpleEntity(v, rc));
    return (request.query.statistics ? await withStatistics(ctx, request.actor, views) : views).map((v) => projectEntity(v, rc));
  });

  app.get(
    '/api/v4/projects/:id',
    { config: { auth: 'optional' }, schema: { params: PathOrIdParams, querystring: Type.Object({ statistics: Type.Optional(BooleanParam()) }) } },
    async (request) => {
      const project = await findProject(ctx, request.actor, request.params.id);
      const view = await projectViewWithPermissions(ctx, request.actor, project);
      return projectEntity(request.query.statistics ? (await withStatistics(ctx, request.actor, [view]))[0] : view, rc);
    },
  );

  app.post(
    '/api/v4/projects',
    {
      config: { auth: 'required' },
      schema: {
        body: Type.Object({
          name: Type.Optional(Text({ maxLength: 255 })),
          path: Type.Optional(Text({ maxLength: 255 })),
          namespace_id: Type.Optional(Type.Union([Type.Integer(), Text({ maxLength: 1024 })])),
          ...ProjectSettings,
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const project = await createProject(ctx, request.actor, {
        ...body,
        namespace_id: body.namespace_id === undefined ? undefined : String(body.namespace_id),
      });
      const [view] = await projectViews(ctx, [project]);
      return reply.code(201).send(projectEntity(view, rc));
    },
  );

  app.put(
    '/api/v4/projects/:id',
    {
      config: { auth: 'required' },
      schema: {
        params: PathOrIdParams,
        body: Type.Object({ name: Type.Optional(Text({ maxLength: 255 })), path: Type.Optional(Text({ maxLength: 255 })), ...ProjectSettings }),
      },
    },
    async (request) => {
      const project = await updateProject(ctx, request.actor, request.params.id, request.body);
      return projectEntity(await projectViewWithPermissions(ctx, request.actor, project), rc);
    },
  );

  app.delete('/api/v4/projects/:id', { config: { auth: 'required' }, schema: { params: PathOrIdParams } }, async (request, reply) => {
    await deleteProject(ctx, request.actor, request.params.id);
    return reply.code(202).send({ message: '202 Accepted' });
  });
}
