import { Type } from 'typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError, forbidden } from '../../errors/api-error.js';
import { BooleanParam, Text } from '../../http/params.js';
import { authenticateRunner, heartbeat, type RunnerInfo } from '../../services/runners/runner-authentication.js';
import { deleteRunner, deleteRunnerManager, registerRunner, resetRunnerToken } from '../../services/runners/runner-registration.js';

/** The `info` object runners send about themselves; unknown keys are ignored, as GitLab does. */
export const RunnerInfoSchema = Type.Optional(Type.Object({
  name: Type.Optional(Type.String({ maxLength: 255 })),
  version: Type.Optional(Type.String({ maxLength: 255 })),
  revision: Type.Optional(Type.String({ maxLength: 255 })),
  platform: Type.Optional(Type.String({ maxLength: 255 })),
  architecture: Type.Optional(Type.String({ maxLength: 255 })),
  executor: Type.Optional(Type.String({ maxLength: 255 })),
  shell: Type.Optional(Type.String({ maxLength: 255 })),
  features: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}));

const RunnerToken = Type.String({ maxLength: 1024 });

const RegistrationBody = Type.Object({
  token: RunnerToken,
  description: Type.Optional(Text({ maxLength: 1024 })),
  maintenance_note: Type.Optional(Text({ maxLength: 1024 })),
  maintainer_note: Type.Optional(Text({ maxLength: 1024 })),
  info: RunnerInfoSchema,
  active: Type.Optional(BooleanParam()),
  paused: Type.Optional(BooleanParam()),
  locked: Type.Optional(BooleanParam()),
  run_untagged: Type.Optional(BooleanParam()),
  tag_list: Type.Optional(Type.Union([Text({ maxLength: 65535 }), Type.Array(Text({ maxLength: 1024 }), { maxItems: 1000 })])),
  access_level: Type.Optional(Type.String({ maxLength: 64 })),
  maximum_timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
});

const TokenBody = Type.Object({ token: RunnerToken });

/** Runner protocol answers are JSON with exactly `application/json` (gitlab-runner checks the type). */
function sendJson(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type('application/json').send(body);
}

/** Registration, verification and unregistration (runner protocol §1 #1–#7). */
export default async function runnerRegistrationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  async function runnerOf(token: string) {
    const runner = await authenticateRunner(ctx, token);
    if (!runner) throw forbidden();
    return runner;
  }

  app.post('/api/v4/runners', { schema: { body: RegistrationBody } }, async (request, reply) => {
    const { token, info, ...settings } = request.body;
    const credentials = await registerRunner(ctx, token, settings, info as RunnerInfo | undefined, request.ip);
    return sendJson(reply, 201, credentials);
  });

  app.delete('/api/v4/runners', { schema: { body: TokenBody } }, async (request, reply) => {
    await deleteRunner(ctx, await runnerOf(request.body.token));
    return reply.code(204).send();
  });

  app.delete(
    '/api/v4/runners/managers',
    { schema: { body: Type.Object({ token: RunnerToken, system_id: Type.String({ minLength: 1, maxLength: 64 }) }) } },
    async (request, reply) => {
      await deleteRunnerManager(ctx, await runnerOf(request.body.token), request.body.system_id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v4/runners/verify',
    { schema: { body: Type.Object({ token: RunnerToken, system_id: Type.Optional(Type.String({ maxLength: 64 })), info: RunnerInfoSchema }) } },
    async (request, reply) => {
      const runner = await runnerOf(request.body.token);
      await heartbeat(ctx, runner, request.body.system_id, request.body.info as RunnerInfo | undefined, request.ip);
      return sendJson(reply, 200, { id: runner.id, token: request.body.token, token_expires_at: runner.tokenExpiresAt });
    },
  );

  app.post('/api/v4/runners/reset_authentication_token', { schema: { body: TokenBody } }, async (request, reply) => {
    return sendJson(reply, 201, await resetRunnerToken(ctx, await runnerOf(request.body.token)));
  });

  // The Job Router (FF_USE_JOB_ROUTER) is not offered; gitlab-runner then talks to this server directly.
  app.get('/api/v4/runners/router/discovery', async () => {
    throw new ApiError(501, { message: '501 Not Implemented' });
  });
}
