/** §9 cases 56–64: POST /projects/:id/jobs/:job_id/play (developers may set pipeline variables). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertBridge, assertJob } from '../../helpers/entity-schemas.js';
import { jobNamed, pushPipeline } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createCast, privateProject, reload, run, type Cast } from './common.js';

const CONFIG = `
stages: [build, deploy]
build:
  stage: build
  script: make
deploy_a:
  stage: deploy
  when: manual
  script: deploy
deploy_b:
  stage: deploy
  when: manual
  script: deploy
deploy_c:
  stage: deploy
  when: manual
  script: deploy
release:
  stage: deploy
  when: manual
  trigger:
    include: ci/child.yml
`;

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: play (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let pipeline: Pipeline;
    const play = (id: number, token: string | null = cast.dev.token, body?: unknown) =>
      t.api('POST', `/projects/${project.id}/jobs/${id}/play`, { token, ...(body === undefined ? {} : { body }) });
    const manual = async (name: string) => {
      const job = await jobNamed(ctx, pipeline.id, name);
      assert.equal(job.status, 'manual', `${name} is manual`);
      return job;
    };

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      pipeline = await pushPipeline(t, project, { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CONFIG });
      await run(ctx, await jobNamed(ctx, pipeline.id, 'build'));
    });
    after(() => t.close());

    it('case 56: developer plays a manual build → 200, user = dev, same id, now pending', async () => {
      const job = await manual('deploy_a');
      const res = await play(job.id);
      assert.equal(res.status, 200, res.text);
      assertJob(res.body);
      assert.deepEqual([res.body.id, res.body.user.id, res.body.status], [job.id, cast.dev.id, 'pending']);
      const reloaded = await reload(ctx, job.id);
      assert.deepEqual([reloaded.status, reloaded.userId], ['pending', cast.dev.id]);
    });

    it('case 57: developer plays a manual trigger job → 200 Bridge, user = dev, pending', async () => {
      const bridge = await manual('release');
      assert.equal(bridge.type, 'bridge');
      const res = await play(bridge.id);
      assert.equal(res.status, 200, res.text);
      assertBridge(res.body);
      assert.deepEqual([res.body.id, res.body.user.id, res.body.status], [bridge.id, cast.dev.id, 'pending']);
      assert.equal((await reload(ctx, bridge.id)).userId, cast.dev.id);
    });

    it('case 58: with job_variables_attributes → 200, pending, variable stored', async () => {
      const job = await manual('deploy_b');
      const res = await play(job.id, cast.dev.token, { job_variables_attributes: [{ key: 'TEST_VAR', value: 'test' }] });
      assert.equal(res.status, 200, res.text);
      assertJob(res.body);
      assert.equal(res.body.status, 'pending');
      const reloaded = await reload(ctx, job.id);
      assert.equal(reloaded.status, 'pending');
      assert.deepEqual(reloaded.jobVariables, [{ key: 'TEST_VAR', value: 'test' }]);
    });

    it('case 59: a variable without key → 400 job_variables_attributes[0][key] is missing; job stays manual', async () => {
      const job = await manual('deploy_c');
      const res = await play(job.id, cast.dev.token, { job_variables_attributes: [{ value: 'test' }] });
      assert.deepEqual([res.status, res.body], [400, { error: 'job_variables_attributes[0][key] is missing' }]);
      assert.equal((await reload(ctx, job.id)).status, 'manual');
    });

    it('case 60: a variable without value → 400 job_variables_attributes[0][value] is missing; job stays manual', async () => {
      const job = await manual('deploy_c');
      const res = await play(job.id, cast.dev.token, { job_variables_attributes: [{ key: 'TEST_VAR' }] });
      assert.deepEqual([res.status, res.body], [400, { error: 'job_variables_attributes[0][value] is missing' }]);
      assert.equal((await reload(ctx, job.id)).status, 'manual');
    });

    it('case 61: second variable without key → 400 job_variables_attributes[1][key] is missing; job stays manual', async () => {
      const job = await manual('deploy_c');
      const res = await play(job.id, cast.dev.token, { job_variables_attributes: [{ key: 'TEST_VAR', value: 'test' }, { value: 'test2' }] });
      assert.deepEqual([res.status, res.body], [400, { error: 'job_variables_attributes[1][key] is missing' }]);
      const reloaded = await reload(ctx, job.id);
      assert.equal(reloaded.status, 'manual');
      assert.deepEqual(reloaded.jobVariables, []);
    });

    it('case 62: a non-member → 404; job stays manual', async () => {
      const job = await manual('deploy_c');
      const res = await play(job.id, cast.stranger.token);
      assert.deepEqual([res.status, res.body], [404, { message: '404 Project Not Found' }]);
      assert.equal((await reload(ctx, job.id)).status, 'manual');
    });

    it('case 63: a reporter → 403; job stays manual', async () => {
      const job = await manual('deploy_c');
      const res = await play(job.id, cast.rep.token);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden' }]);
      assert.equal((await reload(ctx, job.id)).status, 'manual');
    });

    it('case 64: a non-playable (success) job → 400 Unplayable Job', async () => {
      const job = await jobNamed(ctx, pipeline.id, 'build');
      assert.equal(job.status, 'success');
      const res = await play(job.id);
      assert.deepEqual([res.status, res.body], [400, { message: '400 Bad request - Unplayable Job' }]);
      assert.equal((await reload(ctx, job.id)).status, 'success');
    });
  });
}
