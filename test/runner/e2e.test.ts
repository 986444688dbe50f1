/** The built-in runner against the real Conveyor server: push, pick up over long polling, run, report, cancel. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Runner } from '../../src/runner/index.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CONFIG = `
stages: [build, test]
variables:
  GREETING: hello
build:
  stage: build
  script:
    - echo "$GREETING from $CI_JOB_NAME on $CI_COMMIT_REF_NAME"
    - cat README.md
    - echo "secret=$DEPLOY_KEY"
    - test "$CI_PROJECT_DIR" = "$PWD"
unit:
  stage: test
  script:
    - echo testing
    - exit 7
  after_script:
    - echo "after with $CI_JOB_STATUS"
`;

const SLOW = `
slow:
  script:
    - echo started
    - sleep 30
    - echo never
  after_script:
    - echo "after with $CI_JOB_STATUS"
`;

describe('runner end to end against the Conveyor server', () => {
  let t: TestServer;
  let runner: Runner;
  let buildsDir: string;

  before(async () => {
    t = await startTestServer('sqlite', { config: { longPollSeconds: 5 } });
    const created = await t.api('POST', '/user/runners', { body: { runner_type: 'instance_type', description: 'e2e' } });
    assert.equal(created.status, 201, created.text);
    buildsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-e2e-builds-'));
    runner = new Runner({ url: t.url, token: created.body.token, buildsDir, concurrent: 2, checkInterval: 100, cancelCheckInterval: 300 });
    runner.start();
  });

  after(async () => {
    await runner?.stop();
    await t?.close();
    fs.rmSync(buildsDir, { recursive: true, force: true });
  });

  async function finished(projectId: number, jobId: number, timeoutMs = 60_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const job = await t.api('GET', `/projects/${projectId}/jobs/${jobId}`);
      if (['success', 'failed', 'canceled'].includes(job.body.status)) return job.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  const traceOf = async (projectId: number, jobId: number) => (await t.api('GET', `/projects/${projectId}/jobs/${jobId}/trace`)).text;

  it('clones over git smart HTTP with the job token, runs the stages in order and reports each outcome', async () => {
    const project = await createProject(t);
    const variable = await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'DEPLOY_KEY', value: 'very-secret-deploy-key', masked: true } });
    assert.equal(variable.status, 201, variable.text);
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG, 'README.md': 'read me\n' });
    const build = await finished(project.id, (await jobNamed(t.server.app.ctx, pipeline.id, 'build')).id);
    assert.equal(build.status, 'success');
    const buildLog = await traceOf(project.id, build.id);
    assert.match(buildLog, /hello from build on main/);
    assert.match(buildLog, /\nread me\n/);
    assert.match(buildLog, /secret=\[MASKED\]/);
    assert.ok(!buildLog.includes('very-secret-deploy-key'));
    assert.match(buildLog, /Job succeeded/);

    const unit = await finished(project.id, (await jobNamed(t.server.app.ctx, pipeline.id, 'unit')).id);
    assert.equal(unit.status, 'failed');
    assert.equal(unit.failure_reason, 'script_failure');
    const unitLog = await traceOf(project.id, unit.id);
    assert.match(unitLog, /after with failed/);
    assert.match(unitLog, /ERROR: Job failed: exit code 7/);
    const pipe = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}`);
    assert.equal(pipe.body.status, 'failed');
  });

  it('a cancel reaches a running `sleep 30` within seconds; after_script runs and the job ends canceled', async () => {
    const project = await createProject(t);
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': SLOW });
    const job = await jobNamed(t.server.app.ctx, pipeline.id, 'slow');
    const until = Date.now() + 30_000;
    while (!(await traceOf(project.id, job.id)).includes('started')) {
      assert.ok(Date.now() < until, 'the job started');
      await new Promise((r) => setTimeout(r, 100));
    }
    const canceledAt = Date.now();
    const cancel = await t.api('POST', `/projects/${project.id}/jobs/${job.id}/cancel`);
    assert.equal(cancel.status, 201, cancel.text);
    const done = await finished(project.id, job.id, 20_000);
    const elapsed = Date.now() - canceledAt;
    assert.equal(done.status, 'canceled');
    assert.ok(elapsed < 15_000, `canceled after ${elapsed} ms`);
    const log = await traceOf(project.id, job.id);
    assert.match(log, /after with canceled/);
    assert.ok(!log.includes('\nnever\n'));
  });
});
