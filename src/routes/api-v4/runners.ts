import { Type } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { jobBasicWithProjectEntity, newJobEntityMemo } from '../../entities/job.js';
import { ListWithSharedParts, SharedJson } from '../../http/json-body.js';
import { runnerDetailsEntity, runnerEntity, runnerManagerEntity } from '../../entities/runner.js';
import { readPageRequest, sendPageHeaders, type PaginationOptions } from '../../http/pagination.js';
import { BooleanParam, PathOrIdParams, Text } from '../../http/params.js';
import { JOB_STATUSES } from '../../services/pipelines/status/job-status.js';
import { listRunnerJobs } from '../../services/runners/runner-jobs.js';
import {
  groupForRunners, listAllRunners, listGroupRunners, listOwnedRunners, listProjectRunners, projectForRunners, type RunnerListFilters,
} from '../../services/runners/runner-lists.js';
import {
  disableProjectRunner, enableProjectRunner, listRunnerManagers, removeRunner, resetRunnerTokenAs, showRunner, updateRunner,
} from '../../services/runners/runner-management.js';
import type { Page, PageRequest } from '../../store/page.js';
import type { Runner } from '../../store/runners-repository.js';
import { readRunnerFilters, requiredId } from './runner-params.js';

/** Runner lists: offset pages by id ascending (GitLab's default order), counted like every list. */
const RUNNER_PAGINATION: PaginationOptions = { count: 'capped' };
/** A runner's jobs: offset or keyset (`cursor`) by id. */
const RUNNER_JOBS_PAGINATION: PaginationOptions = {
  count: 'capped',
  keyset: { orderBy: ['id'], sort: ['asc', 'desc'], defaultOrderBy: 'id', defaultSort: 'desc', style: 'cursor' },
};

const RunnerParams = Type.Object({ id: Type.Integer() });
const JobsQuery = Type.Object({
  system_id: Type.Optional(Text({ maxLength: 64 })),
  status: Type.Optional(Type.Union(JOB_STATUSES.map((s) => Type.Literal(s)))),
  order_by: Type.Optional(Type.Literal('id')),
  sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  cursor: Type.Optional(Text({ maxLength: 1024 })),
});
const UpdateBody = Type.Object({
  description: Type.Optional(Text({ maxLength: 65_535 })),
  active: Type.Optional(BooleanParam()),
  paused: Type.Optional(BooleanParam()),
  tag_list: Type.Optional(Type.Union([Type.Array(Text({ maxLength: 1024 }), { maxItems: 1000 }), Text({ maxLength: 65_535 })])),
  run_untagged: Type.Optional(BooleanParam()),
  locked: Type.Optional(BooleanParam()),
  access_level: Type.Optional(Type.Union([Type.Literal('not_protected'), Type.Literal('ref_protected')])),
  // One schema with both types, so null is kept (Ajv's coercion would turn it into 0 for an integer branch).
  maximum_timeout: Type.Optional(Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: -2_147_483_648, maximum: 2_147_483_647 })),
  maintenance_note: Type.Optional(Text({ maxLength: 65_535 })),
});

/**
 * GitLab's runner management API (lib/api/ci/runners.rb): lists, details, settings, removal, a runner's
 * jobs and machines, its token, and which projects it serves. The runner protocol's own `/runners` routes
 * (register, verify, unregister) are in routes/runner-api.
 */
export default async function runnerRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };
  const required = { auth: 'required' as const };

  /** Reads filters and page (Grape checks them in this order), lists, and answers Runner entities with page headers. */
  async function list(request: FastifyRequest, reply: FastifyReply, scope: boolean, load: (f: RunnerListFilters, p: PageRequest) => Promise<Page<Runner>>) {
    const filters = readRunnerFilters(request.query as Record<string, unknown>, { scope });
    const pageRequest = readPageRequest(request, RUNNER_PAGINATION);
    const page = await load(filters, pageRequest);
    sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page);
    const now = ctx.clock.now();
    return page.rows.map((r) => runnerEntity(r, now));
  }

  app.get('/api/v4/runners', { config: required }, async (request, reply) =>
    list(request, reply, true, (f, p) => listOwnedRunners(ctx, request.actor, f, p)),
  );

  app.get('/api/v4/runners/all', { config: required }, async (request, reply) =>
    list(request, reply, true, (f, p) => listAllRunners(ctx, request.actor, f, p)),
  );

  app.get('/api/v4/runners/:id', { config: required, schema: { params: RunnerParams } }, async (request) =>
    runnerDetailsEntity(await showRunner(ctx, request.actor, request.params.id), rc, ctx.clock.now()),
  );

  app.put('/api/v4/runners/:id', { config: required, schema: { params: RunnerParams, body: Type.Union([UpdateBody, Type.Null()]) } }, async (request) => {
    const view = await updateRunner(ctx, request.actor, request.params.id, request.body ?? {});
    return runnerDetailsEntity(view, rc, ctx.clock.now());
  });

  app.delete('/api/v4/runners/:id', { config: required, schema: { params: RunnerParams } }, async (request, reply) => {
    await removeRunner(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });

  app.get('/api/v4/runners/:id/managers', { config: required, schema: { params: RunnerParams } }, async (request) => {
    const now = ctx.clock.now();
    return (await listRunnerManagers(ctx, request.actor, request.params.id)).map((m) => runnerManagerEntity(m, now));
  });

  app.post('/api/v4/runners/:id/reset_authentication_token', { config: required, schema: { params: RunnerParams } }, async (request, reply) =>
    reply.code(201).send(await resetRunnerTokenAs(ctx, request.actor, request.params.id)),
  );

  app.get('/api/v4/runners/:id/jobs', { config: required, schema: { params: RunnerParams, querystring: JobsQuery } }, async (request, reply) => {
    const q = request.query;
    const systemId = q.system_id === '' ? undefined : q.system_id;
    let pageRequest = readPageRequest(request, RUNNER_JOBS_PAGINATION);
    if (pageRequest.kind === 'offset') {
      // Ci::RunnerJobsFinder sorts only when `order_by` is given (sort defaults to desc); otherwise by id ascending.
      // Filtering by machine skips the count, as GitLab's `without_count`.
      pageRequest = { ...pageRequest, sort: q.order_by === 'id' ? (q.sort ?? 'desc') : 'asc', countUpTo: systemId === undefined ? pageRequest.countUpTo : null };
    }
    const { page, views } = await listRunnerJobs(ctx, request.actor, request.params.id, { status: q.status, systemId }, pageRequest);
    sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page, RUNNER_JOBS_PAGINATION);
    const now = ctx.clock.now();
    const shared = new SharedJson();
    const memo = newJobEntityMemo(shared);
    return new ListWithSharedParts(views.map((v) => jobBasicWithProjectEntity(v.job, v.project, rc, now, memo)), shared);
  });

  // The project and group routes authorize first and read parameters after, like Grape's `before` blocks.
  app.get('/api/v4/projects/:id/runners', { config: required, schema: { params: PathOrIdParams } }, async (request, reply) => {
    const project = await projectForRunners(ctx, request.actor, request.params.id);
    return list(request, reply, true, (f, p) => listProjectRunners(ctx, project, f, p));
  });

  app.post('/api/v4/projects/:id/runners', { config: required, schema: { params: PathOrIdParams } }, async (request, reply) => {
    const project = await projectForRunners(ctx, request.actor, request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const runnerId = requiredId(body.runner_id ?? (request.query as Record<string, unknown>).runner_id, 'runner_id');
    const runner = await enableProjectRunner(ctx, request.actor, project, runnerId);
    return reply.code(201).send(runnerEntity(runner, ctx.clock.now()));
  });

  app.delete('/api/v4/projects/:id/runners/:runner_id', { config: required }, async (request, reply) => {
    const params = request.params as { id: string; runner_id: string };
    const project = await projectForRunners(ctx, request.actor, params.id);
    await disableProjectRunner(ctx, project, requiredId(params.runner_id, 'runner_id'));
    return reply.code(204).send();
  });

  app.get('/api/v4/groups/:id/runners', { config: required, schema: { params: PathOrIdParams } }, async (request, reply) => {
    const group = await groupForRunners(ctx, request.actor, request.params.id);
    return list(request, reply, false, (f, p) => listGroupRunners(ctx, group, f, p));
  });
}
