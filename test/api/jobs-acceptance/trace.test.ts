/** §9 cases 31–38: GET /projects/:id/jobs/:job_id/trace. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { jobNamed, pushPipeline } from '../../helpers/pipelines.js';
import { createRunner, requestJob, updateJob } from '../../helpers/runners.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { addArtifacts, createCast, privateProject, run, type Cast } from './common.js';

const CONFIG = `
quiet:
  script: make
unarchived:
  script: make
`;

/** Jobs a runner takes in this order (oldest first) and writes logs for. */
const RUNNER_CONFIG = `
logged:
  script: make
live:
  script: make
partial:
  script: make
debug_variable:
  variables:
    CI_DEBUG_TRACE: "true"
  script: make
debug_services:
  variables:
    CI_DEBUG_SERVICES: "true"
  script: make
debug_runner:
  script: make
`;

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: GET /projects/:id/jobs/:job_id/trace (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let quiet: Job;
    let unarchived: Job;
    let runner: { id: number; token: string };
    /** Raw fetch: the log is text/plain, not JSON. */
    const trace = (id: number, token: string | null = cast.dev.token) =>
      fetch(`${t.apiUrl}/projects/${project.id}/jobs/${id}/trace`, { headers: token === null ? {} : { 'PRIVATE-TOKEN': token } });

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
      quiet = await run(ctx, await jobNamed(ctx, pipeline.id, 'quiet'));
      unarchived = await run(ctx, await jobNamed(ctx, pipeline.id, 'unarchived'));
      await addArtifacts(ctx, unarchived, ['trace'], { stored: false });
      runner = await createRunner(t);
      await pushPipeline(t, project, { '.gitlab-ci.yml': RUNNER_CONFIG }, 'logs');
    });
    after(() => t.close());

    /** Runs the next pending job through the runner protocol, writing `log` in two patches. */
    async function runWithLog(name: string, log: string, options: { finish?: boolean; debugTrace?: boolean } = {}): Promise<number> {
      const got = await requestJob(t, runner.token);
      assert.equal(got.status, 201, got.text);
      assert.equal(got.body.job_info.name, name);
      const half = Math.floor(log.length / 2);
      const query = options.debugTrace ? '?debug_trace=true' : '';
      for (const [start, part] of [[0, log.slice(0, half)], [half, log.slice(half)]] as const) {
        const patched = await fetch(`${t.apiUrl}/jobs/${got.body.id}/trace${query}`, {
          method: 'PATCH',
          headers: { 'JOB-TOKEN': got.body.token, 'Content-Range': `${start}-${start + Buffer.byteLength(part) - 1}` },
          body: part,
        });
        assert.equal(patched.status, 202);
      }
      if (options.finish !== false) assert.equal((await updateJob(t, got.body.id, got.body.token, { state: 'success' })).status, 200);
      return got.body.id;
    }

    it('case 31: a finished job\'s log → 200 with the log text, text/plain, Content-Disposition infile', async () => {
      const id = await runWithLog('logged', 'line one\n\u001b[32mline two\u001b[0m\n');
      const res = await trace(id);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(res.headers.get('content-disposition'), `infile; filename="${id}.log"`);
      assert.equal(await res.text(), 'line one\n\u001b[32mline two\u001b[0m\n');
    });

    it('case 32: a live log of a running job → 200 with what arrived so far', async () => {
      const id = await runWithLog('live', 'still running\n', { finish: false });
      assert.equal((await ctx.store.jobs.findById(id))?.status, 'running');
      const res = await trace(id);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'still running\n');
    });

    it('case 33: a live log plus a log-artifact row without a file → 200 with the live log', async () => {
      const id = await runWithLog('partial', 'live bytes\n', { finish: false });
      await addArtifacts(ctx, (await ctx.store.jobs.findById(id))!, ['trace'], { stored: false });
      const res = await trace(id);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'live bytes\n');
    });

    it('case 34: a job with no log → 200 with an empty body', async () => {
      const res = await trace(quiet.id);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(res.headers.get('content-disposition'), `infile; filename="${quiet.id}.log"`);
      assert.equal(await res.text(), '');
    });

    it('case 35: a log-artifact row with no stored file and no live log → 200 with an empty body', async () => {
      const res = await trace(unarchived.id);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await res.text(), '');
    });

    it('case 36: no credentials → 401', async () => {
      const res = await trace(quiet.id, null);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { message: '401 Unauthorized' });
    });

    it('case 37: debug-mode jobs (CI_DEBUG_TRACE, CI_DEBUG_SERVICES, the runner\'s debug_trace) → developer 200, guest 403, public_builds on or off', async () => {
      const traced = await runWithLog('debug_variable', 'set -x output\n');
      const services = await runWithLog('debug_services', 'service debug\n');
      const flagged = await runWithLog('debug_runner', 'runner debug\n', { debugTrace: true });
      for (const publicJobs of [true, false]) {
        assert.equal((await t.api('PUT', `/projects/${project.id}`, { body: { public_jobs: publicJobs } })).status, 200);
        for (const id of [traced, services, flagged]) {
          assert.equal((await trace(id, cast.dev.token)).status, 200, `developer reads debug log ${id}`);
          const guest = await trace(id, cast.gst.token);
          assert.equal(guest.status, 403, `guest is refused debug log ${id} (public_jobs ${publicJobs})`);
          assert.deepEqual(await guest.json(), { message: '403 Forbidden' });
        }
        assert.equal((await trace(quiet.id, cast.gst.token)).status, publicJobs ? 200 : 403, 'an ordinary log follows public_jobs');
      }
      await t.api('PUT', `/projects/${project.id}`, { body: { public_jobs: false } });
    });

    it('case 38: a token with only the ai_workflows scope reads the log (200) but nothing else', async () => {
      // Conveyor has no OAuth applications; a personal access token carries the same scope.
      const created = await t.api('POST', `/users/${cast.dev.id}/personal_access_tokens`, { body: { name: 'workflow', scopes: ['ai_workflows'] } });
      assert.equal(created.status, 201, created.text);
      const res = await trace(quiet.id, created.body.token);
      assert.equal(res.status, 200);
      const job = await t.api('GET', `/projects/${project.id}/jobs/${quiet.id}`, { token: created.body.token });
      assert.equal(job.status, 403);
      assert.equal(job.body.error, 'insufficient_scope');
    });
  });
}
