/** §9 cases 49–55: POST /projects/:id/jobs/:job_id/erase (caller: maintainer unless stated). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertJob } from '../../helpers/entity-schemas.js';
import { jobNamed, pushPipeline } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { addArtifacts, artifactRows, createCast, daysFromNow, holdArtifactsSizeRecount, privateProject, reload, run, STATS_REFRESH_CONFLICT, type Cast } from './common.js';

const CONFIG = `
full:
  script: make
full2:
  script: make
logged:
  script: make
queued:
  script: make
mine:
  script: make
theirs:
  script: make
refreshing:
  script: make
`;

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: erase (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let pipeline: Pipeline;
    const erase = (id: number, token: string | null = cast.mnt.token) => t.api('POST', `/projects/${project.id}/jobs/${id}/erase`, { token });
    const traceText = async (id: number) =>
      (await fetch(`${t.apiUrl}/projects/${project.id}/jobs/${id}/trace`, { headers: { 'PRIVATE-TOKEN': cast.mnt.token } })).text();

    /** A finished job with archive, metadata, log and junit artifacts. */
    async function fullJob(name: string): Promise<Job> {
      const job = await run(ctx, await jobNamed(ctx, pipeline.id, name));
      await addArtifacts(ctx, job, ['archive', 'metadata', 'trace', 'junit'], { expireAt: daysFromNow(1) });
      assert.equal((await artifactRows(ctx, job.id)).length, 4);
      return job;
    }

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
    });
    after(() => t.close());

    it('case 49: erasing a success job with archive, metadata, log and junit → 201; nothing is left', async () => {
      const job = await fullJob('full');
      const res = await erase(job.id);
      assert.equal(res.status, 201, res.text);
      assertJob(res.body);
      assert.equal(res.body.id, job.id);
      assert.deepEqual(res.body.artifacts, []);
      assert.equal(Object.hasOwn(res.body, 'artifacts_file'), false);
      assert.deepEqual(await artifactRows(ctx, job.id), [], 'no artifact rows (archive, metadata, log, junit)');
      const shown = await t.api('GET', `/projects/${project.id}/jobs/${job.id}`, { token: cast.mnt.token });
      assertJob(shown.body);
      assert.deepEqual(shown.body.artifacts, []);
      assert.equal(Object.hasOwn(shown.body, 'artifacts_file'), false);
      assert.equal(shown.body.artifacts_expire_at, null);
      assert.equal(await traceText(job.id), '', 'no log');
    });

    it('case 50: the erased job has erased_at set and erased_by = caller', async () => {
      const job = await fullJob('full2');
      const res = await erase(job.id);
      assert.equal(res.status, 201, res.text);
      assertJob(res.body);
      assert.equal(typeof res.body.erased_at, 'string');
      const reloaded = await reload(ctx, job.id);
      assert.equal(reloaded.erasedAt, res.body.erased_at);
      assert.equal(reloaded.erasedById, cast.mnt.id);
    });

    it('case 51: a success job with an unarchived log artifact → 201, everything erased (no live log can be made yet)', async () => {
      const job = await run(ctx, await jobNamed(ctx, pipeline.id, 'logged'));
      await addArtifacts(ctx, job, ['trace'], { stored: false });
      const res = await erase(job.id);
      assert.equal(res.status, 201, res.text);
      assertJob(res.body);
      assert.deepEqual(res.body.artifacts, []);
      assert.deepEqual(await artifactRows(ctx, job.id), []);
      assert.equal(await traceText(job.id), '');
      assert.ok((await reload(ctx, job.id)).erasedAt);
    });

    it('case 52: a pending job → 403 Job is not erasable!', async () => {
      const queued = await jobNamed(ctx, pipeline.id, 'queued');
      assert.equal(queued.status, 'pending');
      const res = await erase(queued.id);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden - Job is not erasable!' }]);
      assert.equal((await reload(ctx, queued.id)).erasedAt, null);
    });

    it('case 53: a developer erases a job they triggered → 201', async () => {
      const first = await run(ctx, await jobNamed(ctx, pipeline.id, 'mine'));
      // The developer retries it, so the new job is theirs.
      const retry = await t.api('POST', `/projects/${project.id}/jobs/${first.id}/retry`, { token: cast.dev.token });
      assert.equal(retry.status, 201, retry.text);
      assertJob(retry.body);
      const own = await run(ctx, await reload(ctx, retry.body.id));
      assert.equal(own.userId, cast.dev.id);
      await addArtifacts(ctx, own, ['archive', 'trace'], { expireAt: daysFromNow(1) });
      const res = await erase(own.id, cast.dev.token);
      assert.equal(res.status, 201, res.text);
      assertJob(res.body);
      assert.equal(typeof res.body.erased_at, 'string');
      assert.equal((await reload(ctx, own.id)).erasedById, cast.dev.id);
    });

    it("case 54: a developer erases someone else's job → 403", async () => {
      const job = await run(ctx, await jobNamed(ctx, pipeline.id, 'theirs'));
      assert.notEqual(job.userId, cast.dev.id);
      await addArtifacts(ctx, job, ['archive', 'trace'], { expireAt: daysFromNow(1) });
      const res = await erase(job.id, cast.dev.token);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden' }]);
      assert.equal((await artifactRows(ctx, job.id)).length, 2, 'artifacts untouched');
      assert.equal((await reload(ctx, job.id)).erasedAt, null);
    });

    it("case 55: while the project's artifacts' size is recounted → 409, artifacts kept; erasable once it ends", async () => {
      const job = await run(ctx, await jobNamed(ctx, pipeline.id, 'refreshing'));
      await addArtifacts(ctx, job, ['archive', 'trace'], { expireAt: daysFromNow(1) });
      const recount = await holdArtifactsSizeRecount(t, project.id);
      try {
        const res = await erase(job.id);
        assert.deepEqual([res.status, res.body], [409, STATS_REFRESH_CONFLICT]);
        assert.equal((await artifactRows(ctx, job.id)).length, 2, 'artifacts untouched');
        assert.equal((await reload(ctx, job.id)).erasedAt, null);
        // Checked after erasable (GitLab's order): an unerasable job is still 403.
        const queued = await jobNamed(ctx, pipeline.id, 'queued');
        assert.equal((await erase(queued.id)).status, 403);
      } finally {
        await recount.finish();
      }
      assert.equal((await erase(job.id)).status, 201);
      assert.deepEqual(await artifactRows(ctx, job.id), []);
    });
  });
}
