import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendTraceEvents, traceStreamStart } from '../../http/trace-events.js';
import { authorizeJobTrace } from '../../services/jobs/job-trace.js';

/**
 * `GET /<project>/-/jobs/:id/trace/stream`: the job page's live log, the same Server-Sent Events as the
 * API's `…/trace/stream` (docs/api-extensions.md §6). The web route exists because GitLab's Jobs API
 * needs authentication even on public projects, while their job pages are open to anyone signed out.
 */
export async function jobLogStream(request: FastifyRequest, reply: FastifyReply, fullPath: string, jobId: number, open: Set<() => void>) {
  const from = traceStreamStart(request);
  const job = await authorizeJobTrace(request.server.ctx, request.actor, fullPath, jobId);
  sendTraceEvents(request, reply, job.id, from, open);
}
