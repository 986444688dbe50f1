import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { invalidParam } from '../../errors/api-error.js';
import { IdInteger } from '../../http/params.js';
import { authorizeJobTrace } from '../../services/jobs/job-trace.js';
import { followTrace } from '../../services/traces/trace-stream.js';

const KEEP_ALIVE_MS = 15_000;

/** A byte offset from `Last-Event-ID` (what EventSource sends on reconnect) or `?offset=`. */
function startOffset(header: string | string[] | undefined, query: string | undefined): number {
  const raw = typeof header === 'string' && header !== '' ? header : query;
  if (raw === undefined) return 0;
  if (!/^\d{1,15}$/.test(raw.trim())) throw invalidParam('offset');
  return Number(raw.trim());
}

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
      const from = startOffset(request.headers['last-event-id'], request.query.offset);
      const job = await authorizeJobTrace(ctx, request.actor, request.params.id, request.params.job_id);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      out.write('retry: 2000\n\n');
      const ping = setInterval(() => out.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      const close = () => {
        open.delete(close);
        clearInterval(ping);
        stop();
        if (!out.writableEnded) out.end();
      };
      open.add(close);
      const stop = followTrace(ctx, job.id, from, {
        chunk(content, offset, next) {
          out.write(`id: ${next}\nevent: log\ndata: ${JSON.stringify({ offset, content })}\n\n`);
        },
        end(status) {
          out.write(`event: end\ndata: ${JSON.stringify({ status })}\n\n`);
          close();
        },
      });
      out.once('close', close);
    },
  );
}
