import { Type } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError, badRequest, forbidden, notFound } from '../../errors/api-error.js';
import { IdInteger } from '../../http/params.js';
import { authenticateRunnerJob, jobSecrets, touchJob, updateJobFromRunner } from '../../services/runners/runner-job-updates.js';
import { appendTrace, TRACE_SIZE_LIMIT } from '../../services/traces/traces.js';
import { traceUpdateInterval } from '../../services/traces/trace-watchers.js';
import { enableDebugTrace } from '../../services/traces/debug-trace.js';

const JobParams = Type.Object({ id: IdInteger() });

const JobUpdateBody = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 1024 })),
  state: Type.Optional(Type.String({ maxLength: 64 })),
  failure_reason: Type.Optional(Type.String({ maxLength: 255 })),
  exit_code: Type.Optional(Type.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 })),
  checksum: Type.Optional(Type.String({ maxLength: 255 })),
  output: Type.Optional(Type.Object({ checksum: Type.Optional(Type.String({ maxLength: 255 })), bytesize: Type.Optional(Type.Integer({ minimum: 0 })) })),
  info: Type.Optional(Type.Unknown()),
});

const JOB_STATES = ['running', 'pending', 'success', 'failed'] as const;

function jobToken(request: FastifyRequest, bodyToken?: string): string | undefined {
  const header = request.headers['job-token'];
  return bodyToken ?? (typeof header === 'string' ? header : undefined);
}

/** The job the token may act on, or GitLab's 404/403 (with `Job-Status`, which tells the runner to stop). */
async function runnerJob(request: FastifyRequest, reply: FastifyReply, id: number, token: string | undefined) {
  const access = await authenticateRunnerJob(request.server.ctx, id, token);
  if (access.status === 'not-found') throw notFound();
  if (access.status === 'forbidden') {
    if (access.jobStatus) reply.header('Job-Status', access.jobStatus);
    throw forbidden(access.jobStatus ? 'Job is not processing on runner' : undefined);
  }
  return access.job;
}

/** A log patch's `Content-Range: <start>-<end>` (inclusive end, no unit); GitLab uses the start only. */
function patchStart(header: string | string[] | undefined): number {
  if (header === undefined) throw badRequest('Missing header Content-Range');
  const match = typeof header === 'string' ? /^\s*(?:bytes\s+)?(\d{1,15})-(\d{1,15})\s*$/.exec(header) : null;
  if (!match) throw new ApiError(416, { message: '416 Range Not Satisfiable' });
  return Number(match[1]);
}

/** `PUT /jobs/:id` and `PATCH /jobs/:id/trace` (runner protocol §1 #10–#11, §3). */
export default async function jobUpdateRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;

  app.put('/api/v4/jobs/:id', { schema: { params: JobParams, body: JobUpdateBody } }, async (request, reply) => {
    const body = request.body;
    const job = await runnerJob(request, reply, request.params.id, jobToken(request, body.token));
    if (body.state !== undefined && !(JOB_STATES as readonly string[]).includes(body.state)) throw new ApiError(400, { error: 'state does not have a valid value' });
    const result = await updateJobFromRunner(ctx, job, {
      state: (body.state ?? 'running') as (typeof JOB_STATES)[number],
      failureReason: body.failure_reason,
      exitCode: body.exit_code,
      bytesize: body.output?.bytesize,
    });
    reply.header('Job-Status', result.job.status);
    if (result.status === 'trace-incomplete') {
      return reply.code(202).header('X-GitLab-Trace-Update-Interval', '1').type('text/plain').send('202');
    }
    reply.header('X-GitLab-Trace-Update-Interval', String(traceUpdateInterval(ctx, job.id)));
    return reply.code(200).type('text/plain').send('200');
  });

  // The log arrives as raw bytes of any content type; only this route reads them.
  await app.register(async (traceScope) => {
    traceScope.removeAllContentTypeParsers();
    traceScope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 4 * 1024 * 1024 }, (_request, body, done) => done(null, body));

    traceScope.withTypeProvider<TypeBoxTypeProvider>().patch(
      '/api/v4/jobs/:id/trace',
      { bodyLimit: 4 * 1024 * 1024, schema: { params: JobParams, querystring: Type.Object({ debug_trace: Type.Optional(Type.Unknown()) }) } },
      async (request, reply) => {
        const token = jobToken(request);
        const job = await runnerJob(request, reply, request.params.id, token);
        const start = patchStart(request.headers['content-range']);
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (request.query.debug_trace === 'true' || request.query.debug_trace === true) await enableDebugTrace(ctx, job);
        const result = await appendTrace(ctx, job, start, bytes, await jobSecrets(ctx, job, token!));
        reply.header('Job-Status', job.status).header('Range', `0-${result.size}`);
        if (result.status === 'range-mismatch') return reply.code(416).send();
        if (result.status === 'too-large') {
          throw forbidden(`The trace is too big (over ${TRACE_SIZE_LIMIT} bytes)`);
        }
        await touchJob(ctx, job);
        reply.header('X-GitLab-Trace-Update-Interval', String(traceUpdateInterval(ctx, job.id)));
        return reply.code(202).send();
      },
    );
  });
}
