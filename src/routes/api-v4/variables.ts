import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { variableEntity } from '../../entities/variable.js';
import { BooleanParam, Text } from '../../http/params.js';
import {
  createVariable,
  deleteVariable,
  findVariable,
  listVariables,
  resolveVariableOwner,
  updateVariable,
} from '../../services/variables/ci-variables.js';

const OwnerParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) });
const KeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), key: Type.String({ minLength: 1, maxLength: 255 }) });
const ScopeFilter = Type.Object({ filter: Type.Optional(Type.Object({ environment_scope: Type.Optional(Type.String({ maxLength: 255 })) })) });
const Settings = {
  value: Type.Optional(Text()),
  variable_type: Type.Optional(Type.Union([Type.Literal('env_var'), Type.Literal('file')])),
  protected: Type.Optional(BooleanParam()),
  masked: Type.Optional(BooleanParam()),
  raw: Type.Optional(BooleanParam()),
  environment_scope: Type.Optional(Type.String({ maxLength: 255 })),
  description: Type.Optional(Type.Union([Text({ maxLength: 255 }), Type.Null()])),
};

/** GitLab's CI/CD variables API for projects and groups. */
export default async function variableRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const auth = { auth: 'required' as const };

  for (const kind of ['project', 'group'] as const) {
    const base = `/api/v4/${kind}s/:id/variables`;
    app.get(base, { config: auth, schema: { params: OwnerParams } }, async (request) => {
      const owner = await resolveVariableOwner(ctx, request.actor, kind, request.params.id);
      return (await listVariables(ctx, owner)).map(variableEntity);
    });
    app.get(`${base}/:key`, { config: auth, schema: { params: KeyParams, querystring: ScopeFilter } }, async (request) => {
      const owner = await resolveVariableOwner(ctx, request.actor, kind, request.params.id);
      return variableEntity(await findVariable(ctx, owner, request.params.key, request.query.filter?.environment_scope));
    });
    app.post(
      base,
      { config: auth, schema: { params: OwnerParams, body: Type.Object({ ...Settings, key: Type.String({ maxLength: 255 }), value: Text() }) } },
      async (request, reply) => {
        const owner = await resolveVariableOwner(ctx, request.actor, kind, request.params.id);
        return reply.code(201).send(variableEntity(await createVariable(ctx, owner, request.body)));
      },
    );
    app.put(`${base}/:key`, { config: auth, schema: { params: KeyParams, body: Type.Object({ ...Settings, ...ScopeFilter.properties }) } }, async (request) => {
      const owner = await resolveVariableOwner(ctx, request.actor, kind, request.params.id);
      const { filter, ...input } = request.body;
      return variableEntity(await updateVariable(ctx, owner, request.params.key, input, filter?.environment_scope));
    });
    app.delete(`${base}/:key`, { config: auth, schema: { params: KeyParams, querystring: ScopeFilter } }, async (request, reply) => {
      const owner = await resolveVariableOwner(ctx, request.actor, kind, request.params.id);
      await deleteVariable(ctx, owner, request.params.key, request.query.filter?.environment_scope);
      return reply.code(204).send();
    });
  }
}
