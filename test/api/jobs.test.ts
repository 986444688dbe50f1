import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import { tokenDigest } from '../../src/services/security/secrets.js';
import { startJob } from '../../src/services/pipelines/job-lifecycle.js';
import type { Pipeline } from '../../src/store/pipelines-repository.js';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createProject, createUser } from '../helpers/fixtures.js';
import { jobNamed, jobsOf, pushPipeline, runJob } from '../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CONFIG = `
stages: [build, test, deploy]
compile:
  stage: build
  tags: [linux, docker]
  script: make
unit:
  stage: test
  script: make test
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

for (const dialect of DIALECTS) {
  describe(`Jobs API core (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let project: any;
    let pipeline: Pipeline;
    let dev: { id: number; token: string };
    let reporter: { id: number; token: string };
    let guest: { id: number; token: string };
    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      project = await createProject(t, { public_jobs: false });
      dev = await createUser(t);
      reporter = await createUser(t);
      guest = await createUser(t);
      await addMember(t, project.id, dev.id, 30);
      await addMember(t, project.id, reporter.id, 20);
      await addMember(t, project.id, guest.id, 10);
      pipeline = await pushPipeline(t, project, { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CONFIG });
    });
    after(() => t.close());

    it('lists project jobs newest first with 17.x headers and the full Job entity', async () => {
      const res = await t.api('GET', `/projects/${project.id}/jobs`, { token: dev.token });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.map((j: any) => j.name), ['deploy', 'unit', 'compile'], 'bridges are not listed');
      for (const header of ['x-per-page', 'x-page', 'x-next-page', 'x-prev-page', 'link']) assert.notEqual(res.headers.get(header), null, header);
      // 17.x sends no X-Total here; Conveyor counts small lists (docs/api-extensions.md, test/api/jobs-extensions.test.ts).
      assert.equal(res.headers.get('x-total'), '3');
      const compile = res.body.find((j: any) => j.name === 'compile');
      assert.deepEqual(Object.keys(compile), [
        'id', 'status', 'stage', 'name', 'ref', 'tag', 'coverage', 'allow_failure', 'created_at', 'started_at', 'finished_at', 'erased_at',
        'duration', 'queued_duration', 'user', 'commit', 'pipeline', 'web_url', 'project', 'artifacts', 'runner', 'runner_manager',
        'artifacts_expire_at', 'archived', 'tag_list',
      ]);
      assert.deepEqual(compile.tag_list, ['docker', 'linux']);
      assert.equal(compile.commit.id, pipeline.sha);
      assert.deepEqual([compile.pipeline.id, compile.pipeline.sha, compile.pipeline.ref], [pipeline.id, pipeline.sha, 'main']);
      assert.equal(compile.status, 'pending');
      assert.equal(compile.duration, null);
      assert.ok(compile.queued_duration >= 0);
      assert.deepEqual(compile.artifacts, []);
      assert.equal(compile.web_url, `${t.url}/${project.path_with_namespace}/-/jobs/${compile.id}`);
    });

    it('filters by scope in all three forms and refuses unknown values first', async () => {
      const pending = await t.api('GET', `/projects/${project.id}/jobs?scope=pending`, { token: dev.token });
      assert.deepEqual(pending.body.map((j: any) => j.name), ['compile']);
      const two = await t.api('GET', `/projects/${project.id}/jobs?scope[]=pending&scope[]=manual`, { token: dev.token });
      assert.equal(two.body.length, 2);
      const hash = await t.api('GET', `/projects/${project.id}/jobs?scope[a]=pending`, { token: dev.token });
      assert.equal(hash.body.length, 1);
      const bad = await t.api('GET', `/projects/${project.id}/jobs?scope[]=unknown&scope[]=running`, { token: dev.token });
      assert.deepEqual([bad.status, bad.body], [400, { error: 'scope does not have a valid value' }]);
      const validationFirst = await t.api('GET', '/projects/999999/jobs?scope=bogus', { token: dev.token });
      assert.equal(validationFirst.status, 400);
      assert.deepEqual((await t.api('GET', '/projects/999999/jobs', { token: dev.token })).body, { message: '404 Project Not Found' });
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/jobs`, { token: null })).body, { message: '401 Unauthorized' });
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/jobs`, { token: guest.token })).body, { message: '403 Forbidden' });
    });

    it('pages by offset and by keyset cursor', async () => {
      const first = await t.api('GET', `/projects/${project.id}/jobs?per_page=1`, { token: dev.token });
      const second = await t.api('GET', `/projects/${project.id}/jobs?page=2&per_page=1`, { token: dev.token });
      assert.ok(first.body[0].id > second.body[0].id);
      const keyset = await t.api('GET', `/projects/${project.id}/jobs?pagination=keyset&per_page=2`, { token: dev.token });
      assert.match(keyset.headers.get('link') ?? '', /cursor=/);
      assert.equal(keyset.headers.get('x-page'), null);
      const next = (keyset.headers.get('link') ?? '').match(/<([^>]+)>/)![1];
      const rest = await t.api('GET', next, { token: dev.token });
      assert.equal(rest.body.length, 1);
      assert.equal(rest.headers.get('link'), null);
      const unsupported = await t.api('GET', `/projects/${project.id}/jobs?pagination=keyset&order_by=name&sort=asc`, { token: dev.token });
      assert.deepEqual([unsupported.status, unsupported.body], [405, { error: 'Keyset pagination is not yet available for this type of request' }]);
    });

    it('gets one job, its empty log, and 404s bridges and strangers', async () => {
      const compile = await jobNamed(ctx, pipeline.id, 'compile');
      const res = await t.api('GET', `/projects/${project.id}/jobs/${compile.id}`, { token: reporter.token });
      assert.equal(res.body.id, compile.id);
      assert.equal(res.body.failure_reason, undefined);
      const trace = await fetch(`${t.apiUrl}/projects/${project.id}/jobs/${compile.id}/trace`, { headers: { 'PRIVATE-TOKEN': dev.token } });
      assert.equal(trace.status, 200);
      assert.match(trace.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(trace.headers.get('content-disposition'), `infile; filename="${compile.id}.log"`);
      assert.equal(await trace.text(), '');
      const bridge = await jobNamed(ctx, pipeline.id, 'downstream');
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/jobs/${bridge.id}`, { token: dev.token })).body, { message: '404 Not found' });
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/jobs/abc`, { token: dev.token })).body, { error: 'job_id is invalid' });
    });

    it('cancels (201 even when nothing changes), retries with a new job, and refuses reporters', async () => {
      const compile = await jobNamed(ctx, pipeline.id, 'compile');
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${compile.id}/cancel`, { token: reporter.token })).status, 403);
      const canceled = await t.api('POST', `/projects/${project.id}/jobs/${compile.id}/cancel`, { token: dev.token });
      assert.deepEqual([canceled.status, canceled.body.status], [201, 'canceled']);
      assert.ok(canceled.body.finished_at);
      const again = await t.api('POST', `/projects/${project.id}/jobs/${compile.id}/cancel`, { token: dev.token });
      assert.deepEqual([again.status, again.body.status], [201, 'canceled']);
      const retried = await t.api('POST', `/projects/${project.id}/jobs/${compile.id}/retry`, { token: dev.token });
      assert.equal(retried.status, 201);
      assert.notEqual(retried.body.id, compile.id);
      assert.equal(retried.body.status, 'pending');
      assert.equal(retried.body.user.id, dev.id);
      const unit = await jobNamed(ctx, pipeline.id, 'unit');
      assert.deepEqual((await t.api('POST', `/projects/${project.id}/jobs/${unit.id}/retry`, { token: dev.token })).body, { message: '403 Forbidden - Job is not retryable' });
      const pipelineJobs = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/jobs`, { token: dev.token });
      assert.equal(pipelineJobs.body.filter((j: any) => j.name === 'compile').length, 1);
      assert.equal(pipelineJobs.headers.get('x-total'), String(pipelineJobs.body.length));
      const withRetried = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/jobs?include_retried=true`, { token: dev.token });
      assert.equal(withRetried.body.filter((j: any) => j.name === 'compile').length, 2);
    });

    it('plays manual jobs with validated variables', async () => {
      const deploy = await jobNamed(ctx, pipeline.id, 'deploy');
      const missingKey = await t.api('POST', `/projects/${project.id}/jobs/${deploy.id}/play`, { token: dev.token, body: { job_variables_attributes: [{ value: 'x' }] } });
      assert.deepEqual([missingKey.status, missingKey.body], [400, { error: 'job_variables_attributes[0][key] is missing' }]);
      const missingValue = await t.api('POST', `/projects/${project.id}/jobs/${deploy.id}/play`, { token: dev.token, body: { job_variables_attributes: [{ key: 'A', value: '1' }, { key: 'B' }] } });
      assert.deepEqual(missingValue.body, { error: 'job_variables_attributes[1][value] is missing' });
      assert.equal((await jobNamed(ctx, pipeline.id, 'deploy')).status, 'manual');
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${deploy.id}/play`, { token: reporter.token })).status, 403);
      const played = await t.api('POST', `/projects/${project.id}/jobs/${deploy.id}/play`, { token: dev.token, body: { job_variables_attributes: [{ key: 'TEST_VAR', value: 'test' }] } });
      assert.deepEqual([played.status, played.body.status, played.body.user.id, played.body.id], [200, 'pending', dev.id, deploy.id]);
      assert.deepEqual((await jobNamed(ctx, pipeline.id, 'deploy')).jobVariables, [{ key: 'TEST_VAR', value: 'test' }]);
      const unplayable = await t.api('POST', `/projects/${project.id}/jobs/${(await jobNamed(ctx, pipeline.id, 'unit')).id}/play`, { token: dev.token });
      assert.deepEqual([unplayable.status, unplayable.body], [400, { message: '400 Bad request - Unplayable Job' }]);
    });

    it('refuses to erase jobs that are not finished or have nothing to erase', async () => {
      const unit = await jobNamed(ctx, pipeline.id, 'unit');
      const res = await t.api('POST', `/projects/${project.id}/jobs/${unit.id}/erase`);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden - Job is not erasable!' }]);
    });

    it('lists bridges with their downstream pipeline', async () => {
      const [compile] = (await jobsOf(ctx, pipeline.id)).filter((j) => j.name === 'compile');
      await runJob(ctx, compile);
      const unit = await jobNamed(ctx, pipeline.id, 'unit');
      await runJob(ctx, unit);
      for (let i = 0; i < 100 && (await jobNamed(ctx, pipeline.id, 'downstream')).downstreamPipelineId === null; i++) await new Promise((r) => setTimeout(r, 20));
      const bridges = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/bridges`, { token: dev.token });
      assert.equal(bridges.status, 200);
      assert.equal(bridges.body.length, 1);
      assert.equal(bridges.body[0].name, 'downstream');
      assert.equal(bridges.body[0].downstream_pipeline.ref, 'main');
      assert.equal(bridges.body[0].tag_list, undefined);
      const badScope = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/bridges?scope=unknown`, { token: dev.token });
      assert.equal(badScope.status, 400);
    });

    it('answers GET /job with a running job token only', async () => {
      const fresh = await pushPipeline(t, project, { '.gitlab-ci.yml': 'solo:\n  script: x\n' }, 'token-branch');
      const solo = await jobNamed(ctx, fresh.id, 'solo');
      const token = 'glcbt-test-token-for-job';
      await ctx.store.jobs.update(solo.id, { tokenDigest: tokenDigest(token) });
      const running = await startJob(ctx, (await ctx.store.jobs.findById(solo.id))!);
      assert.ok(running);
      const viaHeader = await t.api('GET', '/job', { token: null, headers: { 'JOB-TOKEN': token } });
      assert.deepEqual([viaHeader.status, viaHeader.body.id, viaHeader.body.finished_at], [200, solo.id, null]);
      assert.equal((await t.api('GET', `/job?job_token=${token}`, { token: null })).body.id, solo.id);
      assert.equal((await t.api('GET', '/job', { token: null, headers: { Authorization: `Bearer ${token}` } })).body.id, solo.id);
      assert.deepEqual((await t.api('GET', '/job', { token: dev.token })).body, { message: '404 Job Not Found' });
      assert.deepEqual((await t.api('GET', '/job', { token: null })).body, { message: '401 Unauthorized' });
      const agents = await t.api('GET', '/job/allowed_agents', { token: null, headers: { 'JOB-TOKEN': token } });
      assert.deepEqual(agents.body.allowed_agents, []);
      assert.equal(agents.body.job.id, solo.id);
      assert.deepEqual(agents.body.user.roles_in_project, ['guest', 'planner', 'reporter', 'developer', 'maintainer', 'owner']);
      assert.equal((await t.api('GET', `/projects/${project.id}/jobs`, { token: null, headers: { 'JOB-TOKEN': token } })).status, 401, 'job tokens are not accepted on the job list');
      await runJob(ctx, (await ctx.store.jobs.findById(solo.id))!).catch(() => undefined);
      const { finishJob } = await import('../../src/services/pipelines/job-lifecycle.js');
      await finishJob(ctx, (await ctx.store.jobs.findById(solo.id))!, { status: 'success' });
      assert.equal((await t.api('GET', '/job', { token: null, headers: { 'JOB-TOKEN': token } })).status, 401, 'a finished job\'s token is dead');
    });
  });
}
