/** §9 cases 21–30: GET /projects/:id/jobs/:job_id. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { JobArtifact } from '../../../src/store/job-artifacts-repository.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertJob } from '../../helpers/entity-schemas.js';
import { jobNamed, pushPipeline } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { addArtifacts, createCast, daysFromNow, privateProject, reload, run, type Cast } from './common.js';

const CONFIG = `
stages: [build, test]
j:
  stage: build
  tags: [linux, docker]
  script: make
j2:
  stage: build
  script: make
broken:
  stage: build
  allow_failure: true
  script: make
erased:
  stage: build
  script: make
logged:
  stage: build
  script: make
trig:
  stage: test
  when: manual
  trigger:
    include: ci/child.yml
`;
const FILES = { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CONFIG };

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: GET /projects/:id/jobs/:job_id (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let pipeline: Pipeline;
    let J: Job;
    let J2: Job;
    let j2Artifacts: JobArtifact[];
    let failed: Job;
    let erased: Job;
    let logged: Job;
    const get = (id: number | string, token: string | null = cast.dev.token, projectId: number = project.id) =>
      t.api('GET', `/projects/${projectId}/jobs/${id}`, { token });

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      pipeline = await pushPipeline(t, project, FILES);
      J = await run(ctx, await jobNamed(ctx, pipeline.id, 'j'));
      J2 = await run(ctx, await jobNamed(ctx, pipeline.id, 'j2'));
      j2Artifacts = await addArtifacts(ctx, J2, ['archive', 'metadata', 'trace', 'junit'], { expireAt: daysFromNow(1) });
      failed = await run(ctx, await jobNamed(ctx, pipeline.id, 'broken'), 'failed');
      // Erased the way a user erases: a maintainer erases a finished job that has artifacts.
      erased = await run(ctx, await jobNamed(ctx, pipeline.id, 'erased'));
      await addArtifacts(ctx, erased, ['archive'], { expireAt: daysFromNow(1) });
      const erase = await t.api('POST', `/projects/${project.id}/jobs/${erased.id}/erase`, { token: cast.mnt.token });
      assert.equal(erase.status, 201, erase.text);
      erased = await reload(ctx, erased.id);
      logged = await run(ctx, await jobNamed(ctx, pipeline.id, 'logged'));
      await addArtifacts(ctx, logged, ['trace'], { stored: false });
      J = await reload(ctx, J.id);
      pipeline = (await ctx.store.pipelines.findById(pipeline.id))!;
    });
    after(() => t.close());

    it("case 21: developer gets J: its fields, no artifacts_file, artifacts [], web_url, archived", async () => {
      const res = await get(J.id);
      assert.equal(res.status, 200);
      assertJob(res.body);
      const b = res.body;
      assert.deepEqual(
        [b.id, b.status, b.stage, b.name, b.ref, b.tag, b.coverage, b.allow_failure, b.created_at, b.started_at],
        [J.id, 'success', J.stage, 'j', J.ref, J.tag, J.coverage, J.allowFailure, J.createdAt, J.startedAt],
      );
      // J has no uploaded artifacts, so it has no expiry (Conveyor keeps the expiry on the archive row).
      assert.equal(b.artifacts_expire_at, null);
      assert.equal(Object.hasOwn(b, 'artifacts_file'), false);
      assert.deepEqual(b.artifacts, []);
      assert.equal(b.web_url, `${t.url}/${project.path_with_namespace}/-/jobs/${J.id}`);
      assert.equal(b.archived, false);
    });

    it("case 22: finished_at is J's and duration is J's duration in float seconds", async () => {
      const res = await get(J.id);
      assertJob(res.body);
      assert.equal(res.body.finished_at, J.finishedAt);
      assert.equal(res.body.duration, (Date.parse(J.finishedAt!) - Date.parse(J.startedAt!)) / 1000);
    });

    it("case 23: pipeline id/project_id/ref/sha/status match", async () => {
      const res = await get(J.id);
      assertJob(res.body);
      const p = res.body.pipeline;
      assert.deepEqual([p.id, p.project_id, p.ref, p.sha, p.status], [pipeline.id, project.id, pipeline.ref, pipeline.sha, pipeline.status]);
    });

    it('case 24: J2 with artifacts shows artifacts_file and every artifact row', async () => {
      const res = await get(J2.id);
      assert.equal(res.status, 200);
      assertJob(res.body);
      const archive = j2Artifacts.find((a) => a.fileType === 'archive')!;
      assert.deepEqual(res.body.artifacts_file, { filename: archive.filename, size: archive.size });
      const byType = (a: { file_type: string }, b: { file_type: string }) => a.file_type.localeCompare(b.file_type);
      assert.deepEqual(
        [...res.body.artifacts].sort(byType),
        j2Artifacts.map((a) => ({ file_type: a.fileType, size: a.size, filename: a.filename, file_format: a.fileFormat })).sort(byType),
      );
      assert.equal(res.body.artifacts_expire_at, archive.expireAt);
    });

    it('case 25: no credentials → 401', async () => {
      const res = await get(J.id, null);
      assert.deepEqual([res.status, res.body], [401, { message: '401 Unauthorized' }]);
    });

    it('case 26: a success job has no failure_reason key', async () => {
      const res = await get(J.id);
      assertJob(res.body);
      assert.equal(Object.hasOwn(res.body, 'failure_reason'), false);
    });

    it('case 27: a failed job has failure_reason', async () => {
      const res = await get(failed.id);
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.equal(res.body.status, 'failed');
      assert.equal(res.body.failure_reason, 'script_failure');
    });

    it('case 28: an erased job shows its erased_at', async () => {
      assert.ok(erased.erasedAt, 'the job was erased');
      const res = await get(erased.id);
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.equal(res.body.erased_at, erased.erasedAt);
    });

    it('case 29: a log-artifact row with no stored file → 200 with one trace entry', async () => {
      const res = await get(logged.id);
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.equal(res.body.artifacts.length, 1);
      assert.deepEqual(
        { file_type: res.body.artifacts[0].file_type, filename: res.body.artifacts[0].filename },
        { file_type: 'trace', filename: 'job.log' },
      );
      assert.equal(Object.hasOwn(res.body, 'artifacts_file'), false);
    });

    it("case 30: another project's job or a bridge → 404 Not found; job_id=abc → 400", async () => {
      const other = await privateProject(t, cast);
      const otherPipeline = await pushPipeline(t, other, FILES);
      const foreign = await jobNamed(ctx, otherPipeline.id, 'j');
      const res = await get(foreign.id);
      assert.deepEqual([res.status, res.body], [404, { message: '404 Not found' }]);
      const trig = await jobNamed(ctx, pipeline.id, 'trig');
      const bridge = await get(trig.id);
      assert.deepEqual([bridge.status, bridge.body], [404, { message: '404 Not found' }]);
      const bad = await get('abc');
      assert.deepEqual([bad.status, bad.body], [400, { error: 'job_id is invalid' }]);
    });
  });
}
