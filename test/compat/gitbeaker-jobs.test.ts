// Client compatibility: @gitbeaker/rest 43 (fetch-based, ESM) against the Jobs API.
//
// Each dialect gets its own server with one real pushed pipeline whose jobs are driven, as a runner
// would, into every state a client meets: success (with an artifact row, so it can be erased),
// running, failed, pending, manual, a bridge, and a failed job retried once (a retried job plus its
// pending clone). The tests then call Jobs the way applications do: offset and keyset lists (with and
// without showExpanded), scope filters, show, showLog, the four actions, pipeline bridges, the errors
// it throws, and showConnectedJob with a job token. Lists come first, actions after, and the job-token
// test last, because each changes the state the next ones see.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Gitlab, GitbeakerRequestError } from '@gitbeaker/rest';
import type { JobScope, KeysetPagination, OffsetPagination } from '@gitbeaker/rest';
import type { ServiceContext } from '../../src/services/context.js';
import { startJob } from '../../src/services/pipelines/job-lifecycle.js';
import { tokenDigest } from '../../src/services/security/secrets.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline, runJob } from '../helpers/pipelines.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

// Everything in `build` runs at once; `deploy` is manual and needs nothing; the bridge waits for
// `build`, which never completes here (a job stays pending), so it stays `created`.
const CI_CONFIG = `
stages: [build, deploy]
lint:
  stage: build
  script: lint
compile:
  stage: build
  tags: [linux, docker]
  script: make
unit:
  stage: build
  script: make test
queue:
  stage: build
  script: wait
flaky:
  stage: build
  script: sometimes
deploy:
  stage: deploy
  needs: []
  when: manual
  script: deploy
downstream:
  stage: deploy
  trigger:
    include: ci/child.yml
`;

type JobName = 'lint' | 'compile' | 'unit' | 'queue' | 'flaky' | 'flaky_retried' | 'deploy' | 'downstream';

interface Fixture {
  projectId: number;
  projectPath: string;
  pipelineId: number;
  /** Job ids by name; `flaky` is the pending clone, `flaky_retried` the failed original. */
  jobs: Record<JobName, number>;
}

interface Recorded {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** Every request gitbeaker sends, through a wrapper around the global fetch it uses. */
function recordFetches(): { requests: Recorded[]; restore(): void } {
  const original = globalThis.fetch;
  const requests: Recorded[] = [];
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const body = request.body ? await request.clone().text() : null;
    const response = await original(input, init);
    requests.push({ method: request.method, url: request.url, status: response.status, headers: Object.fromEntries(request.headers.entries()), body });
    return response;
  };
  return { requests, restore: () => void (globalThis.fetch = original) };
}

async function recording<T>(fn: () => Promise<T>): Promise<{ result: T; requests: Recorded[] }> {
  const recorder = recordFetches();
  try {
    return { result: await fn(), requests: recorder.requests };
  } finally {
    recorder.restore();
  }
}

async function rejection(promise: Promise<unknown>): Promise<GitbeakerRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GitbeakerRequestError, `expected a GitbeakerRequestError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

/** The pushed pipeline, driven into the states the tests expect (see CI_CONFIG). */
async function buildFixture(t: TestServer): Promise<Fixture> {
  const ctx: ServiceContext = t.server.app.ctx;
  const project = await createProject(t);
  const pipeline = await pushPipeline(t, project, { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CI_CONFIG });
  const named = (name: string) => jobNamed(ctx, pipeline.id, name);
  const lint = await runJob(ctx, await named('lint'), 'success');
  await ctx.store.jobArtifacts.insert({
    projectId: project.id, jobId: lint.id, fileType: 'archive', fileFormat: 'zip', filename: 'artifacts.zip', size: 1234,
    sha256: null, blobKey: `fixture/${lint.id}/artifacts.zip`, expireAt: null, locked: false, createdAt: new Date().toISOString(),
  });
  const compile = await startJob(ctx, await named('compile'));
  assert.equal(compile?.status, 'running');
  const unit = await runJob(ctx, await named('unit'), 'failed');
  const flakyFailed = await runJob(ctx, await named('flaky'), 'failed');
  const retried = await t.api('POST', `/projects/${project.id}/jobs/${flakyFailed.id}/retry`);
  assert.equal(retried.status, 201, retried.text);
  const fx: Fixture = {
    projectId: project.id,
    projectPath: project.path_with_namespace,
    pipelineId: pipeline.id,
    jobs: {
      lint: lint.id,
      compile: compile!.id,
      unit: unit.id,
      queue: (await named('queue')).id,
      flaky: retried.body.id,
      flaky_retried: flakyFailed.id,
      deploy: (await named('deploy')).id,
      downstream: (await named('downstream')).id,
    },
  };
  const jobs = await ctx.store.jobs.listByPipeline(pipeline.id, { includeRetried: true });
  assert.deepEqual(
    Object.fromEntries(Object.entries(fx.jobs).map(([name, id]) => [name, jobs.find((j) => j.id === id)?.status])),
    { lint: 'success', compile: 'running', unit: 'failed', queue: 'pending', flaky: 'pending', flaky_retried: 'failed', deploy: 'manual', downstream: 'created' },
    'fixture states',
  );
  return fx;
}

const desc = (ids: number[]) => [...ids].sort((a, b) => b - a);
/** gitbeaker 43 types `scope` as one JobScope, but sends an array as `scope[]=` (qs brackets) at run time. */
const scopes = (...values: JobScope[]) => values as unknown as JobScope;

for (const dialect of DIALECTS) {
  describe(`@gitbeaker/rest 43 Jobs API compatibility (${dialect})`, () => {
    let t: TestServer;
    let api: Gitlab;
    let fx: Fixture;
    /** Every build of the project (retried included, bridge not), newest first: GET /projects/:id/jobs. */
    let allBuildIds: number[];
    const jobsPath = () => `/api/v4/projects/${fx.projectId}/jobs`;

    before(async () => {
      t = await startTestServer(dialect);
      api = new Gitlab({ host: t.url, token: ROOT_TOKEN });
      fx = await buildFixture(t);
      allBuildIds = desc(Object.entries(fx.jobs).filter(([name]) => name !== 'downstream').map(([, id]) => id));
    });
    after(() => t?.close());

    it('Jobs.all(projectId) returns every build, retried ones included, newest first, bridges left out', async () => {
      const jobs = await api.Jobs.all(fx.projectId);
      assert.deepEqual(jobs.map((j) => j.id), allBuildIds);
      assert.equal(jobs.find((j) => j.id === fx.jobs.flaky_retried)?.status, 'failed');
      const byPath = await api.Jobs.all(fx.projectPath);
      assert.deepEqual(byPath.map((j) => j.id), allBuildIds);
    });

    it('Jobs.all({ perPage: 2 }) follows every offset Link next; each page repeats per_page', async () => {
      const { result, requests } = await recording(() => api.Jobs.all(fx.projectId, { perPage: 2 }));
      assert.deepEqual(result.map((j) => j.id), allBuildIds);
      const pages = Math.ceil(allBuildIds.length / 2);
      assert.equal(requests.length, pages, JSON.stringify(requests.map((r) => r.url)));
      for (const [i, r] of requests.entries()) {
        const url = new URL(r.url);
        assert.equal(url.pathname, jobsPath());
        assert.equal(r.status, 200);
        assert.equal(url.searchParams.get('per_page'), '2', r.url);
        assert.equal(url.searchParams.get('page'), i === 0 ? null : String(i + 1), r.url);
      }
    });

    it('Jobs.all({ perPage: 2, maxPages: 2, showExpanded: true }) stops after two pages with offset paginationInfo', async () => {
      const { data, paginationInfo } = await api.Jobs.all(fx.projectId, { perPage: 2, maxPages: 2, showExpanded: true });
      assert.deepEqual(data.map((j) => j.id), allBuildIds.slice(0, 4));
      const { total, totalPages, ...info } = paginationInfo as unknown as OffsetPagination;
      assert.deepEqual({ ...info }, { next: 3, current: 2, previous: 1, perPage: 2 });
      // GitLab 17.x sends no X-Total/X-Total-Pages on this list, so gitbeaker reports NaN; when the
      // server counts them (an extension), they must be right.
      if (Number.isNaN(total)) assert.ok(Number.isNaN(totalPages), 'X-Total-Pages without X-Total');
      else assert.deepEqual({ total, totalPages }, { total: allBuildIds.length, totalPages: Math.ceil(allBuildIds.length / 2) });
      const page3 = await api.Jobs.all(fx.projectId, { perPage: 2, page: 3 });
      assert.deepEqual(page3.map((j) => j.id), allBuildIds.slice(4, 6), 'page 3 continues where maxPages stopped');
    });

    it('keyset Jobs.all({ pagination: "keyset", perPage: 2 }) walks the cursor Links to the end', async () => {
      const { result, requests } = await recording(() => api.Jobs.all(fx.projectId, { pagination: 'keyset', perPage: 2 }));
      assert.deepEqual(result.map((j) => j.id), allBuildIds);
      assert.equal(requests.length, Math.ceil(allBuildIds.length / 2), JSON.stringify(requests.map((r) => r.url)));
      for (const [i, r] of requests.entries()) {
        const q = new URL(r.url).searchParams;
        assert.equal(r.status, 200, r.url);
        // gitbeaker re-issues each next page from the Link's query string alone.
        assert.equal(q.get('pagination'), 'keyset', r.url);
        assert.equal(q.get('per_page'), '2', r.url);
        assert.equal(q.has('page'), false, r.url);
        assert.equal(q.has('cursor'), i > 0, r.url);
      }
    });

    it('keyset with showExpanded: paginationInfo echoes perPage/orderBy/sort; idAfter is null (jobs continue with a cursor)', async () => {
      const expanded = await api.Jobs.all(fx.projectId, { pagination: 'keyset', orderBy: 'id', sort: 'desc', perPage: 2, showExpanded: true });
      assert.deepEqual(expanded.data.map((j) => j.id), allBuildIds);
      const info = expanded.paginationInfo as unknown as KeysetPagination;
      // Upstream's jobs keyset (Gitlab::Pagination::Keyset::CursorPager) continues with `cursor=`, not
      // `id_after`, so gitbeaker has no idAfter to report; the rest comes from the last Link's query.
      assert.deepEqual({ ...info }, { idAfter: null, perPage: 2, orderBy: 'id', sort: 'desc' });

      // Without orderBy/sort, the Link carries only what was asked for.
      const bare = await api.Jobs.all(fx.projectId, { pagination: 'keyset', perPage: 3, showExpanded: true });
      assert.deepEqual(bare.data.map((j) => j.id), allBuildIds);
      assert.deepEqual({ ...(bare.paginationInfo as unknown as KeysetPagination) }, { idAfter: null, perPage: 3, orderBy: undefined, sort: undefined });

      // A single page: no Link, so gitbeaker reports the options it was given.
      const single = await api.Jobs.all(fx.projectId, { pagination: 'keyset', perPage: 100, showExpanded: true });
      assert.equal(single.data.length, allBuildIds.length);
      assert.equal((single.paginationInfo as unknown as KeysetPagination).perPage, 100);
    });

    it('keyset with an unsupported order throws 405 "Keyset pagination is not yet available"', async () => {
      const refused = await rejection(api.Jobs.all(fx.projectId, { pagination: 'keyset', orderBy: 'id', sort: 'asc' }));
      assert.equal(refused.cause?.response.status, 405);
      assert.equal(refused.cause?.description, 'Keyset pagination is not yet available for this type of request');
    });

    it('Jobs.all filters by a scope array (scope[]=) and a scope string (scope=), in offset and keyset mode', async () => {
      const { result, requests } = await recording(() => api.Jobs.all(fx.projectId, { scope: scopes('pending', 'running') }));
      assert.deepEqual(result.map((j) => j.id), desc([fx.jobs.compile, fx.jobs.queue, fx.jobs.flaky]));
      assert.deepEqual(new URL(requests[0].url).searchParams.getAll('scope[]'), ['pending', 'running'], requests[0].url);

      const failed = await recording(() => api.Jobs.all(fx.projectId, { scope: 'failed' }));
      assert.deepEqual(failed.result.map((j) => j.id), desc([fx.jobs.unit, fx.jobs.flaky_retried]));
      assert.deepEqual(new URL(failed.requests[0].url).searchParams.getAll('scope'), ['failed'], failed.requests[0].url);

      // One job per page: every Link next must carry scope[] for gitbeaker to keep filtering.
      const keyset = await recording(() => api.Jobs.all(fx.projectId, { pagination: 'keyset', perPage: 1, scope: scopes('failed', 'manual') }));
      assert.deepEqual(keyset.result.map((j) => j.id), desc([fx.jobs.unit, fx.jobs.flaky_retried, fx.jobs.deploy]));
      assert.equal(keyset.requests.length, 3, JSON.stringify(keyset.requests.map((r) => r.url)));
      for (const r of keyset.requests) assert.deepEqual(new URL(r.url).searchParams.getAll('scope[]'), ['failed', 'manual'], r.url);

      const offset = await api.Jobs.all(fx.projectId, { perPage: 1, scope: scopes('failed', 'manual') });
      assert.deepEqual(offset.map((j) => j.id), desc([fx.jobs.unit, fx.jobs.flaky_retried, fx.jobs.deploy]));
    });

    it('Jobs.all with an unknown scope throws 400', async () => {
      const bad = await rejection(api.Jobs.all(fx.projectId, { scope: 'bogus' as 'failed' }));
      assert.equal(bad.cause?.response.status, 400);
      assert.equal(bad.cause?.description, 'scope does not have a valid value');
    });

    it('Jobs.all({ pipelineId }) lists the latest jobs of the pipeline; includeRetried adds the retried one', async () => {
      const latest = await api.Jobs.all(fx.projectId, { pipelineId: fx.pipelineId });
      const expected = [fx.jobs.lint, fx.jobs.compile, fx.jobs.unit, fx.jobs.queue, fx.jobs.flaky, fx.jobs.deploy];
      assert.deepEqual(desc(latest.map((j) => j.id)), desc(expected));
      const { result, requests } = await recording(() => api.Jobs.all(fx.projectId, { pipelineId: fx.pipelineId, includeRetried: true }));
      assert.deepEqual(desc(result.map((j) => j.id)), desc([...expected, fx.jobs.flaky_retried]));
      assert.equal(new URL(requests[0].url).searchParams.get('include_retried'), 'true');
      assert.equal(new URL(requests[0].url).searchParams.has('pipeline_id'), false);
    });

    it('Jobs.allPipelineBridges returns the trigger job, also filtered by scope', async () => {
      const bridges = await api.Jobs.allPipelineBridges(fx.projectId, fx.pipelineId);
      assert.deepEqual(bridges.map((b) => [b.id, b.name, b.status, b.downstream_pipeline]), [[fx.jobs.downstream, 'downstream', 'created', null]]);
      assert.equal(bridges[0].pipeline.id, fx.pipelineId);
      assert.deepEqual((await api.Jobs.allPipelineBridges(fx.projectId, fx.pipelineId, { scope: 'created' })).map((b) => b.id), [fx.jobs.downstream]);
      assert.deepEqual(await api.Jobs.allPipelineBridges(fx.projectId, fx.pipelineId, { scope: 'success' }), []);
    });

    it('Jobs.show(projectId, jobId) by id and by project path', async () => {
      const job = await api.Jobs.show(fx.projectId, fx.jobs.compile);
      assert.deepEqual(
        [job.id, job.name, job.status, job.stage, job.ref, job.tag_list, job.pipeline.id, job.web_url],
        [fx.jobs.compile, 'compile', 'running', 'build', 'main', ['docker', 'linux'], fx.pipelineId, `${t.url}/${fx.projectPath}/-/jobs/${fx.jobs.compile}`],
      );
      const byPath = await api.Jobs.show(fx.projectPath, fx.jobs.compile);
      assert.equal(byPath.id, fx.jobs.compile);
      const missing = await rejection(api.Jobs.show(fx.projectId, fx.jobs.downstream));
      assert.deepEqual([missing.cause?.response.status, missing.cause?.description], [404, '404 Not found']);
    });

    it('Jobs.showLog returns the (empty) log as a string', async () => {
      const log = await api.Jobs.showLog(fx.projectId, fx.jobs.compile);
      assert.equal(typeof log, 'string', 'gitbeaker returns a string only for text/* responses');
      assert.equal(log, '');
    });

    it('Jobs.cancel on the running job: body {} in, 201 with the canceled job out', async () => {
      const { result, requests } = await recording(() => api.Jobs.cancel(fx.projectId, fx.jobs.compile));
      assert.deepEqual([result.id, result.status], [fx.jobs.compile, 'canceled']);
      assert.ok(result.finished_at);
      assert.deepEqual([requests[0].method, requests[0].status, requests[0].body], ['POST', 201, '{}']);
    });

    it('Jobs.retry on the failed job returns the new job (201)', async () => {
      const { result, requests } = await recording(() => api.Jobs.retry(fx.projectId, fx.jobs.unit));
      assert.equal(result.name, 'unit');
      assert.equal(result.status, 'pending');
      assert.ok(result.id > fx.jobs.unit, 'a new job');
      assert.equal(requests[0].status, 201);
      const old = await api.Jobs.show(fx.projectId, fx.jobs.unit);
      assert.equal(old.status, 'failed');
    });

    it('Jobs.erase on the finished job with artifacts: 201, erased_at set, artifacts gone', async () => {
      const before = await api.Jobs.show(fx.projectId, fx.jobs.lint);
      assert.deepEqual(before.artifacts, [{ file_type: 'archive', size: 1234, filename: 'artifacts.zip', file_format: 'zip' }]);
      assert.deepEqual(before.artifacts_file, { filename: 'artifacts.zip', size: 1234 });
      const { result, requests } = await recording(() => api.Jobs.erase(fx.projectId, fx.jobs.lint));
      assert.equal(requests[0].status, 201);
      assert.equal(result.id, fx.jobs.lint);
      assert.equal(result.status, 'success');
      assert.ok(result.erased_at, 'erased_at in the answer');
      assert.deepEqual(result.artifacts, []);
      const after = await api.Jobs.show(fx.projectId, fx.jobs.lint);
      assert.deepEqual(after.artifacts, []);
      assert.equal(after.artifacts_file, undefined);
      assert.equal(after.erased_at, result.erased_at);
      const again = await rejection(api.Jobs.erase(fx.projectId, fx.jobs.lint));
      assert.deepEqual([again.cause?.response.status, again.cause?.description], [403, '403 Forbidden - Job is not erasable!']);
    });

    it('Jobs.play with jobVariablesAttributes sends job_variables_attributes and starts the manual job (200)', async () => {
      const { result, requests } = await recording(() =>
        api.Jobs.play(fx.projectId, fx.jobs.deploy, { jobVariablesAttributes: [{ key: 'TEST_VAR', value: 'test' }, { key: 'OTHER', value: '2' }] }),
      );
      assert.deepEqual(JSON.parse(requests[0].body ?? 'null'), { job_variables_attributes: [{ key: 'TEST_VAR', value: 'test' }, { key: 'OTHER', value: '2' }] });
      assert.equal(requests[0].status, 200);
      assert.deepEqual([result.id, result.status, result.user?.username], [fx.jobs.deploy, 'pending', 'root']);
      const stored = await t.server.app.ctx.store.jobs.findById(fx.jobs.deploy);
      assert.deepEqual(stored?.jobVariables, [{ key: 'TEST_VAR', value: 'test' }, { key: 'OTHER', value: '2' }]);
    });

    describe('Jobs.play on a manual job that already ran (GitLab retries it)', () => {
      let replay: { status: number; result: { id: number; status: string } };
      let clone: { status: string; jobVariables: Array<{ key: string; value: string }> } | undefined;

      before(async () => {
        const ctx = t.server.app.ctx;
        const ran = await runJob(ctx, (await ctx.store.jobs.findById(fx.jobs.deploy))!, 'success');
        assert.equal(ran.status, 'success');
        const { result, requests } = await recording(() =>
          api.Jobs.play(fx.projectId, fx.jobs.deploy, { jobVariablesAttributes: [{ key: 'TEST_VAR', value: 'second' }] }),
        );
        replay = { status: requests[0].status, result };
        const deploys = (await ctx.store.jobs.listByPipeline(fx.pipelineId, { includeRetried: true })).filter((j) => j.name === 'deploy');
        assert.equal(deploys.length, 2, 'play retried the finished manual job');
        clone = deploys.find((j) => j.id !== fx.jobs.deploy);
      });

      it('answers 200 and enqueues a new job at once', () => {
        assert.equal(replay.status, 200);
        assert.equal(clone?.status, 'pending', 'a retried manual job is enqueued at once');
      });

      it('gives the new job the variables of the play request', () => {
        // GitLab: Ci::PlayBuildService → RetryJobService#clone!(variables:) → Ci::Build#clone sets the
        // clone's job_variables_attributes from the play request when any are given.
        assert.deepEqual(
          clone?.jobVariables,
          [{ key: 'TEST_VAR', value: 'second' }],
          "SERVER BUG: playing a finished manual job drops job_variables_attributes; the clone keeps the first run's variables",
        );
      });

      it('answers with the job it was asked to play, not the new one', () => {
        // GitLab's play endpoint ignores what job.play returns and presents the job it looked up.
        assert.deepEqual(
          [replay.result.id, replay.result.status],
          [fx.jobs.deploy, 'success'],
          'SERVER BUG: playing a finished manual job answers with the new (retried) job instead of the original one, as GitLab does',
        );
      });
    });

    it('throws 403 "Job is not retryable" for a retried job', async () => {
      const retried = await rejection(api.Jobs.retry(fx.projectId, fx.jobs.flaky_retried));
      assert.deepEqual([retried.cause?.response.status, retried.cause?.description], [403, '403 Forbidden - Job is not retryable']);
    });

    it('throws 403 "Job is not retryable" and 400 "Unplayable Job" for a pending job', async () => {
      const retry = await rejection(api.Jobs.retry(fx.projectId, fx.jobs.queue));
      assert.deepEqual([retry.cause?.response.status, retry.cause?.description], [403, '403 Forbidden - Job is not retryable']);
      assert.equal(retry.message, '403 Forbidden - Job is not retryable');
      const play = await rejection(api.Jobs.play(fx.projectId, fx.jobs.queue));
      assert.deepEqual([play.cause?.response.status, play.cause?.description], [400, '400 Bad request - Unplayable Job']);
      const missing = await rejection(api.Jobs.cancel(fx.projectId, 999999));
      assert.deepEqual([missing.cause?.response.status, missing.cause?.description], [404, '404 Not found']);
    });

    it('Jobs.showConnectedJob with a job token: refused client-side unless the job-token header is set by hand (§3.6)', async () => {
      const ctx = t.server.app.ctx;
      const token = `glcbt-gitbeaker-${dialect}-token`;
      const queued = await ctx.store.jobs.findById(fx.jobs.queue);
      const running = await startJob(ctx, queued!, { tokenDigest: tokenDigest(token) });
      assert.equal(running?.status, 'running');

      const asJob = new Gitlab({ host: t.url, jobToken: token });
      // gitbeaker 43 checks `this.headers['job-token']`, but the jobToken option lands in authHeaders,
      // so the ordinary construction fails before any request is sent (synchronously: a throw, not a
      // rejected promise).
      const plain = await recording(async () => {
        try {
          await asJob.Jobs.showConnectedJob();
          return null;
        } catch (e) {
          return e;
        }
      });
      assert.ok(plain.result instanceof Error && !(plain.result instanceof GitbeakerRequestError));
      assert.equal(plain.result.message, 'Missing required header "job-token"');
      assert.deepEqual(plain.requests, []);

      // The workaround: put the token in the resource's preconfigured headers too.
      asJob.Jobs.headers['job-token'] = token;
      const { result: job, requests } = await recording(() => asJob.Jobs.showConnectedJob());
      assert.deepEqual([requests[0].method, new URL(requests[0].url).pathname, requests[0].status], ['GET', '/api/v4/job', 200]);
      assert.equal(requests[0].headers['job-token'], token);
      assert.equal(requests[0].headers['private-token'], undefined);
      assert.deepEqual([job.id, job.name, job.status, job.pipeline.id, job.finished_at], [fx.jobs.queue, 'queue', 'running', fx.pipelineId, null]);

      const agents = await asJob.Jobs.showConnectedJobK8Agents();
      assert.deepEqual(agents.allowed_agents, []);
      assert.equal(agents.job.id, fx.jobs.queue);

      // A personal access token wins over the job-token header (GitLab's order), and then no job is found.
      api.Jobs.headers['job-token'] = token;
      try {
        const pat = await rejection(api.Jobs.showConnectedJob());
        assert.deepEqual([pat.cause?.response.status, pat.cause?.description], [404, '404 Job Not Found']);
      } finally {
        delete api.Jobs.headers['job-token'];
      }

      const dead = new Gitlab({ host: t.url, jobToken: 'glcbt-not-a-real-token' });
      dead.Jobs.headers['job-token'] = 'glcbt-not-a-real-token';
      const unauthorized = await rejection(dead.Jobs.showConnectedJob());
      assert.deepEqual([unauthorized.cause?.response.status, unauthorized.cause?.description], [401, '401 Unauthorized']);
    });
  });
}
