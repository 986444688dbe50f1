import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BooleanParam, IdInteger, Text } from '../../http/params.js';
import { createUserRunner } from '../../services/runners/runner-registration.js';

const CreateRunnerBody = Type.Object({
  runner_type: Type.String({ maxLength: 64 }),
  group_id: Type.Optional(IdInteger()),
  project_id: Type.Optional(IdInteger()),
  description: Type.Optional(Text({ maxLength: 1024 })),
  maintenance_note: Type.Optional(Text({ maxLength: 1024 })),
  paused: Type.Optional(BooleanParam()),
  locked: Type.Optional(BooleanParam()),
  run_untagged: Type.Optional(BooleanParam()),
  tag_list: Type.Optional(Type.Union([Type.Array(Text({ maxLength: 1024 }), { maxItems: 1000 }), Text({ maxLength: 65535 })])),
  access_level: Type.Optional(Type.String({ maxLength: 64 })),
  maximum_timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
});

/** `POST /user/runners`: the runner creation flow that hands out `glrt-` tokens. */
export default async function userRunnerRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/api/v4/user/runners', { config: { auth: 'required' }, schema: { body: CreateRunnerBody } }, async (request, reply) => {
    return reply.code(201).send(await createUserRunner(app.ctx, request.actor, request.body));
  });
}
