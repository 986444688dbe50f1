/**
 * Project statistics (`GET /projects/:id?statistics=true`): the repository measured, the job artifacts'
 * size kept as artifacts come and go, and GitLab's recount of that size (`conveyor refresh-artifacts-size`),
 * during which nothing may remove the project's artifacts (409).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { sweepExpiredArtifacts } from '../../src/services/artifacts/artifact-sweeper.js';
import { runArtifactsSizeRefreshes, stepArtifactsSizeRefresh } from '../../src/services/projects/project-statistics.js';
import type { ServiceContext } from '../../src/services/context.js';
import { makeZip, runWithArtifacts } from '../helpers/artifacts.js';
import { DIALECTS } from '../helpers/databases.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addArtifacts, artifactRows, createCast, daysFromNow, eventually, holdArtifactsSizeRecount, privateProject, run, STATS_REFRESH_CONFLICT, type Cast } from './jobs-acceptance/common.js';

const CONFIG = 'build:\n  script: make\ntest:\n  script: make\n';
const ZIP = makeZip([{ name: 'dist/app.bin', data: Buffer.alloc(5000, 7) }]);
const archive = { body: ZIP, query: { artifact_type: 'archive', artifact_format: 'zip', expire_in: '1 day' } };

/** What the project's artifact rows add up to, straight from the table. */
async function storedSize(ctx: ServiceContext, projectId: number): Promise<number> {
  const rows = await ctx.store.db.selectFrom('job_artifacts').select('size').where('project_id', '=', projectId).execute();
  return rows.reduce((sum, row) => sum + Number(row.size ?? 0), 0);
}

for (const dialect of DIALECTS) {
  describe(`project statistics (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    const statistics = async (projectId: number, token = cast.mnt.token) => (await t.api('GET', `/projects/${projectId}?statistics=true`, { token })).body.statistics;

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
    });
    after(() => t.close());

    it("answers GitLab's ProjectStatistics to Reporters and up who ask; the artifacts' size follows uploads, deletes, erases and pipeline deletion", async () => {
      const project = await privateProject(t, cast);
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
      const build = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'build'), [archive]);
      const test = await runWithArtifacts(t, await jobNamed(ctx, pipeline.id, 'test'), [archive]);
      const stats = await statistics(project.id);
      assert.deepEqual(Object.keys(stats), [
        'commit_count', 'storage_size', 'repository_size', 'wiki_size', 'lfs_objects_size', 'job_artifacts_size',
        'pipeline_artifacts_size', 'packages_size', 'snippets_size', 'uploads_size', 'container_registry_size',
      ]);
      assert.equal(stats.commit_count, 1);
      assert.ok(stats.repository_size > 0);
      assert.ok(stats.job_artifacts_size >= 2 * ZIP.length);
      assert.equal(stats.job_artifacts_size, await storedSize(ctx, project.id));
      assert.equal(stats.storage_size, stats.repository_size + stats.job_artifacts_size);
      assert.equal((await statistics(project.id, cast.rep.token)).job_artifacts_size, stats.job_artifacts_size, 'a Reporter reads them');
      assert.equal(await statistics(project.id, cast.gst.token), undefined, 'a Guest gets the project without them');
      assert.equal((await t.api('GET', `/projects/${project.id}`, { token: cast.mnt.token })).body.statistics, undefined, 'only when asked');

      assert.equal((await t.api('DELETE', `/projects/${project.id}/jobs/${build.id}/artifacts`, { token: cast.mnt.token })).status, 204);
      assert.equal((await statistics(project.id)).job_artifacts_size, await storedSize(ctx, project.id));
      assert.ok((await statistics(project.id)).job_artifacts_size < stats.job_artifacts_size);
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${test.id}/erase`, { token: cast.mnt.token })).status, 201);
      assert.equal((await statistics(project.id)).job_artifacts_size, await storedSize(ctx, project.id));

      // Deleting the pipeline takes its artifacts off the total and their files off the disk.
      const second = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG, 'two.txt': '2' });
      const kept = await runWithArtifacts(t, await jobNamed(ctx, second.id, 'build'), [archive]);
      const [file] = (await artifactRows(ctx, kept.id)).filter((a) => a.fileType === 'archive');
      const blob = path.join(t.dataDir, 'blobs', file.blobKey!);
      assert.ok(fs.existsSync(blob), blob);
      assert.equal((await t.api('DELETE', `/projects/${project.id}/pipelines/${second.id}`)).status, 204);
      assert.equal(fs.existsSync(blob), false, 'the archive file is deleted with its pipeline');
      assert.equal((await statistics(project.id)).job_artifacts_size, await storedSize(ctx, project.id));
      assert.equal((await statistics(project.id)).commit_count, 2, 'measured again after the push');
    });

    it('lists carry them too, for the projects the caller may read them of; a measurement that raced a push is not recorded', async () => {
      const project = await privateProject(t, cast);
      await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
      const listed = async (token: string, query = 'statistics=true') =>
        ((await t.api('GET', `/projects?${query}&per_page=100`, { token })).body as any[]).find((p) => p.id === project.id);
      assert.equal((await listed(cast.mnt.token)).statistics.commit_count, 1);
      assert.equal((await listed(cast.rep.token)).statistics.commit_count, 1);
      assert.equal((await listed(cast.gst.token)).statistics, undefined);
      assert.equal((await listed(cast.mnt.token, 'statistics=true&simple=true')).statistics, undefined);
      assert.equal((await listed(cast.mnt.token, 'statistics=false')).statistics, undefined);

      const stored = ctx.store.projectStatistics;
      const before = (await stored.findMany([project.id])).get(project.id)!;
      assert.ok(before.repository, 'measured once asked');
      await stored.repositoryChanged(project.id);
      await stored.recordRepository(project.id, before.repositoryVersion, 1, 1);
      assert.equal((await stored.findMany([project.id])).get(project.id)!.repository, null, 'the stale measurement was dropped');
      assert.equal((await statistics(project.id)).commit_count, 1);
    });

    it('a recount corrects a wrong total, counts an artifact added meanwhile once, and holds off removals until it ends', async () => {
      const project = await privateProject(t, cast);
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
      // A failed pipeline is nobody's latest successful one: its expired archive is the sweeper's.
      const build = await run(ctx, await jobNamed(ctx, pipeline.id, 'build'), 'failed');
      await addArtifacts(ctx, build, ['archive', 'metadata'], { expireAt: daysFromNow(-1) });
      const truth = await storedSize(ctx, project.id);
      await ctx.store.db.updateTable('project_statistics').set({ job_artifacts_size: 123_456_789 }).where('project_id', '=', project.id).execute();
      assert.equal((await statistics(project.id)).job_artifacts_size, 123_456_789);

      const recount = await holdArtifactsSizeRecount(t, project.id);
      let finished = false;
      try {
        // Removals wait: the pipeline cannot be deleted, and the sweeper leaves the expired archive alone.
        const res = await t.api('DELETE', `/projects/${project.id}/pipelines/${pipeline.id}`);
        assert.deepEqual([res.status, res.body], [409, STATS_REFRESH_CONFLICT]);
        await sweepExpiredArtifacts(ctx);
        assert.equal((await artifactRows(ctx, build.id)).length, 2, 'the sweeper skipped them');
        await recount.finish();
        finished = true;
      } finally {
        if (!finished) await recount.finish();
      }
      assert.equal((await statistics(project.id)).job_artifacts_size, truth);

      // An artifact that arrives after the walk started is counted as it comes, and not walked again.
      await ctx.store.projectStatistics.enqueueRefresh([project.id], new Date().toISOString());
      assert.ok(await stepArtifactsSizeRefresh(ctx), 'started');
      const test = await run(ctx, await jobNamed(ctx, pipeline.id, 'test'));
      await addArtifacts(ctx, test, ['archive']);
      await runArtifactsSizeRefreshes(ctx);
      assert.equal((await statistics(project.id)).job_artifacts_size, await storedSize(ctx, project.id));

      // An artifact removed before the walk reached it (the sweeper's own path, which does not ask) is
      // neither walked nor taken off twice; one removed after it was walked is taken off.
      const [metadata] = (await artifactRows(ctx, build.id)).filter((a) => a.fileType === 'metadata');
      const [testArchive] = await artifactRows(ctx, test.id);
      await ctx.store.projectStatistics.enqueueRefresh([project.id], new Date().toISOString());
      assert.ok(await stepArtifactsSizeRefresh(ctx), 'started');
      await ctx.store.jobArtifacts.deleteByIds([metadata.id]);
      assert.ok(await stepArtifactsSizeRefresh(ctx), 'one batch walked');
      await ctx.store.jobArtifacts.deleteByIds([testArchive.id]);
      await runArtifactsSizeRefreshes(ctx);
      assert.equal((await statistics(project.id)).job_artifacts_size, await storedSize(ctx, project.id));
      await sweepExpiredArtifacts(ctx);
      assert.equal((await artifactRows(ctx, build.id)).filter((a) => a.fileType === 'archive').length, 0, 'swept once the recount ended');
      assert.equal((await statistics(project.id)).job_artifacts_size, await storedSize(ctx, project.id));
    });

    if (dialect === 'sqlite') {
      it('`conveyor refresh-artifacts-size` queues a recount that the running server carries out', async () => {
        const project = await privateProject(t, cast);
        const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
        await addArtifacts(ctx, await run(ctx, await jobNamed(ctx, pipeline.id, 'build')), ['archive']);
        const truth = await storedSize(ctx, project.id);
        await ctx.store.db.updateTable('project_statistics').set({ job_artifacts_size: 1 }).where('project_id', '=', project.id).execute();
        const cli = path.resolve('dist/src/cli/main.js');
        const { stdout } = await promisify(execFile)(process.execPath, [cli, 'refresh-artifacts-size', '--data', t.dataDir, project.path_with_namespace]);
        assert.match(stdout, /recount queued for 1 project/);
        const missing = await promisify(execFile)(process.execPath, [cli, 'refresh-artifacts-size', '--data', t.dataDir, 'nobody/nothing']).catch((error: { code: number; stderr: string }) => error);
        assert.equal((missing as { code: number }).code, 1);
        assert.match((missing as { stderr: string }).stderr, /project nobody\/nothing not found/);
        await eventually(async () => !(await ctx.store.projectStatistics.isRefreshing(project.id)), 'the server ran the recount');
        assert.equal((await statistics(project.id)).job_artifacts_size, truth);
      });
    }
  });
}
