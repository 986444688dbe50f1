import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidParam } from '../../errors/api-error.js';
import { authorizeJobTrace } from '../../services/jobs/job-trace.js';
import { followTrace } from '../../services/traces/trace-stream.js';

const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /<project>/-/jobs/:id/trace/stream`: the job page's live log, the same Server-Sent Events as the
 * API's `…/trace/stream` (docs/api-extensions.md §6). The web route exists because GitLab's Jobs API
 * needs authentication even on public projects, while their job pages are open to anyone signed out.
 */
export async function jobLogStream(request: FastifyRequest, reply: FastifyReply, fullPath: string, jobId: number, open: Set<() => void>) {
  const ctx = request.server.ctx;
  const header = request.headers['last-event-id'];
  const raw = typeof header === 'string' && header !== '' ? header : ((request.query as Record<string, unknown>).offset as string | undefined);
  if (raw !== undefined && !/^\d{1,15}$/.test(String(raw).trim())) throw invalidParam('offset');
  const from = raw === undefined ? 0 : Number(String(raw).trim());
  const job = await authorizeJobTrace(ctx, request.actor, fullPath, jobId);
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
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
}
