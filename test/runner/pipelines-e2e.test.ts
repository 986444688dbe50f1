/**
 * Issue #6's end-to-end list on the real server and the built-in runner with its default settings:
 * exit codes allowed to fail, after_script after a failure, a prompt cancel that kills the process,
 * timeouts, `retry:`, manual jobs, variables reaching the script, masked values kept out of the log.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Runner } from '../../src/runner/index.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('pipelines on the built-in runner', () => {
  let t: TestServer;
  let runner: Runner;
  let buildsDir: string;
  let scratch: string;

  before(async () => {
    t = await startTestServer('sqlite');
    const created = await t.api('POST', '/user/runners', { body: { runner_type: 'instance_type', description: 'e2e defaults' } });
    buildsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-e2e-builds-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-e2e-scratch-'));
    runner = new Runner({ url: t.url, token: created.body.token, buildsDir, concurrent: 2 });
    runner.start();
  });

  after(async () => {
    await runner?.stop();
    await t?.close();
    fs.rmSync(buildsDir, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  async function settled(projectId: number, jobId: number, timeoutMs = 60_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const job = await t.api('GET', `/projects/${projectId}/jobs/${jobId}`);
      if (['success', 'failed', 'canceled', 'manual', 'skipped'].includes(job.body.status)) return job.body;
      assert.ok(Date.now() < until, `job ${jobId} settles (now ${job.body.status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const logOf = async (projectId: number, jobId: number) => (await t.api('GET', `/projects/${projectId}/jobs/${jobId}/trace`)).text;

  it('allow_failure: exit_codes, after_script after a failure, exit codes in the log, variables and predefined variables', async () => {
    const project = await createProject(t);
    await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'PROJECT_SETTING', value: 'from-project' } });
    await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'API_SECRET', value: 'masked-value-123', masked: true } });
    const pipeline = await pushPipeline(t, project, {
      '.gitlab-ci.yml': `
variables:
  FROM_YAML: yaml-value
allowed:
  script: ["echo flaky", "exit 3"]
  allow_failure:
    exit_codes: [3]
failing:
  script: ["echo about to fail", "exit 2"]
  after_script: ["echo cleanup ran after $CI_JOB_STATUS"]
variables_job:
  script:
    - echo "yaml=$FROM_YAML project=$PROJECT_SETTING id=$CI_JOB_ID pipeline=$CI_PIPELINE_ID ref=$CI_COMMIT_REF_NAME sha=$CI_COMMIT_SHA path=$CI_PROJECT_PATH"
    - echo "secret=$API_SECRET"
`,
    });
    const allowed = await settled(project.id, (await jobNamed(t.server.app.ctx, pipeline.id, 'allowed')).id);
    assert.equal(allowed.status, 'failed');
    assert.equal(allowed.allow_failure, true, 'exit code 3 is allowed to fail');
    const failing = await settled(project.id, (await jobNamed(t.server.app.ctx, pipeline.id, 'failing')).id);
    assert.equal(failing.status, 'failed');
    assert.equal(failing.failure_reason, 'script_failure');
    assert.equal(failing.allow_failure, false);
    const failingLog = await logOf(project.id, failing.id);
    assert.match(failingLog, /exit code 2/);
    assert.match(failingLog, /cleanup ran after failed/);
    const vars = await settled(project.id, (await jobNamed(t.server.app.ctx, pipeline.id, 'variables_job')).id);
    const varsLog = await logOf(project.id, vars.id);
    assert.match(varsLog, new RegExp(`yaml=yaml-value project=from-project id=${vars.id} pipeline=${pipeline.id} ref=main sha=${pipeline.sha} path=${project.path_with_namespace}`));
    assert.match(varsLog, /secret=\[MASKED\]/);
    assert.ok(!varsLog.includes('masked-value-123'));
  });

  it('a cancel during `sleep 30` ends the job within seconds and kills the process', async (context) => {
    const project = await createProject(t);
    const pidFile = path.join(scratch, `sleep-${Date.now()}.pid`);
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': `slow:\n  script:\n    - sleep 30 & echo $! > ${pidFile}; wait\n` });
    const job = await jobNamed(t.server.app.ctx, pipeline.id, 'slow');
    const until = Date.now() + 30_000;
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') {
      assert.ok(Date.now() < until, 'the sleep started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    const canceledAt = Date.now();
    assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${job.id}/cancel`)).status, 201);
    for (;;) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (!alive) break;
      // A bound far below the sleep's 30 s proves the cancel reached it; the figure itself is reported, not asserted.
      assert.ok(Date.now() - canceledAt < 15_000, 'the sleep process is killed');
      await new Promise((r) => setTimeout(r, 50));
    }
    context.diagnostic(`sleep killed ${Date.now() - canceledAt} ms after the cancel`);
    const done = await settled(project.id, job.id, 15_000);
    assert.equal(done.status, 'canceled');
    context.diagnostic(`job canceled ${Date.now() - canceledAt} ms after the cancel`);
  });

  it('a job over its timeout ends as job_execution_timeout', async () => {
    const project = await createProject(t);
    // Below the runner's minimum check: the project's own timeout is the cap here.
    await t.api('PUT', `/projects/${project.id}`, { body: { build_timeout: 600 } });
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': 'sleepy:\n  timeout: 3s\n  script: ["sleep 20"]\n' });
    const job = await settled(project.id, (await jobNamed(t.server.app.ctx, pipeline.id, 'sleepy')).id, 20_000);
    assert.equal(job.status, 'failed');
    assert.equal(job.failure_reason, 'job_execution_timeout');
  });

  it('retry: 2 retries a flaky script until it passes', async () => {
    const project = await createProject(t);
    const counter = path.join(scratch, `attempts-${Date.now()}`);
    const pipeline = await pushPipeline(t, project, {
      '.gitlab-ci.yml': `flaky:\n  retry: 2\n  script:\n    - echo x >> ${counter}\n    - test $(wc -l < ${counter}) -ge 3\n`,
    });
    const until = Date.now() + 60_000;
    for (;;) {
      const p = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}`);
      if (p.body.status === 'success') break;
      assert.ok(Date.now() < until && p.body.status !== 'failed', `pipeline ${p.body.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const jobs = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/jobs?include_retried=true`);
    assert.deepEqual(jobs.body.map((j: any) => j.status).sort(), ['failed', 'failed', 'success']);
    assert.equal(fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean).length, 3);
  });

  it('a manual job waits, and runs when played', async () => {
    const project = await createProject(t);
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': 'build:\n  script: ["echo built"]\ndeploy:\n  when: manual\n  script: ["echo deployed with $DEPLOY_TARGET"]\n' });
    const deploy = await jobNamed(t.server.app.ctx, pipeline.id, 'deploy');
    await settled(project.id, (await jobNamed(t.server.app.ctx, pipeline.id, 'build')).id);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${deploy.id}`)).body.status, 'manual');
    const played = await t.api('POST', `/projects/${project.id}/jobs/${deploy.id}/play`, { body: { job_variables_attributes: [{ key: 'DEPLOY_TARGET', value: 'staging' }] } });
    assert.equal(played.status, 200, played.text);
    const done = await settled(project.id, deploy.id);
    assert.equal(done.status, 'success');
    assert.match(await logOf(project.id, deploy.id), /deployed with staging/);
  });
});
