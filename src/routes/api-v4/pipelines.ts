import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pipelineBasicEntity, pipelineEntity, pipelineVariableEntity } from '../../entities/pipeline.js';
import { readPageRequest, sendPageHeaders, type PaginationOptions } from '../../http/pagination.js';
import { BooleanParam, IdInteger, PathOrIdParams, Text } from '../../http/params.js';
import { createPipelineFromApi } from '../../services/pipelines/pipeline-from-commit.js';
import { cancelPipelineAs, deletePipelineAs, pipelineVariablesAs, retryPipelineAs } from '../../services/pipelines/pipeline-commands.js';
import { findPipeline, latestPipeline, listPipelines, PIPELINE_STATUSES, type PipelineWithContext } from '../../services/pipelines/pipelines-query.js';

const PipelineParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), pipeline_id: IdInteger() });
const PIPELINES_PAGINATION: PaginationOptions = { count: 'capped', offsetOrder: { columns: { id: 'id', status: 'status', ref: 'ref', updated_at: 'updated_at', user_id: 'user_id' }, defaultOrderBy: 'id', defaultSort: 'desc' } };

export default async function pipelineRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };
  const full = (found: PipelineWithContext) => pipelineEntity({ pipeline: found.pipeline, projectPath: found.project.fullPath, user: found.user }, rc, ctx.clock.now());

  app.get(
    '/api/v4/projects/:id/pipelines',
    {
      config: { auth: 'optional' },
      schema: {
        params: PathOrIdParams,
        querystring: Type.Object({
          scope: Type.Optional(Type.Union(['running', 'pending', 'finished', 'branches', 'tags'].map((s) => Type.Literal(s)))),
          status: Type.Optional(Type.Union(PIPELINE_STATUSES.map((s) => Type.Literal(s)))),
          ref: Type.Optional(Text({ maxLength: 1024 })),
          sha: Type.Optional(Text({ maxLength: 64 })),
          source: Type.Optional(Text({ maxLength: 64 })),
          username: Type.Optional(Text({ maxLength: 255 })),
          name: Type.Optional(Text({ maxLength: 255 })),
          yaml_errors: Type.Optional(BooleanParam()),
          updated_after: Type.Optional(Type.String({ format: 'date-time' })),
          updated_before: Type.Optional(Type.String({ format: 'date-time' })),
        }),
      },
    },
    async (request, reply) => {
      const pageRequest = readPageRequest(request, PIPELINES_PAGINATION);
      const { project, page, users } = await listPipelines(ctx, request.actor, request.params.id, request.query as never, pageRequest);
      sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page);
      return page.rows.map((pipeline) => pipelineBasicEntity({ pipeline, projectPath: project.fullPath, user: users.get(pipeline.userId ?? -1) ?? null }, rc));
    },
  );

  app.post(
    '/api/v4/projects/:id/pipeline',
    {
      config: { auth: 'required' },
      schema: {
        params: PathOrIdParams,
        body: Type.Object({
          ref: Text({ maxLength: 1024 }),
          variables: Type.Optional(
            Type.Array(
              Type.Object({
                key: Type.String({ maxLength: 255 }),
                value: Type.Optional(Type.String({ maxLength: 100_000 })),
                variable_type: Type.Optional(Type.Union([Type.Literal('env_var'), Type.Literal('file')])),
              }),
              { maxItems: 200 },
            ),
          ),
        }),
      },
    },
    async (request, reply) => {
      const pipeline = await createPipelineFromApi(ctx, request.actor, request.params.id, request.body);
      const found = await findPipeline(ctx, request.actor, request.params.id, pipeline.id);
      return reply.code(201).send(full(found));
    },
  );

  app.get(
    '/api/v4/projects/:id/pipelines/latest',
    { config: { auth: 'optional' }, schema: { params: PathOrIdParams, querystring: Type.Object({ ref: Type.Optional(Text({ maxLength: 1024 })) }) } },
    async (request) => full(await latestPipeline(ctx, request.actor, request.params.id, request.query.ref)),
  );

  app.get('/api/v4/projects/:id/pipelines/:pipeline_id', { config: { auth: 'optional' }, schema: { params: PipelineParams } }, async (request) =>
    full(await findPipeline(ctx, request.actor, request.params.id, request.params.pipeline_id)),
  );

  app.get('/api/v4/projects/:id/pipelines/:pipeline_id/variables', { config: { auth: 'required' }, schema: { params: PipelineParams } }, async (request) =>
    (await pipelineVariablesAs(ctx, request.actor, request.params.id, request.params.pipeline_id)).map(pipelineVariableEntity),
  );

  app.post('/api/v4/projects/:id/pipelines/:pipeline_id/cancel', { config: { auth: 'required' }, schema: { params: PipelineParams } }, async (request, reply) =>
    reply.code(201).send(full(await cancelPipelineAs(ctx, request.actor, request.params.id, request.params.pipeline_id))),
  );

  app.post('/api/v4/projects/:id/pipelines/:pipeline_id/retry', { config: { auth: 'required' }, schema: { params: PipelineParams } }, async (request, reply) =>
    reply.code(201).send(full(await retryPipelineAs(ctx, request.actor, request.params.id, request.params.pipeline_id))),
  );

  app.delete('/api/v4/projects/:id/pipelines/:pipeline_id', { config: { auth: 'required' }, schema: { params: PipelineParams } }, async (request, reply) => {
    await deletePipelineAs(ctx, request.actor, request.params.id, request.params.pipeline_id);
    return reply.code(204).send();
  });
}
