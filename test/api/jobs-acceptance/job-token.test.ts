/** §9 cases 65–72: GET /job and GET /job/allowed_agents with a CI job token. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import { finishJob } from '../../../src/services/pipelines/job-lifecycle.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertJob } from '../../helpers/entity-schemas.js';
import { createGroup } from '../../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createCast, privateProject, reload, runWithToken, type Cast } from './common.js';

const CONFIG = `
done:
  script: make
r:
  script: make
agent:
  when: manual
  script: deploy
prod:
  when: manual
  environment: production
  script: deploy
orphan:
  script: make
`;

const TOKENS = { J: 'glcbt-acceptance-finished-job', R: 'glcbt-acceptance-running-job', agent: 'glcbt-acceptance-agent-job', prod: 'glcbt-acceptance-prod-job', orphan: 'glcbt-acceptance-orphan-job' };

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: GET /job and /job/allowed_agents (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let group: any;
    let project: any;
    let pipeline: Pipeline;
    let R: Job;
    let agent: Job;
    let prod: Job;
    const asJob = (path: string, token: string) => t.api('GET', path, { token: null, headers: { 'JOB-TOKEN': token } });

    /** A manual job played by the developer (so it runs as theirs), then taken by a runner with `token`. */
    async function playedByDev(name: string, token: string): Promise<Job> {
      const job = await jobNamed(ctx, pipeline.id, name);
      const played = await t.api('POST', `/projects/${project.id}/jobs/${job.id}/play`, { token: cast.dev.token });
      assert.equal(played.status, 200, played.text);
      assertJob(played.body);
      return runWithToken(ctx, await reload(ctx, job.id), token);
    }

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      group = await createGroup(t);
      project = await privateProject(t, cast, { namespace_id: group.id });
      pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
      // J: ran with a token and finished.
      const J = await runWithToken(ctx, await jobNamed(ctx, pipeline.id, 'done'), TOKENS.J);
      assert.ok(await finishJob(ctx, J, { status: 'success' }));
      R = await runWithToken(ctx, await jobNamed(ctx, pipeline.id, 'r'), TOKENS.R);
      agent = await playedByDev('agent', TOKENS.agent);
      prod = await playedByDev('prod', TOKENS.prod);
      pipeline = (await ctx.store.pipelines.findById(pipeline.id))!;
    });
    after(() => t.close());

    it('case 65: GET /job with a personal access token → 404 Job Not Found', async () => {
      const res = await t.api('GET', '/job', { token: cast.dev.token });
      assert.deepEqual([res.status, res.body], [404, { message: '404 Job Not Found' }]);
    });

    it("case 66: GET /job with the JOB-TOKEN of the running job R → 200 with R's fields", async () => {
      const res = await asJob('/job', TOKENS.R);
      assert.equal(res.status, 200, res.text);
      assertJob(res.body);
      const b = res.body;
      assert.deepEqual(
        [b.id, b.status, b.stage, b.name, b.ref, b.tag, b.coverage, b.allow_failure, b.created_at, b.started_at],
        [R.id, 'running', R.stage, R.name, R.ref, R.tag, R.coverage, R.allowFailure, R.createdAt, R.startedAt],
      );
      assert.equal(b.finished_at, null);
      assert.equal(b.erased_at, null);
      const p = b.pipeline;
      assert.deepEqual([p.id, p.project_id, p.ref, p.sha, p.status], [pipeline.id, project.id, pipeline.ref, pipeline.sha, pipeline.status]);
    });

    it('case 67: GET /job?job_token=<R token> → 200, same data', async () => {
      const header = await asJob('/job', TOKENS.R);
      const res = await t.api('GET', `/job?job_token=${TOKENS.R}`, { token: null });
      assert.equal(res.status, 200, res.text);
      assertJob(res.body);
      const { duration: _a, queued_duration: _b, ...viaParam } = res.body;
      const { duration: _c, queued_duration: _d, ...viaHeader } = header.body;
      assert.deepEqual(viaParam, viaHeader);
    });

    it('case 68: GET /job with the token of the finished job J → 401', async () => {
      const res = await asJob('/job', TOKENS.J);
      assert.deepEqual([res.status, res.body], [401, { message: '401 Unauthorized' }]);
    });

    it('case 69: GET /job with no credentials → 401', async () => {
      const res = await t.api('GET', '/job', { token: null });
      assert.deepEqual([res.status, res.body], [401, { message: '401 Unauthorized' }]);
    });

    it("case 70: allowed_agents with a developer's running job token → job, pipeline, project with groups, user roles; no environment", async () => {
      const res = await asJob('/job/allowed_agents', TOKENS.agent);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.allowed_agents, []);
      assert.equal(res.body.job.id, agent.id);
      assert.equal(res.body.pipeline.id, pipeline.id);
      assert.equal(res.body.project.id, project.id);
      assert.deepEqual(res.body.project.groups, [{ id: group.id }]);
      assert.equal(res.body.user.id, cast.dev.id);
      assert.equal(res.body.user.username, cast.dev.username);
      assert.deepEqual(res.body.user.roles_in_project, ['guest', 'planner', 'reporter', 'developer']);
      assert.equal(Object.hasOwn(res.body, 'environment'), false);
    });

    it('case 71: a job deploying to production → environment.slug = production, environment.tier = production', async () => {
      assert.equal(prod.status, 'running');
      const res = await asJob('/job/allowed_agents', TOKENS.prod);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.job.id, prod.id);
      assert.deepEqual(res.body.environment, { tier: 'production', slug: 'production' });
    });

    it('case 72: allowed_agents: no user, finished job, bad token → 401; personal token → 404; job_token parameter → 200', async () => {
      // A job without a user (GitLab's anonymous case); Conveyor has no way to make one through the API.
      const orphan = await jobNamed(ctx, pipeline.id, 'orphan');
      await ctx.store.jobs.update(orphan.id, { userId: null });
      await runWithToken(ctx, await reload(ctx, orphan.id), TOKENS.orphan);
      const noUser = await asJob('/job/allowed_agents', TOKENS.orphan);
      assert.deepEqual([noUser.status, noUser.body], [401, { message: '401 Unauthorized' }]);
      const finished = await asJob('/job/allowed_agents', TOKENS.J);
      assert.deepEqual([finished.status, finished.body], [401, { message: '401 Unauthorized' }]);
      const bad = await asJob('/job/allowed_agents', 'glcbt-no-such-token');
      assert.deepEqual([bad.status, bad.body], [401, { message: '401 Unauthorized' }]);
      const pat = await t.api('GET', '/job/allowed_agents', { token: cast.dev.token });
      assert.deepEqual([pat.status, pat.body], [404, { message: '404 Job Not Found' }]);
      const param = await t.api('GET', `/job/allowed_agents?job_token=${TOKENS.agent}`, { token: null });
      assert.equal(param.status, 200, param.text);
      assert.equal(param.body.job.id, agent.id);
    });
  });
}
