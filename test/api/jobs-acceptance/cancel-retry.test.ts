/** §9 cases 39–48: POST /projects/:id/jobs/:job_id/cancel and /retry. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertBridge, assertJob } from '../../helpers/entity-schemas.js';
import { jobNamed, jobsOf, pushPipeline } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createCast, eventually, privateProject, reload, run, type Cast } from './common.js';

const CONFIG = `
stages: [build, test]
done:
  stage: build
  script: make
queued:
  stage: build
  script: make
stopped:
  stage: build
  script: make
waiting:
  stage: test
  script: make test
`;
/** A lone trigger job that runs (strategy: depend) until the pipeline is canceled. */
const BRIDGE_CONFIG = `
downstream:
  trigger:
    include: ci/child.yml
    strategy: depend
`;

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: cancel and retry (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let pipeline: Pipeline;
    let J: Job;
    let C: Job;
    const post = (action: 'cancel' | 'retry', id: number, token: string | null = cast.dev.token) =>
      t.api('POST', `/projects/${project.id}/jobs/${id}/${action}`, { token });

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
      J = await run(ctx, await jobNamed(ctx, pipeline.id, 'done'));
      // C: canceled by a developer through the API.
      const stopped = await jobNamed(ctx, pipeline.id, 'stopped');
      const cancel = await post('cancel', stopped.id);
      assert.equal(cancel.status, 201, cancel.text);
      C = await reload(ctx, stopped.id);
      assert.equal(C.status, 'canceled');
    });
    after(() => t.close());

    it('case 39: developer cancels the success job J → 201, J stays success', async () => {
      const res = await post('cancel', J.id);
      assert.equal(res.status, 201);
      assertJob(res.body);
      assert.equal(res.body.id, J.id);
      assert.equal(res.body.status, 'success');
      assert.equal((await reload(ctx, J.id)).status, 'success');
    });

    it('case 40: reporter cancels → 403', async () => {
      const queued = await jobNamed(ctx, pipeline.id, 'queued');
      const res = await post('cancel', queued.id, cast.rep.token);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden' }]);
      assert.equal((await reload(ctx, queued.id)).status, 'pending');
    });

    it('case 41: no credentials → 401', async () => {
      const res = await post('cancel', J.id, null);
      assert.deepEqual([res.status, res.body], [401, { message: '401 Unauthorized' }]);
    });

    it('case 42: developer cancels a pending job → 201, canceled, finished_at set', async () => {
      const queued = await jobNamed(ctx, pipeline.id, 'queued');
      assert.equal(queued.status, 'pending');
      const res = await post('cancel', queued.id);
      assert.equal(res.status, 201);
      assertJob(res.body);
      assert.equal(res.body.status, 'canceled');
      assert.equal(typeof res.body.finished_at, 'string');
      assert.equal((await reload(ctx, queued.id)).status, 'canceled');
    });

    it('case 43: developer retries the canceled job C → 201, a new pending job by dev; C stays canceled', async () => {
      const res = await post('retry', C.id);
      assert.equal(res.status, 201);
      assertJob(res.body);
      assert.equal(res.body.status, 'pending');
      assert.notEqual(res.body.id, C.id);
      assert.equal(res.body.name, C.name);
      assert.equal(res.body.user.id, cast.dev.id);
      assert.equal((await reload(ctx, C.id)).status, 'canceled');
    });

    it('case 44: retrying a canceled bridge → 201, pending', async () => {
      const bridgePipeline = await pushPipeline(t, project, { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': BRIDGE_CONFIG }, 'bridge-branch');
      const running = await eventually(async () => {
        const b = await jobNamed(ctx, bridgePipeline.id, 'downstream');
        return b.status === 'running' ? b : undefined;
      }, 'the trigger job to run');
      const cancel = await t.api('POST', `/projects/${project.id}/pipelines/${bridgePipeline.id}/cancel`, { token: cast.dev.token });
      assert.equal(cancel.status, 201, cancel.text);
      assert.equal((await reload(ctx, running.id)).status, 'canceled');
      const res = await post('retry', running.id);
      assert.equal(res.status, 201, res.text);
      assertBridge(res.body);
      assert.equal(res.body.status, 'pending');
      assert.notEqual(res.body.id, running.id);
      assert.equal(res.body.user.id, cast.dev.id);
    });

    it('case 45: a job in created status → 403 Job is not retryable', async () => {
      const waiting = await jobNamed(ctx, pipeline.id, 'waiting');
      assert.equal(waiting.status, 'created');
      const res = await post('retry', waiting.id);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden - Job is not retryable' }]);
    });

    it('case 46: reporter retries → 403', async () => {
      const before = (await jobsOf(ctx, pipeline.id, { includeRetried: true })).length;
      const res = await post('retry', J.id, cast.rep.token);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden' }]);
      assert.equal((await jobsOf(ctx, pipeline.id, { includeRetried: true })).length, before, 'no new job');
    });

    it('case 47: no credentials → 401', async () => {
      const res = await post('retry', J.id, null);
      assert.deepEqual([res.status, res.body], [401, { message: '401 Unauthorized' }]);
    });

    it('case 48: after a retry the pipeline jobs list shows only the new job; include_retried=true shows both', async () => {
      const current = await jobNamed(ctx, pipeline.id, 'stopped');
      assert.notEqual(current.id, C.id, 'C was retried in case 43');
      const plain = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/jobs`, { token: cast.dev.token });
      assert.equal(plain.status, 200);
      assertJob(plain.body);
      assert.deepEqual(plain.body.filter((j: any) => j.name === 'stopped').map((j: any) => j.id), [current.id]);
      const all = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/jobs?include_retried=true`, { token: cast.dev.token });
      assert.equal(all.status, 200);
      assertJob(all.body);
      assert.deepEqual(all.body.filter((j: any) => j.name === 'stopped').map((j: any) => j.id).sort((a: number, b: number) => a - b), [C.id, current.id].sort((a, b) => a - b));
    });
  });
}
