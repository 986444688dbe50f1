/** The server's timeout and lost-runner sweep (issue #6), with the clock moved forward instead of waiting. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import { dropStuckJobs } from '../../src/services/queue/stuck-jobs.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { createRunner, requestJob, RUNNER_INFO } from '../helpers/runners.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`stuck and timed-out jobs (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
    });
    after(() => t.close());

    const at = (offsetMs: number): ServiceContext => ({ ...ctx, clock: { now: () => new Date(Date.now() + offsetMs) } });
    const status = async (id: number) => {
      const job = await ctx.store.jobs.findById(id);
      return `${job?.status}${job?.failureReason ? `/${job.failureReason}` : ''}`;
    };

    it('pending past the stuck timeout fails with stuck_or_timeout_failure; earlier it stays pending', async () => {
      const project = await createProject(t);
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': 'waiting:\n  tags: [nobody-has-this]\n  script: make\n' });
      const job = await jobNamed(ctx, pipeline.id, 'waiting');
      await dropStuckJobs(at(30 * MINUTE));
      assert.equal(await status(job.id), 'pending');
      await dropStuckJobs(at(61 * MINUTE));
      assert.equal(await status(job.id), 'failed/stuck_or_timeout_failure');
      assert.equal((await ctx.store.pipelines.findById(pipeline.id))?.status, 'failed', 'the pipeline is processed');
    });

    it('running past its timeout fails with job_execution_timeout; a silent runner with runner_system_failure; canceling ends canceled', async () => {
      const project = await createProject(t);
      await pushPipeline(t, project, { '.gitlab-ci.yml': 'short:\n  timeout: 10 minutes\n  script: make\nlong:\n  timeout: 3 hours\n  script: make\ngraceful:\n  timeout: 3 hours\n  script: make\n' });
      const runner = await createRunner(t);
      const features = { info: { ...RUNNER_INFO, features: { ...RUNNER_INFO.features, cancel_gracefully: true } } };
      const short = (await requestJob(t, runner.token, features)).body;
      const long = (await requestJob(t, runner.token, features)).body;
      const graceful = (await requestJob(t, runner.token, features)).body;
      assert.deepEqual([short.job_info.name, long.job_info.name, graceful.job_info.name], ['short', 'long', 'graceful']);
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${graceful.id}/cancel`)).body.status, 'canceling');

      await dropStuckJobs(at(5 * MINUTE));
      assert.deepEqual([await status(short.id), await status(long.id), await status(graceful.id)], ['running', 'running', 'canceling']);
      await dropStuckJobs(at(12 * MINUTE));
      assert.equal(await status(short.id), 'failed/job_execution_timeout');
      assert.equal(await status(long.id), 'running');
      await dropStuckJobs(at(31 * MINUTE));
      assert.equal(await status(graceful.id), 'canceled/no_updates_canceling');
      await dropStuckJobs(at(61 * MINUTE));
      assert.equal(await status(long.id), 'failed/runner_system_failure');
    });

    it('a runner that keeps reporting is not lost', async () => {
      const project = await createProject(t);
      await pushPipeline(t, project, { '.gitlab-ci.yml': 'busy:\n  timeout: 3 hours\n  script: make\n' });
      const runner = await createRunner(t);
      const busy = (await requestJob(t, runner.token)).body;
      // The keep-alive of a runner that is still there, seen an hour and a bit later.
      await ctx.store.jobs.update(busy.id, { updatedAt: new Date(Date.now() + 60 * MINUTE).toISOString() });
      await dropStuckJobs(at(70 * MINUTE));
      assert.equal(await status(busy.id), 'running');
    });
  });
}
