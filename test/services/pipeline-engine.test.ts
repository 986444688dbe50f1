import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import { createPipeline, type PipelineRequest } from '../../src/services/pipelines/create-pipeline.js';
import { enqueueDueJobs, finishJob, startJob } from '../../src/services/pipelines/job-lifecycle.js';
import { cancelJob, cancelPipelineJobs, deletePipeline, playJob, retryJob, retryPipeline } from '../../src/services/pipelines/pipeline-actions.js';
import type { Project } from '../../src/store/projects-repository.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`pipeline engine (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let project: Project;
    let shaCounter = 0;
    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      project = (await ctx.store.projects.findById((await createProject(t)).id))!;
    });
    after(() => t.close());

    async function pipelineFor(config: string, overrides: Partial<PipelineRequest> = {}) {
      const result = await createPipeline(ctx, {
        project, userId: 1, ref: 'main', tag: false, sha: String(++shaCounter).padStart(40, '0'), beforeSha: '0'.repeat(40),
        source: 'push', commitMessage: 'msg', committedAt: null, configText: config, files: { read: async () => null, list: async () => [] },
        changedPaths: null, variables: [], projectVariables: {}, protectedRef: false, ...overrides,
      }, { keepFailed: true });
      assert.equal(result.status, 'created', JSON.stringify(result));
      return result.status === 'created' ? result.pipeline : (undefined as never);
    }
    async function statuses(pipelineId: number) {
      const jobs = await ctx.store.jobs.listByPipeline(pipelineId);
      return Object.fromEntries(jobs.map((j) => [j.name, j.status]));
    }
    const job = async (pipelineId: number, name: string) => (await ctx.store.jobs.listByPipeline(pipelineId)).find((j) => j.name === name)!;
    const pipelineStatus = async (id: number) => (await ctx.store.pipelines.findById(id))!.status;
    async function run(pipelineId: number, name: string, outcome: 'success' | 'failed', exitCode?: number) {
      const started = await startJob(ctx, await job(pipelineId, name));
      assert.ok(started, `${name} starts`);
      await finishJob(ctx, started, outcome === 'success' ? { status: 'success' } : { status: 'failed', failureReason: 'script_failure', exitCode });
    }

    it('moves stage by stage and aggregates the pipeline status', async () => {
      const p = await pipelineFor('stages: [a, b]\none:\n  stage: a\n  script: x\ntwo:\n  stage: a\n  script: x\nthree:\n  stage: b\n  script: x\n');
      assert.deepEqual(await statuses(p.id), { one: 'pending', two: 'pending', three: 'created' });
      assert.equal(await pipelineStatus(p.id), 'pending');
      await run(p.id, 'one', 'success');
      assert.equal(await pipelineStatus(p.id), 'running');
      assert.equal((await statuses(p.id)).three, 'created');
      await run(p.id, 'two', 'success');
      assert.equal((await statuses(p.id)).three, 'pending');
      await run(p.id, 'three', 'success');
      assert.equal(await pipelineStatus(p.id), 'success');
      const finished = (await ctx.store.pipelines.findById(p.id))!;
      assert.ok(finished.startedAt && finished.finishedAt);
    });

    it('starts needs-jobs as soon as their needs finish (DAG)', async () => {
      const p = await pipelineFor('stages: [a, b]\nslow:\n  stage: a\n  script: x\nfast:\n  stage: a\n  script: x\nafter-fast:\n  stage: b\n  needs: [fast]\n  script: x\nfree:\n  stage: b\n  needs: []\n  script: x\n');
      assert.deepEqual(await statuses(p.id), { slow: 'pending', fast: 'pending', 'after-fast': 'created', free: 'pending' });
      await run(p.id, 'fast', 'success');
      assert.equal((await statuses(p.id))['after-fast'], 'pending', 'does not wait for the slow job of its stage');
    });

    it('skips on_success jobs after a failure, runs on_failure and always jobs', async () => {
      const p = await pipelineFor('stages: [a, b]\nbuild:\n  stage: a\n  script: x\nship:\n  stage: b\n  script: x\nnotify:\n  stage: b\n  when: on_failure\n  script: x\ncleanup:\n  stage: b\n  when: always\n  script: x\n');
      await run(p.id, 'build', 'failed');
      assert.deepEqual(await statuses(p.id), { build: 'failed', ship: 'skipped', notify: 'pending', cleanup: 'pending' });
      await run(p.id, 'notify', 'success');
      await run(p.id, 'cleanup', 'success');
      assert.equal(await pipelineStatus(p.id), 'failed');
      const failed = await job(p.id, 'build');
      assert.equal(failed.failureReason, 'script_failure');
    });

    it('lets allowed failures and allowed exit codes pass with the stage', async () => {
      const p = await pipelineFor('stages: [a, b]\nlint:\n  stage: a\n  allow_failure: true\n  script: x\nflaky:\n  stage: a\n  allow_failure:\n    exit_codes: [3]\n  script: x\nnext:\n  stage: b\n  script: x\n');
      await run(p.id, 'lint', 'failed');
      await run(p.id, 'flaky', 'failed', 3);
      assert.equal((await statuses(p.id)).next, 'pending');
      await run(p.id, 'next', 'success');
      assert.equal(await pipelineStatus(p.id), 'success');
    });

    it('makes manual jobs wait to be played, blocking later stages only when allow_failure is false', async () => {
      const p = await pipelineFor('stages: [a, b]\nmaybe:\n  stage: a\n  when: manual\n  script: x\ngate:\n  stage: a\n  when: manual\n  allow_failure: false\n  script: x\nafter:\n  stage: b\n  script: x\n');
      assert.deepEqual(await statuses(p.id), { maybe: 'manual', gate: 'manual', after: 'created' });
      assert.equal(await pipelineStatus(p.id), 'manual');
      const played = await playJob(ctx, await job(p.id, 'gate'), 1, [{ key: 'A', value: '1' }]);
      assert.equal(played.status, 'pending');
      assert.deepEqual(played.jobVariables, [{ key: 'A', value: '1' }]);
      await run(p.id, 'gate', 'success');
      assert.equal((await statuses(p.id)).after, 'pending', 'the optional manual job does not block');
      await assert.rejects(playJob(ctx, await job(p.id, 'after'), 1), /Unplayable Job/);
    });

    it('schedules delayed jobs and enqueues them when due', async () => {
      const p = await pipelineFor('later:\n  when: delayed\n  start_in: 1 second\n  script: x\n');
      const scheduled = await job(p.id, 'later');
      assert.equal(scheduled.status, 'scheduled');
      assert.ok(scheduled.scheduledAt);
      assert.equal(await pipelineStatus(p.id), 'scheduled');
      await ctx.store.jobs.update(scheduled.id, { scheduledAt: new Date(Date.now() - 1000).toISOString() });
      assert.ok((await enqueueDueJobs(ctx)) >= 1);
      assert.equal((await job(p.id, 'later')).status, 'pending');
    });

    it('retries automatically as `retry:` says, flagging the old job retried', async () => {
      const p = await pipelineFor('flaky:\n  retry:\n    max: 2\n    when: [script_failure]\n  script: x\n');
      await run(p.id, 'flaky', 'failed');
      let all = await ctx.store.jobs.listByPipeline(p.id, { includeRetried: true });
      assert.deepEqual(all.map((j) => [j.status, j.retried]), [['failed', true], ['pending', false]]);
      await run(p.id, 'flaky', 'failed');
      await run(p.id, 'flaky', 'failed');
      all = await ctx.store.jobs.listByPipeline(p.id, { includeRetried: true });
      assert.equal(all.length, 3, 'two retries at most');
      assert.equal(await pipelineStatus(p.id), 'failed');
    });

    it('retries a job by hand, resetting skipped jobs after it', async () => {
      const p = await pipelineFor('stages: [a, b]\nbuild:\n  stage: a\n  script: x\nship:\n  stage: b\n  script: x\n');
      await run(p.id, 'build', 'failed');
      assert.equal((await statuses(p.id)).ship, 'skipped');
      const clone = await retryJob(ctx, await job(p.id, 'build'), 1);
      assert.equal(clone.status, 'pending');
      assert.equal((await statuses(p.id)).ship, 'created');
      await assert.rejects(retryJob(ctx, clone, 1), /Job is not retryable/);
      await run(p.id, 'build', 'success');
      assert.equal((await statuses(p.id)).ship, 'pending');
    });

    it('serialises jobs of one resource group', async () => {
      const config = 'deploy:\n  resource_group: production\n  script: x\n';
      const first = await pipelineFor(config, { ref: 'rg-a' });
      const second = await pipelineFor(config, { ref: 'rg-b' });
      assert.equal((await job(first.id, 'deploy')).status, 'pending');
      assert.equal((await job(second.id, 'deploy')).status, 'waiting_for_resource');
      assert.equal(await pipelineStatus(second.id), 'waiting_for_resource');
      await run(first.id, 'deploy', 'success');
      assert.equal((await job(second.id, 'deploy')).status, 'pending');
    });

    it('deleting a pipeline cancels its running job first and a canceled job releases the resource group it held', async () => {
      const config = 'deploy:\n  resource_group: release\n  script: x\n';
      const first = await pipelineFor(config, { ref: 'rg-delete-a' });
      const second = await pipelineFor(config, { ref: 'rg-delete-b' });
      await startJob(ctx, await job(first.id, 'deploy'));
      assert.equal((await job(second.id, 'deploy')).status, 'waiting_for_resource');
      const transitions: string[] = [];
      const listener = (event: { jobId: number; to: string }) => transitions.push(`${event.jobId}:${event.to}`);
      ctx.events.on('job-status', listener);
      const held = await job(first.id, 'deploy');
      await deletePipeline(ctx, (await ctx.store.pipelines.findById(first.id))!);
      ctx.events.off('job-status', listener);
      assert.ok(transitions.includes(`${held.id}:canceled`), transitions.join(' '));
      assert.equal(await ctx.store.pipelines.findById(first.id), undefined);
      assert.equal((await job(second.id, 'deploy')).status, 'pending');
      // Canceling the job that now holds the group hands it on too (it stayed held before).
      const third = await pipelineFor(config, { ref: 'rg-delete-c' });
      assert.equal((await job(third.id, 'deploy')).status, 'waiting_for_resource');
      assert.equal((await cancelJob(ctx, await job(second.id, 'deploy'))).status, 'canceled');
      assert.equal((await job(third.id, 'deploy')).status, 'pending');
    });

    it('auto-cancels older pipelines on the ref when their started jobs are interruptible', async () => {
      const config = 'test:\n  interruptible: true\n  script: x\n';
      const old = await pipelineFor(config, { ref: 'auto' });
      await startJob(ctx, await job(old.id, 'test'));
      const newer = await pipelineFor(config, { ref: 'auto' });
      assert.equal(await pipelineStatus(old.id), 'canceled');
      assert.equal((await ctx.store.pipelines.findById(old.id))!.autoCanceledById, newer.id);
      const keep = await pipelineFor('deploy:\n  script: x\n', { ref: 'auto2' });
      await startJob(ctx, await job(keep.id, 'deploy'));
      await pipelineFor('deploy:\n  script: x\n', { ref: 'auto2' });
      assert.equal(await pipelineStatus(keep.id), 'running', 'a started non-interruptible job protects its pipeline');
    });

    it('cancels and retries whole pipelines', async () => {
      const p = await pipelineFor('stages: [a, b]\none:\n  stage: a\n  script: x\ntwo:\n  stage: b\n  script: x\n');
      await startJob(ctx, await job(p.id, 'one'));
      await cancelPipelineJobs(ctx, (await ctx.store.pipelines.findById(p.id))!);
      assert.deepEqual(await statuses(p.id), { one: 'canceled', two: 'canceled' });
      assert.equal(await pipelineStatus(p.id), 'canceled');
      const unchanged = await cancelJob(ctx, await job(p.id, 'one'));
      assert.equal(unchanged.status, 'canceled');
      await retryPipeline(ctx, (await ctx.store.pipelines.findById(p.id))!, 1);
      assert.deepEqual(await statuses(p.id), { one: 'pending', two: 'created' });
      assert.equal(await pipelineStatus(p.id), 'pending');
    });

    it('stores a failed pipeline with yaml_errors for a broken pushed config', async () => {
      const result = await createPipeline(ctx, {
        project, userId: 1, ref: 'main', tag: false, sha: 'f'.repeat(40), beforeSha: '0'.repeat(40), source: 'push', commitMessage: '',
        committedAt: null, configText: 'job:\n  script: [1, {a: b}]\n', files: { read: async () => null }, changedPaths: null,
        variables: [], projectVariables: {}, protectedRef: false,
      }, { keepFailed: true });
      assert.equal(result.status, 'failed');
      if (result.status === 'failed') {
        assert.equal(result.pipeline.status, 'failed');
        assert.match(result.pipeline.yamlErrors ?? '', /script config should be a string or a nested array/);
      }
    });
  });
}
