import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from '../../src/runner/crc32.js';
import { Runner } from '../../src/runner/index.js';
import { FakeGitLab, jobPayload } from './fake-gitlab.js';

const masked = (key: string, value: string) => ({ key, value, public: false, masked: true });
const plainVar = (key: string, value: string, extra: object = {}) => ({ key, value, public: true, masked: false, ...extra });

describe('runner: running jobs against a scripted GitLab', () => {
  let gitlab: FakeGitLab;
  let runner: Runner;
  let buildsDir: string;

  before(async () => {
    gitlab = await FakeGitLab.start();
    buildsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-runner-'));
    runner = new Runner({ url: `${gitlab.url}/`, token: 'glrt-abcdefghijkl', buildsDir, concurrent: 2, checkInterval: 50, cancelCheckInterval: 200, traceUpdateInterval: 300 });
    runner.start();
  });

  after(async () => {
    await runner.stop();
    await gitlab.close();
    fs.rmSync(buildsDir, { recursive: true, force: true });
  });

  it('runs a script, masks secrets and reports success with the log checksum', async () => {
    const payload = jobPayload({
      script: ['echo hello', 'echo "secret is $MY_SECRET"', 'echo "token glpat-abcDEF123_x.y end"', 'echo "dir $CI_PROJECT_DIR"'],
      variables: [masked('MY_SECRET', 'supersecretvalue'), masked('SHORT', 'abc')],
    });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    const log = job.trace.toString('utf8');
    assert.equal(job.final.state, 'success');
    assert.equal(job.final.exit_code, undefined);
    assert.equal(job.final.failure_reason, undefined);
    assert.match(log, /\x1b\[32;1m\$ echo hello\x1b\[0;m\n/);
    assert.match(log, /\nhello\n/);
    assert.match(log, /secret is \[MASKED\]/);
    assert.ok(!log.includes('supersecretvalue'));
    assert.match(log, /token glpat-\[MASKED\] end/);
    assert.ok(!log.includes(payload.token), 'the job token never reaches the log');
    assert.match(log, /section_start:\d+:step_script\r\x1b\[0K/);
    assert.match(log, /section_end:\d+:step_script\r\x1b\[0K/);
    assert.match(log, /Job succeeded/);
    assert.match(log, new RegExp(`dir ${buildsDir}/abcdefgh/\\d/acme/demo`));
    assert.deepEqual(job.final.output, { checksum: `crc32:${crc32(job.trace).toString(16).padStart(8, '0')}`, bytesize: job.trace.length });
    assert.deepEqual(job.updates[0], { token: payload.token, state: 'running', output: {} });
    const request = gitlab.requests.find((r) => r.path === '/api/v4/jobs/request')!;
    assert.equal(request.json.token, 'glrt-abcdefghijkl');
    assert.match(request.json.system_id, /^s_[0-9a-f]{12}$/);
    assert.equal(request.json.info.features.cancel_gracefully, true);
    assert.equal(request.json.info.executor, 'shell');
  });

  it('reports a failing script with its exit code and runs after_script with CI_JOB_STATUS=failed', async () => {
    const payload = jobPayload({ script: ['echo before', 'exit 3', 'echo never'], afterScript: ['echo "after: $CI_JOB_STATUS"', 'exit 1'] });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    const log = job.trace.toString('utf8');
    assert.equal(job.final.state, 'failed');
    assert.equal(job.final.failure_reason, 'script_failure');
    assert.equal(job.final.exit_code, 3);
    assert.ok(!log.includes('\nnever\n'));
    assert.match(log, /after: failed/);
    assert.match(log, /after_script failed, but job will continue unaffected: exit code 1/);
    assert.match(log, /ERROR: Job failed: exit code 3/);
  });

  it('expands variables like gitlab-runner, writes file variables and keeps raw ones literal', async () => {
    const payload = jobPayload({
      script: ['echo "b=$B"', 'echo "raw=$RAW"', 'echo "file=$(cat "$CFG")"', 'echo "path=$CFG"', 'echo "server=$CI_SERVER"'],
      variables: [plainVar('A', 'alpha'), plainVar('B', '${A}-$A-$$-$MISSING.'), plainVar('RAW', '$A', { raw: true }), plainVar('CFG', 'line1\nline2', { file: true })],
    });
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    const log = job.trace.toString('utf8');
    assert.equal(job.final.state, 'success', log);
    assert.match(log, /\nb=alpha-alpha-\$-\.\n/);
    assert.match(log, /\nraw=\$A\n/);
    assert.match(log, /\nfile=line1\nline2\n/);
    assert.match(log, /\npath=\/.*\/acme\/demo\.tmp\/CFG\n/);
    assert.match(log, /\nserver=yes\n/);
  });

  it('cancels gracefully on Job-Status: canceling: kills the script, runs after_script, reports unknown_failure', async () => {
    const payload = jobPayload({ script: ['echo started', 'sleep 30', 'echo never'], afterScript: ['echo "after: $CI_JOB_STATUS"'] });
    const job = gitlab.addJob(payload);
    await gitlab.waitFor(() => job.trace.toString().includes('started'), 'the script to start');
    const canceledAt = Date.now();
    job.status = 'canceling';
    await gitlab.finished(payload.id);
    const log = job.trace.toString('utf8');
    assert.ok(Date.now() - canceledAt < 5000, `canceled in ${Date.now() - canceledAt} ms`);
    assert.equal(job.final.state, 'failed');
    assert.equal(job.final.failure_reason, 'unknown_failure');
    assert.match(log, /after: canceled/);
    assert.match(log, /ERROR: Job failed: canceled/);
    assert.equal(job.status, 'canceled');
  });

  it('aborts at once on 403 / Job-Status: canceled, without after_script', async () => {
    const marker = path.join(buildsDir, 'after-ran');
    const payload = jobPayload({ script: ['echo started', 'sleep 30'], afterScript: [`touch ${marker}`] });
    const job = gitlab.addJob(payload);
    await gitlab.waitFor(() => job.trace.toString().includes('started'), 'the script to start');
    const canceledAt = Date.now();
    job.status = 'canceled';
    await gitlab.waitFor(() => gitlab.requests.some((r) => r.path === `/api/v4/jobs/${payload.id}` && r.json?.state === 'failed'), 'the final update');
    assert.ok(Date.now() - canceledAt < 5000);
    assert.ok(!fs.existsSync(marker), 'after_script did not run');
  });

  it('enforces runner_info.timeout with job_execution_timeout', async () => {
    const payload = jobPayload({ script: ['sleep 30'], timeout: 1 });
    gitlab.addJob(payload);
    const started = Date.now();
    const job = await gitlab.finished(payload.id);
    assert.ok(Date.now() - started < 8000);
    assert.equal(job.final.state, 'failed');
    assert.equal(job.final.failure_reason, 'job_execution_timeout');
    assert.match(job.trace.toString(), /execution took longer than 1s seconds/);
  });
});
