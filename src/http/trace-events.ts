import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidParam } from '../errors/api-error.js';
import { followTrace } from '../services/traces/trace-stream.js';

const KEEP_ALIVE_MS = 15_000;

/** A byte offset from `Last-Event-ID` (what EventSource sends on reconnect) or `?offset=`. */
export function traceStreamStart(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.offset;
  const raw = typeof header === 'string' && header !== '' ? header : typeof query === 'string' ? query : undefined;
  if (raw === undefined) return 0;
  if (!/^\d{1,15}$/.test(raw.trim())) throw invalidParam('offset');
  return Number(raw.trim());
}

/**
 * Answers with a job's log as Server-Sent Events (docs/api-extensions.md §6): `log` events carrying
 * JSON `{offset, content}` with the byte offset after them as the event id, one `end` event when the job
 * has finished, a comment every 15 s. `open` holds the streams of one server so that closing it ends them.
 */
export function sendTraceEvents(request: FastifyRequest, reply: FastifyReply, jobId: number, from: number, open: Set<() => void>): void {
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
  const stop = followTrace(request.server.ctx, jobId, from, {
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
