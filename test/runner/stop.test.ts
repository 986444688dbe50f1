import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Runner } from '../../src/runner/index.js';
import { FakeGitLab, jobPayload } from './fake-gitlab.js';

describe('runner: stopping, and the CLI', () => {
  let gitlab: FakeGitLab;
  let buildsDir: string;

  before(async () => {
    gitlab = await FakeGitLab.start();
    buildsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-runner-stop-'));
  });
  after(async () => {
    await gitlab.close();
    fs.rmSync(buildsDir, { recursive: true, force: true });
  });

  const newRunner = () => new Runner({ url: gitlab.url, token: 'glrt-stopping', buildsDir, concurrent: 1, checkInterval: 50, cancelCheckInterval: 200 });

  it('a graceful stop lets the running job finish and asks for no more', async () => {
    const runner = newRunner();
    runner.start();
    const payload = jobPayload({ script: ['echo started', 'sleep 1', 'echo finished'] });
    const job = gitlab.addJob(payload);
    await gitlab.waitFor(() => runner.activeJobs === 1, 'the job to start');
    const requestsBefore = gitlab.requests.filter((r) => r.path === '/api/v4/jobs/request').length;
    await runner.stop({ graceful: true });
    assert.equal(job.final.state, 'success');
    assert.match(job.trace.toString(), /finished/);
    assert.equal(gitlab.requests.filter((r) => r.path === '/api/v4/jobs/request').length, requestsBefore);
  });

  it('a hard stop interrupts the job and reports it as a runner system failure', async () => {
    const runner = newRunner();
    runner.start();
    const payload = jobPayload({ script: ['echo started', 'sleep 30'], afterScript: ['echo after'] });
    const job = gitlab.addJob(payload);
    await gitlab.waitFor(() => runner.activeJobs === 1, 'the job to start');
    const started = Date.now();
    await runner.stop();
    assert.ok(Date.now() - started < 5000);
    assert.equal(job.final.state, 'failed');
    assert.equal(job.final.failure_reason, 'runner_system_failure');
    assert.ok(!job.trace.toString().includes('\nafter\n'));
    assert.match(job.trace.toString(), /ERROR: Job failed \(system failure\): aborted/);
  });

  it('`conveyor runner register` verifies the token and prints the runner id', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['bin/conveyor.cjs', 'runner', 'register', '--url', gitlab.url, '--token', 'glrt-good-token']);
    assert.match(stdout, /Runner verified: id 42/);
    const verify = gitlab.requests.find((r) => r.path === '/api/v4/runners/verify')!;
    assert.equal(verify.json.token, 'glrt-good-token');
    assert.match(verify.json.system_id, /^s_[0-9a-f]{12}$/);
    await assert.rejects(run(process.execPath, ['bin/conveyor.cjs', 'runner', 'register', '--url', gitlab.url, '--token', 'glrt-bad']), /refused the token/);
  });
});
