import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { projectSimpleEntity } from '../../entities/project.js';
import { invalidParam } from '../../errors/api-error.js';
import { BooleanParam, IdInteger, PathOrIdParams } from '../../http/params.js';
import { projectViews } from '../../services/projects/project-views.js';
import {
  addToJobTokenAllowlist, jobTokenAllowlist, jobTokenScopeOf, removeFromJobTokenAllowlist, setJobTokenScope,
} from '../../services/projects/job-token-scope-settings.js';

/** GitLab's CI/CD job token scope API (inbound allowlist), Maintainers only. */
export default async function jobTokenScopeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };
  const required = { auth: 'required' as const };

  app.get('/api/v4/projects/:id/job_token_scope', { config: required, schema: { params: PathOrIdParams } }, async (request) =>
    jobTokenScopeOf(ctx, request.actor, request.params.id));

  app.patch('/api/v4/projects/:id/job_token_scope', { config: required, schema: { params: PathOrIdParams, body: Type.Object({ enabled: Type.Optional(BooleanParam()) }) } }, async (request, reply) => {
    if (request.body.enabled === undefined) throw invalidParam('enabled', 'is missing');
    await setJobTokenScope(ctx, request.actor, request.params.id, request.body.enabled);
    return reply.code(204).send();
  });

  app.get('/api/v4/projects/:id/job_token_scope/allowlist', { config: required, schema: { params: PathOrIdParams } }, async (request) => {
    const projects = await jobTokenAllowlist(ctx, request.actor, request.params.id);
    return (await projectViews(ctx, projects)).map((v) => projectSimpleEntity(v, rc));
  });

  app.post('/api/v4/projects/:id/job_token_scope/allowlist', { config: required, schema: { params: PathOrIdParams, body: Type.Object({ target_project_id: Type.Optional(IdInteger()) }) } }, async (request, reply) => {
    if (request.body.target_project_id === undefined) throw invalidParam('target_project_id', 'is missing');
    return reply.code(201).send(await addToJobTokenAllowlist(ctx, request.actor, request.params.id, request.body.target_project_id));
  });

  app.delete('/api/v4/projects/:id/job_token_scope/allowlist/:target_project_id', { config: required, schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), target_project_id: IdInteger() }) } }, async (request, reply) => {
    await removeFromJobTokenAllowlist(ctx, request.actor, request.params.id, request.params.target_project_id);
    return reply.code(204).send();
  });
}
