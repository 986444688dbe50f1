import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ciLintResultEntity } from '../../entities/ci-lint-result.js';
import { BooleanParam, PathOrIdParams } from '../../http/params.js';
import { lintConfig, lintProjectConfig } from '../../services/ci-lint/ci-lint.js';

/** GitLab's CI Lint API: check a config before pushing it, or the config a ref holds. */
export default async function ciLintRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.post(
    '/api/v4/projects/:id/ci/lint',
    {
      config: { auth: 'required' },
      schema: {
        params: PathOrIdParams,
        body: Type.Object({
          content: Type.String({ maxLength: 4 * 1024 * 1024 }),
          dry_run: Type.Optional(BooleanParam()),
          include_jobs: Type.Optional(BooleanParam()),
          ref: Type.Optional(Type.String({ maxLength: 1024 })),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await lintConfig(ctx, request.actor, request.params.id, { content: body.content, dryRun: body.dry_run === true, ref: body.ref });
      return reply.code(200).send(ciLintResultEntity(result, body.include_jobs === true));
    },
  );

  app.get(
    '/api/v4/projects/:id/ci/lint',
    {
      config: { auth: 'optional' },
      schema: {
        params: PathOrIdParams,
        querystring: Type.Object({
          dry_run: Type.Optional(BooleanParam()),
          include_jobs: Type.Optional(BooleanParam()),
          ref: Type.Optional(Type.String({ maxLength: 1024 })),
          content_ref: Type.Optional(Type.String({ maxLength: 1024 })),
          dry_run_ref: Type.Optional(Type.String({ maxLength: 1024 })),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const result = await lintProjectConfig(ctx, request.actor, request.params.id, { dryRun: q.dry_run === true, ref: q.dry_run_ref ?? q.ref });
      return ciLintResultEntity(result, q.include_jobs === true);
    },
  );
}
