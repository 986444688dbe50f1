/** §9 cases 73–84: GET /projects/:id/pipelines/:pipeline_id/jobs (caller: maintainer, public_builds=false). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { JobArtifact } from '../../../src/store/job-artifacts-repository.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertJob } from '../../helpers/entity-schemas.js';
import { createProject } from '../../helpers/fixtures.js';
import { jobNamed, jobsOf, pushPipeline } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { addArtifacts, createCast, daysFromNow, OFFSET_HEADERS, privateProject, reload, run, start, type Cast } from './common.js';

const CONFIG = `
stages: [build, test]
done:
  stage: build
  script: make
busy:
  stage: build
  script: make
queued:
  stage: build
  script: make
later:
  stage: test
  script: make test
trig:
  stage: test
  when: manual
  trigger:
    include: ci/child.yml
`;
const FILES = { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CONFIG };

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: GET /projects/:id/pipelines/:pipeline_id/jobs (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let pipeline: Pipeline;
    let done: Job;
    let doneArchive: JobArtifact;
    const jobs = (query = '', token: string | null = cast.mnt.token, projectId: number = project.id, pipelineId: number = pipeline.id) =>
      t.api('GET', `/projects/${projectId}/pipelines/${pipelineId}/jobs${query}`, { token });

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      pipeline = await pushPipeline(t, project, FILES);
      done = await run(ctx, await jobNamed(ctx, pipeline.id, 'done'));
      [doneArchive] = await addArtifacts(ctx, done, ['archive'], { expireAt: daysFromNow(1) });
      await start(ctx, await jobNamed(ctx, pipeline.id, 'busy'));
      pipeline = (await ctx.store.pipelines.findById(pipeline.id))!;
    });
    after(() => t.close());

    it('case 73: 200 array with the full pagination headers, X-Total and X-Total-Pages included', async () => {
      const res = await jobs();
      assert.equal(res.status, 200);
      assert.ok(Array.isArray(res.body));
      assertJob(res.body);
      for (const header of OFFSET_HEADERS) assert.notEqual(res.headers.get(header), null, `${header} present`);
      const builds = (await jobsOf(ctx, pipeline.id)).filter((j) => j.type === 'build');
      assert.equal(res.headers.get('x-total'), String(builds.length));
      assert.equal(res.headers.get('x-total-pages'), '1');
      assert.equal(res.body.length, builds.length);
    });

    it('case 74: [0].commit.id and artifacts_expire_at; no artifacts_file and artifacts [] without artifacts', async () => {
      const res = await jobs();
      assertJob(res.body);
      const first = res.body[0];
      assert.equal(first.commit.id, pipeline.sha);
      assert.equal(first.name, 'later', 'newest first');
      assert.equal(first.artifacts_expire_at, null);
      assert.equal(Object.hasOwn(first, 'artifacts_file'), false);
      assert.deepEqual(first.artifacts, []);
      // The expiry comes from the job's archive where there is one.
      const withArchive = res.body.find((j: any) => j.id === done.id);
      assert.equal(withArchive.commit.id, pipeline.sha);
      assert.equal(withArchive.artifacts_expire_at, doneArchive.expireAt);
    });

    it('case 75: pipeline id/project_id/ref/sha/status match', async () => {
      const res = await jobs();
      assertJob(res.body);
      for (const job of res.body) {
        const p = job.pipeline;
        assert.deepEqual([p.id, p.project_id, p.ref, p.sha, p.status], [pipeline.id, project.id, pipeline.ref, pipeline.sha, pipeline.status]);
      }
    });

    it('case 76: scope=pending → duration null and queued_duration ≥ 0', async () => {
      const res = await jobs('?scope=pending');
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.ok(res.body.length > 0, 'a pending job');
      for (const job of res.body) {
        assert.equal(job.status, 'pending');
        assert.equal(job.duration, null);
        assert.equal(typeof job.queued_duration, 'number');
        assert.ok(job.queued_duration >= 0);
      }
    });

    it('case 77: scope=running → duration ≥ 0 and queued_duration ≥ 0', async () => {
      const res = await jobs('?scope=running');
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.ok(res.body.length > 0, 'a running job');
      for (const job of res.body) {
        assert.equal(job.status, 'running');
        assert.equal(typeof job.duration, 'number');
        assert.ok(job.duration >= 0);
        assert.equal(typeof job.queued_duration, 'number');
        assert.ok(job.queued_duration >= 0);
      }
    });

    it('case 78: hash-form scope → 400', async () => {
      const res = await jobs('?scope[hello]=pending&scope[world]=running');
      assert.deepEqual([res.status, res.body], [400, { error: 'scope does not have a valid value' }]);
    });

    it('case 79: scope[]=pending&scope[]=running → 200; scope[]=unknown&scope[]=running → 400', async () => {
      const ok = await jobs('?scope[]=pending&scope[]=running');
      assert.equal(ok.status, 200);
      assertJob(ok.body);
      assert.deepEqual(ok.body.map((j: any) => j.status).sort(), ['pending', 'running']);
      const bad = await jobs('?scope[]=unknown&scope[]=running');
      assert.deepEqual([bad.status, bad.body], [400, { error: 'scope does not have a valid value' }]);
    });

    it("case 80: another pipeline's jobs are never included", async () => {
      const other = await pushPipeline(t, project, FILES, 'other-branch');
      const otherIds = new Set((await jobsOf(ctx, other.id, { includeRetried: true })).map((j) => j.id));
      const res = await jobs('?per_page=100&include_retried=true');
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.ok(res.body.length > 0);
      assert.ok(res.body.every((j: any) => j.pipeline.id === pipeline.id && !otherIds.has(j.id)));
      const back = await jobs('', cast.mnt.token, project.id, other.id);
      assertJob(back.body);
      assert.ok(back.body.every((j: any) => j.pipeline.id === other.id));
    });

    it('case 81: a retried job and its successor: 1 by default and with include_retried=false, 2 with true', async () => {
      const single = await pushPipeline(t, project, { '.gitlab-ci.yml': 'solo:\n  script: make\n' }, 'retry-branch');
      const failed = await run(ctx, await jobNamed(ctx, single.id, 'solo'), 'failed');
      const retry = await t.api('POST', `/projects/${project.id}/jobs/${failed.id}/retry`, { token: cast.mnt.token });
      assert.equal(retry.status, 201, retry.text);
      assertJob(retry.body);
      for (const [query, count] of [['', 1], ['?include_retried=false', 1], ['?include_retried=true', 2]] as const) {
        const res = await jobs(query, cast.mnt.token, project.id, single.id);
        assert.equal(res.status, 200, query);
        assertJob(res.body);
        assert.equal(res.body.length, count, query);
        assert.ok(res.body.every((j: any) => j.name === 'solo'), query);
      }
      assert.equal((await reload(ctx, failed.id)).retried, true);
    });

    it('case 82: the pipeline id under a project the caller cannot see → 404 Project Not Found', async () => {
      const hidden = await createProject(t, { visibility: 'private' });
      const res = await jobs('', cast.mnt.token, hidden.id);
      assert.deepEqual([res.status, res.body], [404, { message: '404 Project Not Found' }]);
    });

    it('case 83: anonymous on a private project → 404 Project Not Found', async () => {
      const res = await jobs('', null);
      assert.deepEqual([res.status, res.body], [404, { message: '404 Project Not Found' }]);
    });

    it('case 84: guest → 403', async () => {
      const res = await jobs('', cast.gst.token);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden' }]);
    });
  });
}
