import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdInteger } from '../../http/params.js';
import { authorizeJobTrace } from '../../services/jobs/job-trace.js';
import { sendTraceEvents, traceStreamStart } from '../../http/trace-events.js';

/**
 * Beyond GitLab (docs/api-extensions.md): `GET /projects/:id/jobs/:job_id/trace/stream` follows a job's
 * log as Server-Sent Events: `log` events carry JSON `{offset, content}` with the byte offset after them
 * as the event id, so a reconnecting EventSource resumes where it stopped; one `end` event when the job
 * has finished; a comment every 15 s keeps proxies from closing an idle stream.
 */
export default async function jobTraceStreamRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  // Open streams end when the server stops, so closing does not wait for clients that never hang up.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });
  app.get(
    '/api/v4/projects/:id/jobs/:job_id/trace/stream',
    {
      config: { auth: 'required' },
      schema: {
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), job_id: IdInteger() }),
        querystring: Type.Object({ offset: Type.Optional(Type.String({ maxLength: 32 })) }),
      },
    },
    async (request, reply) => {
      const from = traceStreamStart(request);
      const job = await authorizeJobTrace(ctx, request.actor, request.params.id, request.params.job_id);
      sendTraceEvents(request, reply, job.id, from, open);
    },
  );
}
