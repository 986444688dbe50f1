import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { forbidden } from '../../errors/api-error.js';
import { requestJob } from '../../services/queue/register-job.js';
import { authenticateRunner, heartbeat, type RunnerInfo } from '../../services/runners/runner-authentication.js';
import { RunnerInfoSchema } from './runner-registration.js';

const JobRequestBody = Type.Object({
  token: Type.String({ maxLength: 1024 }),
  system_id: Type.Optional(Type.String({ maxLength: 64 })),
  last_update: Type.Optional(Type.String({ maxLength: 128 })),
  info: RunnerInfoSchema,
  session: Type.Optional(Type.Unknown()),
});

/** `POST /jobs/request` (runner protocol §1 #9, §5): a job (201), or nothing (204) after an optional long poll. */
export default async function jobRequestRoutes(fastify: FastifyInstance, options: { longPollSeconds: number }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const longPollMs = options.longPollSeconds * 1000;

  app.post('/api/v4/jobs/request', { schema: { body: JobRequestBody } }, async (request, reply) => {
    const body = request.body;
    const runner = await authenticateRunner(ctx, body.token);
    if (!runner) throw forbidden();
    const manager = await heartbeat(ctx, runner, body.system_id, body.info as RunnerInfo | undefined, request.ip);
    const hangUp = () => {
      const controller = new AbortController();
      reply.raw.once('close', () => controller.abort());
      return controller.signal;
    };
    const result = await requestJob(ctx, runner, manager, body.last_update, { longPollMs, hangUp });
    if (result.status === 'assigned') return reply.code(201).type('application/json').send(result.payload);
    if (result.version === null) reply.header('Gitlab-Ci-Builds-Polling', 'yes');
    else reply.header('X-GitLab-Last-Update', result.version);
    return reply.code(204).send();
  });
}
