/**
 * Issue #7's artifact housekeeping, on both dialects: the expiry sweeper with the clock moved forward
 * instead of waiting, "keep latest artifacts" (on and off, and while a job retried in the newest
 * successful pipeline reopens it), the log archived as the `trace` artifact when a job finishes, and
 * `missing_dependency_failure` decided when a runner asks for a job.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sweepExpiredArtifacts } from '../../src/services/artifacts/artifact-sweeper.js';
import { archiveTrace } from '../../src/services/artifacts/trace-artifact.js';
import type { ServiceContext } from '../../src/services/context.js';
import { finishJob } from '../../src/services/pipelines/job-lifecycle.js';
import type { Job } from '../../src/store/jobs-repository.js';
import { makeZip, runWithArtifacts, startWithToken, uploadArtifact } from '../helpers/artifacts.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { createRunner, patchTrace, requestJob, updateJob } from '../helpers/runners.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZIP = makeZip([{ name: 'dist/', mode: 0o40755 }, { name: 'dist/app.js', data: 'console.log("built")\n' }]);
const archive = (expireIn = '1 day') => ({ body: ZIP, query: { artifact_type: 'archive', artifact_format: 'zip', expire_in: expireIn } });
const junit = { body: zlib.gzipSync('<testsuites/>'), query: { artifact_type: 'junit', artifact_format: 'gzip', expire_in: '1 day' }, filename: 'junit.xml.gz' };

const TWO_JOBS = 'build:\n  script: make\n  artifacts: { paths: [dist/] }\ncheck:\n  script: make check\n';

for (const dialect of DIALECTS) {
  describe(`artifact housekeeping (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
    });
    after(() => t.close());

    let pushes = 0;
    const at = (offsetMs: number): ServiceContext => ({ ...ctx, clock: { now: () => new Date(Date.now() + offsetMs) } });
    const types = async (jobId: number) => (await ctx.store.jobArtifacts.listByJob(jobId)).map((a) => a.fileType).sort();
    const blobFiles = (jobId: number) => {
      const dir = path.join(t.dataDir, 'blobs', 'artifacts', String(jobId));
      return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    };
    async function pipelineStatus(pipelineId: number, want: string): Promise<void> {
      for (let i = 0; i < 400; i++) {
        if ((await ctx.store.pipelines.findById(pipelineId))?.status === want) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.fail(`pipeline ${pipelineId} is ${(await ctx.store.pipelines.findById(pipelineId))?.status}, not ${want}`);
    }
    /** Runs every job of a fresh pipeline, uploading `uploads[name]` for the named ones. */
    async function pipelineWith(project: any, config: string, ref: string, uploads: Record<string, Array<{ body: Buffer; query?: Record<string, string>; filename?: string }>>, outcome: Record<string, 'success' | 'failed'> = {}) {
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': config, 'marker.txt': `${pushes++}` }, ref);
      const ids: Record<string, number> = {};
      for (const job of await ctx.store.jobs.listByPipeline(pipeline.id)) {
        ids[job.name] = (await runWithArtifacts(t, job, uploads[job.name] ?? [], outcome[job.name] ?? 'success')).id;
      }
      return { pipeline, ids };
    }
    /** Moves an artifact's expiry into the past as the passing of time would (the row is otherwise unchanged). */
    async function expireNow(jobId: number, fileType = 'archive') {
      const row = (await ctx.store.jobArtifacts.listByJob(jobId)).find((a) => a.fileType === fileType)!;
      await ctx.store.jobArtifacts.deleteByIds([row.id]);
      const past = new Date(Date.now() - DAY).toISOString();
      await ctx.store.jobArtifacts.insert({ ...row, expireAt: past });
      if (fileType === 'archive') await ctx.store.jobArtifacts.setJobExpiry(jobId, past);
    }

    it('the sweeper removes expired artifacts (rows and files) once their time has come; kept, never-expiring, logs and the ref\'s newest successful pipeline stay', async () => {
      const project = await createProject(t);
      const a = await pipelineWith(project, TWO_JOBS, 'main', { build: [archive(), junit], check: [archive('never')] });
      const kept = await pipelineWith(project, TWO_JOBS, 'main', { build: [archive()] });
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${kept.ids.build}/artifacts/keep`)).status, 200);
      const b = await pipelineWith(project, TWO_JOBS, 'main', { build: [archive(), junit] });
      const failed = await pipelineWith(project, TWO_JOBS, 'feature', { build: [archive()] }, { check: 'failed' });
      for (const p of [a, kept, b]) await pipelineStatus(p.pipeline.id, 'success');
      await pipelineStatus(failed.pipeline.id, 'failed');
      // A log, so the trace artifact is there too (it never expires).
      const traced = await pushPipeline(t, project, { '.gitlab-ci.yml': TWO_JOBS, 'marker.txt': `${pushes++}` }, 'old-logs');
      const tracedBuild = await runWithLog(await jobNamed(ctx, traced.id, 'build'), 'build log\n', [archive()]);
      await runWithArtifacts(t, await jobNamed(ctx, traced.id, 'check'), []);
      assert.ok(blobFiles(a.ids.build).length === 2);

      assert.equal(await sweepExpiredArtifacts(at(23 * HOUR)), 0, 'nothing has expired after 23 hours');
      assert.deepEqual(await types(a.ids.build), ['archive', 'junit']);

      const removed = await sweepExpiredArtifacts(at(2 * DAY));
      assert.deepEqual(await types(a.ids.build), [], 'an older pipeline\'s artifacts go');
      assert.deepEqual(blobFiles(a.ids.build), [], 'with their files');
      assert.deepEqual(await types(a.ids.check), ['archive'], 'expire_in: never stays');
      assert.deepEqual(await types(kept.ids.build), ['archive'], 'kept through the API stays');
      assert.deepEqual(await types(b.ids.build), ['archive', 'junit'], 'main\'s newest successful pipeline is locked');
      assert.equal(blobFiles(b.ids.build).length, 2);
      assert.deepEqual(await types(failed.ids.build), [], 'a failed pipeline locks nothing');
      assert.deepEqual(await types(tracedBuild), ['archive', 'trace'], 'old-logs\' newest successful pipeline keeps its archive; logs never expire');
      assert.equal(removed, 3);
      assert.equal(await sweepExpiredArtifacts(at(2 * DAY)), 0, 'a second sweep finds nothing');

      // The locked archive is still served by path although expired (E14), until keep-latest is turned off.
      const file = () => t.api('GET', `/projects/${project.id}/jobs/${b.ids.build}/artifacts/dist/app.js`);
      await expireNow(b.ids.build);
      assert.equal((await file()).status, 200);
      await ctx.store.applicationSettings.set('keep_latest_artifact', 'false');
      try {
        assert.equal((await t.api('GET', '/application/settings')).body.keep_latest_artifact, false);
        assert.equal((await file()).status, 404, 'no longer locked: expired');
        await sweepExpiredArtifacts(at(2 * DAY));
        assert.deepEqual(await types(b.ids.build), [], 'keep-latest off: the newest successful pipeline\'s artifacts expire too');
        assert.deepEqual(await types(tracedBuild), ['trace']);
      } finally {
        await ctx.store.applicationSettings.set('keep_latest_artifact', 'true');
      }
      assert.equal((await t.api('GET', '/application/settings')).body.keep_latest_artifact, true);
    });

    it('a job retried in the ref\'s newest successful pipeline reopens it; its expired artifacts stay locked meanwhile and after', async () => {
      const project = await createProject(t);
      const p = await pipelineWith(project, TWO_JOBS, 'release', { build: [archive()] });
      await pipelineStatus(p.pipeline.id, 'success');
      const retried = await t.api('POST', `/projects/${project.id}/jobs/${p.ids.check}/retry`);
      assert.equal(retried.status, 201, retried.text);
      await pipelineStatus(p.pipeline.id, 'running');
      assert.equal(await sweepExpiredArtifacts(at(2 * DAY)), 0, 'the reopened pipeline keeps its lock');
      assert.deepEqual(await types(p.ids.build), ['archive']);
      await expireNow(p.ids.build);
      assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${p.ids.build}/artifacts/dist/app.js`)).status, 200);
      await runWithArtifacts(t, (await ctx.store.jobs.findById(retried.body.id))!, []);
      await pipelineStatus(p.pipeline.id, 'success');
      assert.equal(await sweepExpiredArtifacts(at(2 * DAY)), 0);
      // A newer pipeline on the ref that fails does not unlock it either; one that succeeds does.
      const failing = await pipelineWith(project, TWO_JOBS, 'release', { build: [archive()] }, { check: 'failed' });
      await pipelineStatus(failing.pipeline.id, 'failed');
      await sweepExpiredArtifacts(at(2 * DAY));
      assert.deepEqual(await types(p.ids.build), ['archive']);
      assert.deepEqual(await types(failing.ids.build), []);
      const newer = await pipelineWith(project, TWO_JOBS, 'release', { build: [archive()] });
      await pipelineStatus(newer.pipeline.id, 'success');
      await sweepExpiredArtifacts(at(2 * DAY));
      assert.deepEqual(await types(p.ids.build), []);
      assert.deepEqual(await types(newer.ids.build), ['archive']);
    });

    /** Runs a job through the runner protocol: a log, the uploads, `success`; then waits for its trace artifact. */
    async function runWithLog(job: Job, log: string, uploads: Array<{ body: Buffer; query?: Record<string, string> }>): Promise<number> {
      const { token } = await startWithToken(ctx, job);
      assert.equal((await patchTrace(t, job.id, token, 0, log)).status, 202);
      for (const upload of uploads) assert.equal((await uploadArtifact(t, job.id, token, upload.body, upload.query)).status, 201);
      assert.equal((await updateJob(t, job.id, token, { state: 'success' })).status, 200);
      for (let i = 0; i < 200 && !(await types(job.id)).includes('trace'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok((await types(job.id)).includes('trace'), 'the trace artifact appears');
      return job.id;
    }

    it('a finished job\'s log becomes its `trace` artifact (job.log, raw, never expires, sha256 of the log); erase removes it with the log', async () => {
      const project = await createProject(t);
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': 'logged:\n  script: make\nsilent:\n  script: make\n' });
      const log = '\u001b[32mRunning with conveyor\u001b[0m\nline two ✓\n';
      const { token } = await startWithToken(ctx, await jobNamed(ctx, pipeline.id, 'logged'));
      const logged = (await jobNamed(ctx, pipeline.id, 'logged')).id;
      assert.equal((await patchTrace(t, logged, token, 0, log)).status, 202);
      assert.deepEqual(await types(logged), [], 'no trace artifact while the job runs');
      assert.equal((await updateJob(t, logged, token, { state: 'success' })).status, 200);
      let row;
      for (let i = 0; i < 200 && !(row = (await ctx.store.jobArtifacts.listByJob(logged)).find((a) => a.fileType === 'trace')); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(row, 'the trace artifact appears');
      const bytes = Buffer.from(log);
      assert.deepEqual(
        { type: row.fileType, format: row.fileFormat, filename: row.filename, size: row.size, sha256: row.sha256, expireAt: row.expireAt },
        { type: 'trace', format: 'raw', filename: 'job.log', size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), expireAt: null },
      );
      assert.equal(await archiveTrace(ctx, logged), false, 'archiving twice adds nothing');
      const shown = await t.api('GET', `/projects/${project.id}/jobs/${logged}`);
      assert.deepEqual(shown.body.artifacts, [{ file_type: 'trace', size: bytes.length, filename: 'job.log', file_format: 'raw' }]);
      assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${logged}/trace`)).text, log, 'the log reads the same');
      // A job that logged nothing has no trace artifact.
      const silent = await startWithToken(ctx, await jobNamed(ctx, pipeline.id, 'silent'));
      await finishJob(ctx, silent.job, { status: 'success' });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await archiveTrace(ctx, silent.job.id), false);
      assert.deepEqual(await types(silent.job.id), []);
      // Erase takes both.
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${logged}/erase`)).status, 201);
      assert.deepEqual(await types(logged), []);
      assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${logged}/trace`)).text, '');
    });

    it('at job request: a dependency that was erased, or whose archive expired in a pipeline no longer locked, fails the job with missing_dependency_failure; others run', async () => {
      const project = await createProject(t);
      const runner = await createRunner(t, { runner_type: 'project_type', project_id: project.id });
      const config = `
stages: [build, test]
build:
  stage: build
  script: make
  artifacts: { paths: [dist/] }
erased:
  stage: build
  script: make
  artifacts: { paths: [dist/] }
plain:
  stage: build
  script: make
needs_build:
  stage: test
  needs: [build]
  when: manual
  script: make
needs_erased:
  stage: test
  needs: [erased]
  script: make
needs_plain:
  stage: test
  needs: [plain]
  when: manual
  script: make
no_deps:
  stage: test
  dependencies: []
  when: manual
  script: make
`;
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': config, 'marker.txt': `${pushes++}` });
      const build = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'build'), [archive()]);
      const erased = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'erased'), [archive()]);
      await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'plain'), []);
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${erased.id}/erase`)).status, 201);
      // The erased dependency: refused at once, whatever the lock.
      let res = await requestJob(t, runner.token);
      assert.equal(res.status, 204, res.text);
      const needsErased = await jobNamed(ctx, pipeline.id, 'needs_erased');
      assert.equal(`${needsErased.status}/${needsErased.failureReason}`, 'failed/missing_dependency_failure');
      assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${needsErased.id}`)).body.failure_reason, 'missing_dependency_failure');
      // A newer successful pipeline on the ref unlocks this one: its expired archive is then missing.
      const newer = await pipelineWith(project, 'only:\n  script: make\n', 'main', {});
      await pipelineStatus(newer.pipeline.id, 'success');
      await expireNow(build.id);
      for (const name of ['needs_build', 'needs_plain', 'no_deps']) {
        assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${(await jobNamed(ctx, pipeline.id, name)).id}/play`)).status, 200, name);
      }
      const handed: string[] = [];
      for (;;) {
        res = await requestJob(t, runner.token);
        if (res.status === 204) break;
        assert.equal(res.status, 201, res.text);
        handed.push(res.body.job_info.name);
      }
      assert.deepEqual(handed.sort(), ['needs_plain', 'no_deps'], 'no dependency with artifacts, or none at all: they run');
      const needsBuild = await jobNamed(ctx, pipeline.id, 'needs_build');
      assert.equal(`${needsBuild.status}/${needsBuild.failureReason}`, 'failed/missing_dependency_failure');
    });

    it('at job request: a dependency whose archive the sweeper already deleted fails the job with missing_dependency_failure; a kept one runs', async () => {
      const project = await createProject(t);
      const runner = await createRunner(t, { runner_type: 'project_type', project_id: project.id });
      const config = 'stages: [build, test]\n' +
        'build:\n  stage: build\n  script: make\n  artifacts: { paths: [dist/] }\n' +
        'kept:\n  stage: build\n  script: make\n  artifacts: { paths: [dist/] }\n' +
        'needs_build:\n  stage: test\n  needs: [build]\n  when: manual\n  script: make\n' +
        'needs_kept:\n  stage: test\n  needs: [kept]\n  when: manual\n  script: make\n';
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': config, 'marker.txt': `${pushes++}` });
      const build = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'build'), [archive()]);
      const kept = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'kept'), [archive()]);
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${kept.id}/artifacts/keep`)).status, 200);
      const newer = await pipelineWith(project, 'only:\n  script: make\n', 'main', {});
      await pipelineStatus(newer.pipeline.id, 'success');
      await expireNow(build.id);
      await sweepExpiredArtifacts(ctx);
      assert.ok(!(await types(build.id)).includes('archive'), 'swept');
      assert.ok((await types(kept.id)).includes('archive'), 'kept');
      for (const name of ['needs_build', 'needs_kept']) {
        assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${(await jobNamed(ctx, pipeline.id, name)).id}/play`)).status, 200, name);
      }
      const handed: string[] = [];
      for (;;) {
        const res = await requestJob(t, runner.token);
        if (res.status === 204) break;
        assert.equal(res.status, 201, res.text);
        handed.push(res.body.job_info.name);
      }
      assert.deepEqual(handed, ['needs_kept']);
      const needsBuild = await jobNamed(ctx, pipeline.id, 'needs_build');
      assert.equal(`${needsBuild.status}/${needsBuild.failureReason}`, 'failed/missing_dependency_failure');
    });

    it('at job request: a manual job played days later in the ref\'s newest successful pipeline gets its dependency\'s expired (locked) archive', async () => {
      const project = await createProject(t);
      const runner = await createRunner(t, { runner_type: 'project_type', project_id: project.id });
      const pipeline = await pushPipeline(t, project, {
        '.gitlab-ci.yml': 'stages: [build, deploy]\nbuild:\n  stage: build\n  script: make\n  artifacts: { paths: [dist/] }\ndeploy:\n  stage: deploy\n  when: manual\n  script: deploy\n',
      });
      const build = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'build'), [archive()]);
      await pipelineStatus(pipeline.id, 'success');
      await expireNow(build.id);
      const deploy = await jobNamed(ctx, pipeline.id, 'deploy');
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${deploy.id}/play`)).status, 200);
      await sweepExpiredArtifacts(at(DAY));
      assert.deepEqual(await types(build.id), ['archive'], 'the played pipeline keeps its lock');
      const res = await requestJob(t, runner.token);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.job_info.name, 'deploy');
      const dependency = res.body.dependencies.find((d: any) => d.name === 'build');
      assert.equal(dependency.artifacts_file.filename, 'artifacts.zip');
      const download = await fetch(`${t.apiUrl}/jobs/${build.id}/artifacts`, { headers: { 'JOB-TOKEN': res.body.token } });
      assert.equal(download.status, 200);
      assert.deepEqual(Buffer.from(await download.arrayBuffer()), ZIP);
    });

    it('GET /application/settings shows the artifact settings the upload uses', async () => {
      const shown = async () => (await t.api('GET', '/application/settings')).body;
      assert.equal((await shown()).max_artifacts_size, 100);
      assert.equal((await shown()).default_artifacts_expire_in, '30 days');
      await ctx.store.applicationSettings.set('max_artifacts_size', '7');
      await ctx.store.applicationSettings.set('default_artifacts_expire_in', '2 days');
      try {
        assert.equal((await shown()).max_artifacts_size, 7);
        assert.equal((await shown()).default_artifacts_expire_in, '2 days');
        const project = await createProject(t);
        const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': TWO_JOBS });
        const job: Job = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'build'), [{ body: ZIP }]);
        const [row] = await ctx.store.jobArtifacts.listByJob(job.id);
        assert.ok(Math.abs(Date.parse(row.expireAt!) - (Date.now() + 2 * DAY)) < 10 * 60_000, 'the default applies to uploads');
      } finally {
        await ctx.store.applicationSettings.set('max_artifacts_size', '100');
        await ctx.store.applicationSettings.set('default_artifacts_expire_in', '30 days');
      }
      assert.equal((await t.api('GET', '/application/settings', { token: null })).status, 401);
    });
  });
}
