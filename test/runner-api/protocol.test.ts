/** Runner protocol §8 cases 1–25, 29, 30 against the real server (artifact cases 26–28 are in test/runner-api/artifacts). */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../src/services/context.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { createRunner, patchTrace, requestJob, runnerCall, RUNNER_INFO, updateJob } from '../helpers/runners.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertJobPayload } from '../helpers/job-payload-schema.js';

const ONE_JOB = `
build:
  script: echo hello
`;

for (const dialect of DIALECTS) {
  describe(`runner protocol (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let registrationToken: string;

    before(async () => {
      t = await startTestServer(dialect, { config: { longPollSeconds: 1 } });
      ctx = t.server.app.ctx;
      registrationToken = (await t.api('GET', '/application/settings')).body.runners_registration_token;
    });
    after(() => t.close());

    /** A project with one pending job; returns the project and the job's id. */
    async function pendingJob(config = ONE_JOB, name = 'build') {
      const project = await createProject(t);
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': config });
      return { project, pipeline, job: await jobNamed(ctx, pipeline.id, name) };
    }

    /** Takes every pending job with a throwaway runner, so each test starts from an empty queue. */
    async function drainQueue() {
      const drainer = await createRunner(t, { run_untagged: true });
      for (;;) {
        const r = await requestJob(t, drainer.token);
        if (r.status !== 201) break;
        await updateJob(t, r.body.id, r.body.token, { state: 'success' });
      }
      await runnerCall(t, 'DELETE', '/runners', { token: drainer.token });
    }

    it('case 1–2: legacy registration answers 201 JSON with id, token and token_expires_at; a wrong token 403', async () => {
      const ok = await runnerCall(t, 'POST', '/runners', { token: registrationToken, description: 'r1', tag_list: 'linux,docker', run_untagged: false, locked: false, paused: false, info: RUNNER_INFO });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.headers.get('content-type'), 'application/json');
      assert.ok(Number.isInteger(ok.body.id) && ok.body.id > 0);
      assert.equal(typeof ok.body.token, 'string');
      assert.ok('token_expires_at' in ok.body && ok.body.token_expires_at === null);
      const stored = await ctx.store.runners.findById(ok.body.id);
      assert.deepEqual(stored?.tagList, ['docker', 'linux']);
      assert.equal(stored?.runUntagged, false);
      assert.equal((await runnerCall(t, 'POST', '/runners', { token: 'wrong' })).status, 403);
      assert.equal((await runnerCall(t, 'POST', '/runners', {})).status, 400);
    });

    it('case 3–5: verify answers 200 with the id; a bad token 403; POST /user/runners gives a glrt- token that verifies', async () => {
      const created = await t.api('POST', '/user/runners', { body: { runner_type: 'instance_type', tag_list: ['linux'] } });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.token, /^glrt-/);
      const verified = await runnerCall(t, 'POST', '/runners/verify', { token: created.body.token, system_id: 's_abc' });
      assert.equal(verified.status, 200);
      assert.equal(verified.headers.get('content-type'), 'application/json');
      assert.equal(verified.body.id, created.body.id);
      assert.equal(verified.body.token, created.body.token);
      const managers = await ctx.store.runnerManagers.listByRunner(created.body.id);
      assert.deepEqual(managers.map((m) => m.systemId), ['s_abc']);
      assert.equal((await runnerCall(t, 'POST', '/runners/verify', { token: 'nope' })).status, 403);
    });

    it('POST /user/runners: instance runners are for admins, bad runner_type is 400', async () => {
      const project = await createProject(t);
      const projectRunner = await t.api('POST', '/user/runners', { body: { runner_type: 'project_type', project_id: project.id } });
      assert.equal(projectRunner.status, 201);
      assert.deepEqual(await ctx.store.runners.projectIds(projectRunner.body.id), [project.id]);
      const bad = await t.api('POST', '/user/runners', { body: { runner_type: 'bogus' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, { error: 'runner_type does not have a valid value' });
      const tooShort = await t.api('POST', '/user/runners', { body: { runner_type: 'instance_type', maximum_timeout: 60 } });
      assert.equal(tooShort.status, 400);
      assert.deepEqual(tooShort.body, { message: { maximum_timeout: ['needs to be at least 10 minutes'] } });
    });

    it('case 6–7: an empty queue answers 204 with X-GitLab-Last-Update; the same version is held, and wakes for a new job', async () => {
      await drainQueue();
      const runner = await createRunner(t);
      const first = await requestJob(t, runner.token);
      assert.equal(first.status, 204);
      assert.equal(first.text, '');
      const version = first.headers.get('x-gitlab-last-update');
      assert.ok(version);
      // No change: held for the long-poll window (1 s here), then 204.
      const startedAt = Date.now();
      const held = await requestJob(t, runner.token, { last_update: version });
      assert.equal(held.status, 204);
      assert.ok(Date.now() - startedAt >= 900, 'held for the window');
      // A job queued during the wait answers it at once. The job is made ready before the wait and played
      // during it: creating a project and pushing can take longer than this suite's 1 s window on a busy box.
      const { project, job } = await pendingJob('build:\n  script: make\n  when: manual\n');
      assert.equal(job.status, 'manual');
      const waiting = requestJob(t, runner.token, { last_update: version });
      await new Promise((r) => setTimeout(r, 100));
      const played = await t.api('POST', `/projects/${project.id}/jobs/${job.id}/play`);
      assert.equal(played.status, 200, played.text);
      const woken = await waiting;
      assert.equal(woken.status, 201, 'the waiting request gets the job');
      assert.equal(woken.body.id, job.id);
      await updateJob(t, woken.body.id, woken.body.token, { state: 'success' });
    });

    it('case 8: a paused runner gets 204 at once and the job stays pending', async () => {
      await drainQueue();
      const runner = await createRunner(t, { paused: true });
      const { job } = await pendingJob();
      const r = await requestJob(t, runner.token);
      assert.equal(r.status, 204);
      assert.ok(r.headers.get('x-gitlab-last-update'));
      assert.equal((await ctx.store.jobs.findById(job.id))?.status, 'pending');
      await drainQueue();
    });

    it('case 9: a bad runner token is 403', async () => {
      assert.equal((await requestJob(t, 'bad')).status, 403);
      assert.equal((await runnerCall(t, 'POST', '/jobs/request', {})).status, 400);
    });

    it('case 10–11: tags must be a subset of the runner\'s; untagged jobs only go to run_untagged runners', async () => {
      await drainQueue();
      const linux = await createRunner(t, { tag_list: ['linux'], run_untagged: false });
      const both = await createRunner(t, { tag_list: ['docker', 'linux'], run_untagged: false });
      const { job } = await pendingJob('build:\n  tags: [docker]\n  script: make\n');
      assert.equal((await requestJob(t, linux.token)).status, 204);
      const got = await requestJob(t, both.token);
      assert.equal(got.status, 201);
      assert.equal(got.body.id, job.id);
      await updateJob(t, job.id, got.body.token, { state: 'success' });

      const untagged = await pendingJob();
      assert.equal((await requestJob(t, both.token)).status, 204);
      const runsUntagged = await createRunner(t, { run_untagged: true });
      const taken = await requestJob(t, runsUntagged.token);
      assert.equal(taken.status, 201);
      assert.equal(taken.body.id, untagged.job.id);
      await updateJob(t, taken.body.id, taken.body.token, { state: 'success' });
    });

    it('case 12: ref_protected runners take only jobs of protected refs', async () => {
      await drainQueue();
      const protectedOnly = await createRunner(t, { access_level: 'ref_protected' });
      const project = await createProject(t);
      await pushPipeline(t, project, { '.gitlab-ci.yml': ONE_JOB }, 'feature');
      assert.equal((await requestJob(t, protectedOnly.token)).status, 204);
      const protectedBranch = await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name: 'release' } });
      assert.equal(protectedBranch.status, 201, protectedBranch.text);
      const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': ONE_JOB }, 'release');
      const got = await requestJob(t, protectedOnly.token);
      assert.equal(got.status, 201);
      assert.equal(got.body.job_info.pipeline_id, pipeline.id);
      assert.equal(got.body.git_info.protected, true);
      await updateJob(t, got.body.id, got.body.token, { state: 'success' });
      await drainQueue();
    });

    it('project runners take only their projects\' jobs', async () => {
      await drainQueue();
      const mine = await createProject(t);
      const runner = await t.api('POST', '/user/runners', { body: { runner_type: 'project_type', project_id: mine.id } });
      await pendingJob();
      assert.equal((await requestJob(t, runner.body.token)).status, 204);
      const pipeline = await pushPipeline(t, mine, { '.gitlab-ci.yml': ONE_JOB });
      const got = await requestJob(t, runner.body.token);
      assert.equal(got.status, 201);
      assert.equal(got.body.job_info.pipeline_id, pipeline.id);
      await updateJob(t, got.body.id, got.body.token, { state: 'success' });
      await drainQueue();
    });

    it('case 13: two runners asking at once for one job: exactly one 201', async () => {
      await drainQueue();
      const a = await createRunner(t);
      const b = await createRunner(t);
      const { job } = await pendingJob();
      const answers = await Promise.all([requestJob(t, a.token), requestJob(t, b.token)]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [201, 204]);
      const winner = answers.find((r) => r.status === 201)!;
      assert.equal(winner.body.id, job.id);
      await updateJob(t, job.id, winner.body.token, { state: 'success' });
    });

    it('case 14–20, 23: payload types, running job, log patches with append/416/idempotent resend, final update', async () => {
      await drainQueue();
      const runner = await createRunner(t, { maximum_timeout: 1800 });
      const { job, pipeline } = await pendingJob('build:\n  timeout: 2h\n  before_script: [echo before]\n  script: [echo hello]\n  after_script: [echo after]\n');
      const got = await requestJob(t, runner.token);
      assert.equal(got.status, 201);
      assert.equal(got.headers.get('content-type'), 'application/json');
      const payload = got.body;
      assertJobPayload(payload);
      assert.equal(payload.id, job.id);
      assert.match(payload.token, /^glcbt-/);
      assert.equal(payload.git_info.sha, pipeline.sha);
      assert.equal(payload.git_info.sha.length, 40);
      assert.equal(payload.steps[0].name, 'script');
      assert.deepEqual(payload.steps[0].script, ['echo before', 'echo hello']);
      assert.deepEqual(payload.steps[1], { name: 'after_script', script: ['echo after'], timeout: 1800, when: 'always', allow_failure: true });
      assert.equal(payload.runner_info.timeout, 1800, 'min(job 2h, runner maximum 30 min)');
      assert.equal(typeof payload.job_info.project_jobs_running_on_instance_runners_count, 'string');
      const tokenVariable = payload.variables.find((v: any) => v.key === 'CI_JOB_TOKEN');
      assert.deepEqual(tokenVariable, { key: 'CI_JOB_TOKEN', value: payload.token, public: false, masked: true });
      assert.equal((await ctx.store.jobs.findById(job.id))?.status, 'running');
      const jt = payload.token;

      const running = await updateJob(t, job.id, jt, { state: 'running' });
      assert.equal(running.status, 200);
      assert.equal(running.headers.get('job-status'), 'running');

      const p1 = await patchTrace(t, job.id, jt, 0, '0123456789');
      assert.equal(p1.status, 202);
      assert.equal(p1.headers.get('range'), '0-10');
      assert.equal(p1.headers.get('job-status'), 'running');
      assert.ok(Number(p1.headers.get('x-gitlab-trace-update-interval')) > 0);
      const p2 = await patchTrace(t, job.id, jt, 10, 'abcde');
      assert.equal(p2.status, 202);
      assert.equal(p2.headers.get('range'), '0-15');
      const resend = await patchTrace(t, job.id, jt, 10, 'abcde');
      assert.equal(resend.status, 202, 'a resend of stored bytes is acknowledged again');
      assert.equal(resend.headers.get('range'), '0-15');
      const gap = await patchTrace(t, job.id, jt, 40, '0123456789');
      assert.equal(gap.status, 416);
      assert.equal(gap.headers.get('range'), '0-15');
      const noRange = await fetch(`${t.apiUrl}/jobs/${job.id}/trace`, { method: 'PATCH', headers: { 'JOB-TOKEN': jt }, body: 'x' });
      assert.equal(noRange.status, 400);
      const log = await fetch(`${t.apiUrl}/projects/${pipeline.projectId}/jobs/${job.id}/trace`, { headers: { 'PRIVATE-TOKEN': 'glpat-test-root-token-0001' } });
      assert.equal(await log.text(), '0123456789abcde');

      // Another job's token, or none: 403.
      const other = await pendingJob();
      const otherJob = await requestJob(t, runner.token);
      assert.equal(otherJob.body.id, other.job.id);
      assert.equal((await patchTrace(t, job.id, otherJob.body.token, 15, 'x')).status, 403);
      assert.equal((await updateJob(t, job.id, otherJob.body.token, { state: 'running' })).status, 403);
      assert.equal((await runnerCall(t, 'PUT', `/jobs/${job.id}`, { state: 'running' })).status, 403);
      await updateJob(t, otherJob.body.id, otherJob.body.token, { state: 'success' });

      const crc = zlib.crc32 ? zlib.crc32('0123456789abcde').toString(16).padStart(8, '0') : '00000000';
      const done = await updateJob(t, job.id, jt, { state: 'success', output: { checksum: `crc32:${crc}`, bytesize: 15 } });
      assert.equal(done.status, 200);
      assert.equal(done.headers.get('job-status'), 'success');
      assert.equal((await ctx.store.jobs.findById(job.id))?.status, 'success');
      const again = await updateJob(t, job.id, jt, { state: 'success' });
      assert.equal(again.status, 403);
      assert.equal(again.headers.get('job-status'), 'success');
      assert.equal((await patchTrace(t, job.id, jt, 15, 'late')).status, 403);
    });

    it('a final update announcing more log than is stored answers 202 until the rest arrives', async () => {
      await drainQueue();
      const runner = await createRunner(t);
      await pendingJob();
      const got = await requestJob(t, runner.token);
      await patchTrace(t, got.body.id, got.body.token, 0, 'abc');
      const early = await updateJob(t, got.body.id, got.body.token, { state: 'success', output: { bytesize: 6 } });
      assert.equal(early.status, 202);
      assert.ok(Number(early.headers.get('x-gitlab-trace-update-interval')) > 0);
      await patchTrace(t, got.body.id, got.body.token, 3, 'def');
      assert.equal((await updateJob(t, got.body.id, got.body.token, { state: 'success', output: { bytesize: 6 } })).status, 200);
    });

    it('case 21: cancel without cancel_gracefully → the next patch is 403 with Job-Status: canceled', async () => {
      await drainQueue();
      const runner = await createRunner(t);
      const { project, job } = await pendingJob();
      const got = await requestJob(t, runner.token);
      const cancel = await t.api('POST', `/projects/${project.id}/jobs/${job.id}/cancel`);
      assert.equal(cancel.status, 201);
      assert.equal(cancel.body.status, 'canceled');
      const patch = await patchTrace(t, job.id, got.body.token, 0, 'hello');
      assert.equal(patch.status, 403);
      assert.equal(patch.headers.get('job-status'), 'canceled');
    });

    it('case 22: cancel with cancel_gracefully → 202 with Job-Status: canceling, and the final failed update ends canceled', async () => {
      await drainQueue();
      const runner = await createRunner(t);
      const { project, job } = await pendingJob();
      const got = await requestJob(t, runner.token, { info: { ...RUNNER_INFO, features: { ...RUNNER_INFO.features, cancel_gracefully: true } } });
      assert.equal(got.status, 201);
      const cancel = await t.api('POST', `/projects/${project.id}/jobs/${job.id}/cancel`);
      assert.equal(cancel.body.status, 'canceling');
      const patch = await patchTrace(t, job.id, got.body.token, 0, 'hello');
      assert.equal(patch.status, 202);
      assert.equal(patch.headers.get('job-status'), 'canceling');
      const final = await updateJob(t, job.id, got.body.token, { state: 'failed', failure_reason: 'unknown_failure' });
      assert.equal(final.status, 200);
      assert.equal((await ctx.store.jobs.findById(job.id))?.status, 'canceled');
    });

    it('case 24–25: failed with a reason and exit code; unknown reasons become unknown_failure; a bogus state is 400', async () => {
      await drainQueue();
      const runner = await createRunner(t);
      const first = await pendingJob();
      const a = await requestJob(t, runner.token);
      assert.equal((await updateJob(t, a.body.id, a.body.token, { state: 'bogus' })).status, 400);
      assert.equal((await updateJob(t, a.body.id, a.body.token, { state: 'failed', failure_reason: 'script_failure', exit_code: 2 })).status, 200);
      const failed = await ctx.store.jobs.findById(first.job.id);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.failureReason, 'script_failure');
      assert.equal(failed?.exitCode, 2);
      await pendingJob();
      const b = await requestJob(t, runner.token);
      await updateJob(t, b.body.id, b.body.token, { state: 'failed', failure_reason: 'made_up_reason' });
      assert.equal((await ctx.store.jobs.findById(b.body.id))?.failureReason, 'unknown_failure');
    });

    it('masked variables and the job token never reach the stored log, even split across patches', async () => {
      await drainQueue();
      const project = await createProject(t);
      const secret = `s3cr3t-${crypto.randomBytes(6).toString('hex')}`;
      const variable = await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'DEPLOY_KEY', value: secret, masked: true } });
      assert.equal(variable.status, 201, variable.text);
      await pushPipeline(t, project, { '.gitlab-ci.yml': ONE_JOB });
      const runner = await createRunner(t);
      const got = await requestJob(t, runner.token);
      const jt = got.body.token as string;
      const text = `key=${secret} token=${jt}\n`;
      const cut = 4 + Math.floor(secret.length / 2);
      await patchTrace(t, got.body.id, jt, 0, text.slice(0, cut));
      await patchTrace(t, got.body.id, jt, cut, text.slice(cut));
      const stored = await fetch(`${t.apiUrl}/projects/${project.id}/jobs/${got.body.id}/trace`, { headers: { 'PRIVATE-TOKEN': 'glpat-test-root-token-0001' } }).then((r) => r.text());
      assert.equal(stored.length, text.length, 'masking keeps offsets');
      assert.ok(!stored.includes(secret), stored);
      assert.ok(!stored.includes(jt), stored);
      assert.match(stored, /^key=\[MASKED\]x* token=\[MASKED\]x*\n$/);
      await updateJob(t, got.body.id, jt, { state: 'success' });
    });

    it('case 29–30: DELETE /runners unregisters (then 403); unknown managers 404; router discovery 501', async () => {
      const runner = await createRunner(t);
      assert.equal((await runnerCall(t, 'POST', '/runners/verify', { token: runner.token, system_id: 's_one' })).status, 200);
      assert.equal((await runnerCall(t, 'DELETE', '/runners/managers', { token: runner.token, system_id: 's_unknown' })).status, 404);
      assert.equal((await runnerCall(t, 'DELETE', '/runners/managers', { token: runner.token, system_id: 's_one' })).status, 204);
      assert.equal((await runnerCall(t, 'DELETE', '/runners', { token: runner.token })).status, 204);
      assert.equal((await requestJob(t, runner.token)).status, 403);
      const discovery = await fetch(`${t.apiUrl}/runners/router/discovery`, { headers: { 'RUNNER-TOKEN': 'x' } });
      assert.equal(discovery.status, 501);
    });

    it('reset_authentication_token: 201 with a new token; the old one stops working', async () => {
      const runner = await createRunner(t);
      const reset = await runnerCall(t, 'POST', '/runners/reset_authentication_token', { token: runner.token });
      assert.equal(reset.status, 201);
      assert.notEqual(reset.body.token, runner.token);
      assert.equal((await requestJob(t, runner.token)).status, 403);
      assert.equal((await requestJob(t, reset.body.token)).status, 204);
    });
  });
}
