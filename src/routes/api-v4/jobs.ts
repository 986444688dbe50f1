import { Type } from 'typebox';
import { recordNotFound } from '../../errors/api-error.js';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bridgeEntity, jobEntity, newJobEntityMemo, type JobView } from '../../entities/job.js';
import { ListWithSharedParts, SharedJson } from '../../http/json-body.js';
import { readPageRequest, sendPageHeaders, UncountableMemo, type PaginationOptions } from '../../http/pagination.js';
import { BooleanParam, IdInteger, PathOrIdParams, Text } from '../../http/params.js';
import { sendWithRange } from '../../http/range.js';
import { enforceRateLimit } from '../../http/rate-limit.js';
import { cancelJobsAs, parseBulkCancelSelection } from '../../services/jobs/bulk-cancel.js';
import { cancelJobAs, eraseJobAs, playJobAs, retryJobAs, validatePlayVariables } from '../../services/jobs/job-actions.js';
import type { Actor } from '../../services/access/actor.js';
import { allowedAgents, jobOfToken } from '../../services/jobs/job-token-info.js';
import { jobViews } from '../../services/jobs/job-views.js';
import { readJobTraceAs } from '../../services/jobs/job-trace.js';
import { completeListedJobs, getJobKeys, jobKeys, listPipelineJobs, listProjectJobs, parseScope } from '../../services/jobs/jobs-query.js';
import { parseTime } from '../../services/pipelines/pipelines-query.js';
import type { JobKeys, ShownJob } from '../../store/jobs-repository.js';
import type { Project } from '../../store/projects-repository.js';

const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), job_id: IdInteger() });
const PipelineParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }), pipeline_id: IdInteger() });

/**
 * Newest first; keyset by id desc only, as 17.x. 17.x sends no X-Total here; we count up to COUNT_LIMIT
 * matching rows like GitLab's other lists (with rel="last"), and leave the three out past it
 * (docs/api-extensions.md).
 */
const PROJECT_JOBS_PAGINATION: PaginationOptions = {
  count: 'capped',
  keyset: { orderBy: ['id'], sort: ['desc'], defaultOrderBy: 'id', defaultSort: 'desc', style: 'cursor' },
  offsetOrder: { columns: { id: 'id' }, defaultOrderBy: 'id', defaultSort: 'desc' },
};
const PIPELINE_JOBS_PAGINATION: PaginationOptions = { count: 'capped' };

const ExtensionFilters = {
  name: Type.Optional(Text({ maxLength: 255 })),
  ref: Type.Optional(Text({ maxLength: 1024 })),
  created_after: Type.Optional(Type.String({ format: 'date-time' })),
  created_before: Type.Optional(Type.String({ format: 'date-time' })),
  updated_after: Type.Optional(Type.String({ format: 'date-time' })),
  updated_before: Type.Optional(Type.String({ format: 'date-time' })),
};

export default async function jobRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  const rc = { externalUrl: ctx.externalUrl };
  const required = { auth: 'required' as const };
  // A project with more than COUNT_LIMIT matching jobs is not counted again for a minute.
  const uncountable = new UncountableMemo(() => ctx.clock.now().getTime());
  const jobJson = app.jobJson;

  /** Job and Bridge entities for `jobs`; the caller's user (already loaded) is not fetched again. */
  async function render(project: Project, jobs: ShownJob[], actor: Actor, shared?: SharedJson) {
    const now = ctx.clock.now();
    const memo = newJobEntityMemo(shared);
    const views = await jobViews(ctx, project, jobs, [actor.user, actor.sudoFrom]);
    return views.map((v) => (v.job.type === 'bridge' ? bridgeEntity(v, rc, now, memo) : jobEntity(v, rc, now, memo)));
  }

  /**
   * Job (and Bridge) entities from the jobs' keys: entities kept from earlier replies are filled in, the
   * other jobs read and rendered (and kept, when settled). A job gone meanwhile is left out. With `shared`
   * (a list's), each linked entity (user, commit, pipeline...) is serialized once.
   */
  async function renderKeyed(project: Project, keys: JobKeys[], actor: Actor, shared?: SharedJson) {
    const now = ctx.clock.now();
    const memo = newJobEntityMemo(shared);
    const listed = await completeListedJobs(ctx, keys, (job) => (job.type === 'build' ? jobJson.lookup(job, project.fullPath) : undefined));
    const withCommitKept = new Set(listed.filter((l) => l.kept && !l.kept.commitHole).map((l) => l.job));
    const views = await jobViews(ctx, project, listed.map((l) => l.job), [actor.user, actor.sudoFrom], { commitWanted: (job) => !withCommitKept.has(job) });
    return views.map((view, i) => {
      const { kept } = listed[i];
      if (kept) return jobJson.fill(kept, view, now, memo);
      const whole = view as JobView<ShownJob>;
      return whole.job.type === 'bridge' ? bridgeEntity(whole, rc, now, memo) : jobJson.render(whole, now, memo);
    });
  }

  async function renderKeyedList(project: Project, keys: JobKeys[], actor: Actor) {
    const shared = new SharedJson();
    return new ListWithSharedParts(await renderKeyed(project, keys, actor, shared), shared);
  }

  /** A list reply: the users, commits and pipelines its jobs share are serialized once. */
  async function renderList(project: Project, jobs: ShownJob[], actor: Actor) {
    const shared = new SharedJson();
    return new ListWithSharedParts(await render(project, jobs, actor, shared), shared);
  }

  app.get(
    '/api/v4/projects/:id/jobs',
    { config: required, schema: { params: PathOrIdParams, querystring: Type.Object({ scope: Type.Optional(Type.Unknown()), ...ExtensionFilters }) } },
    async (request, reply) => {
      const q = request.query;
      const statuses = parseScope(q.scope);
      const requested = readPageRequest(request, PROJECT_JOBS_PAGINATION);
      // GitLab's `check_rate_limit!(:jobs_index, scope: current_user)`: after authentication and parameter checks.
      enforceRateLimit(app.rateLimits.jobsIndex, String(request.actor.user!.id), reply);
      const filters = {
        statuses, name: q.name, ref: q.ref, createdAfter: parseTime(q.created_after, 'created_after'), createdBefore: parseTime(q.created_before, 'created_before'),
        updatedAfter: parseTime(q.updated_after, 'updated_after'), updatedBefore: parseTime(q.updated_before, 'updated_before'),
      };
      const countKey = `${request.params.id}\u0000${JSON.stringify(filters)}`;
      const pageRequest = uncountable.apply(countKey, requested);
      const { project, page } = await listProjectJobs(ctx, request.actor, request.params.id, filters, pageRequest, jobKeys);
      uncountable.record(countKey, pageRequest, page);
      sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page, PROJECT_JOBS_PAGINATION);
      return renderKeyedList(project, page.rows, request.actor);
    },
  );

  for (const type of ['build', 'bridge'] as const) {
    app.get(
      `/api/v4/projects/:id/pipelines/:pipeline_id/${type === 'build' ? 'jobs' : 'bridges'}`,
      {
        config: { auth: 'optional' },
        schema: { params: PipelineParams, querystring: Type.Object({ scope: Type.Optional(Type.Unknown()), include_retried: Type.Optional(BooleanParam()) }) },
      },
      async (request, reply) => {
        const statuses = parseScope(request.query.scope, { allowHash: false });
        const pageRequest = readPageRequest(request, PIPELINE_JOBS_PAGINATION);
        const includeRetried = type === 'build' && request.query.include_retried === true;
        const { project, page } = await listPipelineJobs(ctx, request.actor, request.params.id, request.params.pipeline_id, { type, statuses, includeRetried }, pageRequest, jobKeys);
        sendPageHeaders(request, reply, rc.externalUrl, pageRequest, page);
        return renderKeyedList(project, page.rows, request.actor);
      },
    );
  }

  app.get('/api/v4/projects/:id/jobs/:job_id', { config: required, schema: { params: JobParams } }, async (request) => {
    const { project, job } = await getJobKeys(ctx, request.actor, request.params.id, request.params.job_id);
    const [entity] = await renderKeyed(project, [job], request.actor);
    if (!entity) throw recordNotFound();
    return entity;
  });

  // GitLab lets Duo Workflow's `ai_workflows` tokens read logs (here: personal access tokens with that scope).
  app.get('/api/v4/projects/:id/jobs/:job_id/trace', { config: { auth: 'required', scopes: ['ai_workflows'] }, schema: { params: JobParams } }, async (request, reply) => {
    const { job, log } = await readJobTraceAs(ctx, request.actor, request.params.id, request.params.job_id);
    reply.type('text/plain; charset=utf-8').header('Content-Disposition', `infile; filename="${job.id}.log"`);
    return sendWithRange(request, reply, log);
  });

  // Beyond GitLab (docs/api-extensions.md): cancel up to 100 jobs, picked by id or by status, all or nothing.
  const BulkCancelParams = Type.Object({ job_ids: Type.Optional(Type.Unknown()), scope: Type.Optional(Type.Unknown()) });
  app.post(
    '/api/v4/projects/:id/jobs/cancel',
    { config: required, schema: { params: PathOrIdParams, querystring: BulkCancelParams, body: BulkCancelParams } },
    async (request, reply) => {
      // Grape reads parameters from the body and the query string alike; the body wins.
      const selection = parseBulkCancelSelection(request.body.job_ids ?? request.query.job_ids, request.body.scope ?? request.query.scope);
      const { project, jobs } = await cancelJobsAs(ctx, request.actor, request.params.id, selection);
      return reply.code(201).send(await renderList(project, jobs, request.actor));
    },
  );

  app.post('/api/v4/projects/:id/jobs/:job_id/cancel', { config: required, schema: { params: JobParams } }, async (request, reply) => {
    const { project, job } = await cancelJobAs(ctx, request.actor, request.params.id, request.params.job_id);
    return reply.code(201).send((await render(project, [job], request.actor))[0]);
  });

  app.post('/api/v4/projects/:id/jobs/:job_id/retry', { config: required, schema: { params: JobParams } }, async (request, reply) => {
    const { project, job } = await retryJobAs(ctx, request.actor, request.params.id, request.params.job_id);
    return reply.code(201).send((await render(project, [job], request.actor))[0]);
  });

  app.post('/api/v4/projects/:id/jobs/:job_id/erase', { config: required, schema: { params: JobParams } }, async (request, reply) => {
    const { project, job } = await eraseJobAs(ctx, request.actor, request.params.id, request.params.job_id);
    return reply.code(201).send((await render(project, [job], request.actor))[0]);
  });

  app.post(
    '/api/v4/projects/:id/jobs/:job_id/play',
    {
      config: required,
      schema: {
        params: JobParams,
        body: Type.Object({ job_variables_attributes: Type.Optional(Type.Array(Type.Object({ key: Type.Optional(Type.Unknown()), value: Type.Optional(Type.Unknown()) }), { maxItems: 200 })) }),
      },
    },
    async (request, reply) => {
      const variables = validatePlayVariables(request.body.job_variables_attributes);
      const { project, job } = await playJobAs(ctx, request.actor, request.params.id, request.params.job_id, variables);
      return reply.code(200).send((await render(project, [job], request.actor))[0]);
    },
  );

  app.get('/api/v4/job', { config: { auth: 'required', jobToken: true } }, async (request) => {
    const { project, job } = await jobOfToken(ctx, request.actor);
    return (await render(project, [job], request.actor))[0];
  });

  app.get('/api/v4/job/allowed_agents', { config: { auth: 'required', jobToken: true } }, async (request) => allowedAgents(ctx, request.actor));
}
