import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { finishJob, startJob } from '../../src/services/pipelines/job-lifecycle.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { gitUrl, WorkTree } from '../helpers/git.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const dialect of DIALECTS) {
  describe(`parent/child and multi-project pipelines (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    async function pushProject(files: Record<string, string>) {
      const project = await createProject(t);
      const tree = await WorkTree.create();
      for (const [file, content] of Object.entries(files)) await tree.commit(file, content);
      const push = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN }), 'HEAD:main']);
      assert.equal(push.code, 0, push.stderr);
      tree.remove();
      return project;
    }
    const store = () => t.server.app.ctx.store;
    const pipelinesOf = async (projectId: number) => (await store().pipelines.list({ projectId }, { kind: 'offset', offset: 0, limit: 50, countUpTo: null })).rows;
    async function runAll(pipelineId: number) {
      for (const job of await store().jobs.listByPipeline(pipelineId)) {
        if (job.type !== 'build' || job.status !== 'pending') continue;
        const started = await startJob(t.server.app.ctx, job);
        if (started) await finishJob(t.server.app.ctx, started, { status: 'success' });
      }
    }

    it('runs a child pipeline from local files and mirrors it with strategy: depend', async () => {
      const project = await pushProject({
        'ci/child.yml': 'child-job:\n  script: echo child\n',
        '.gitlab-ci.yml': 'build:\n  stage: build\n  script: x\ntrigger-child:\n  stage: test\n  trigger:\n    include: ci/child.yml\n    strategy: depend\n',
      });
      // The pipeline row is committed before its processing makes `build` pending (possibly in the other process).
      const parent = await eventually(async () => {
        const found = (await pipelinesOf(project.id)).find((p) => p.source === 'push');
        const jobs = found ? await store().jobs.listByPipeline(found.id) : [];
        return jobs.some((j) => j.name === 'build' && j.status === 'pending') ? found : undefined;
      }, 'the parent pipeline with build pending');
      await runAll(parent.id);
      const bridge = await eventually(async () => {
        const b = (await store().jobs.listByPipeline(parent.id)).find((j) => j.name === 'trigger-child');
        return b?.status === 'running' ? b : undefined;
      }, 'the bridge to run');
      const child = (await store().pipelines.findById(bridge.downstreamPipelineId!))!;
      assert.equal(child.source, 'parent_pipeline');
      assert.equal(child.parentPipelineId, parent.id);
      assert.deepEqual((await store().jobs.listByPipeline(child.id)).map((j) => j.name), ['child-job']);
      await runAll(child.id);
      await eventually(async () => (await store().pipelines.findById(parent.id))!.status === 'success', 'the parent to succeed');
      assert.equal((await store().jobs.findById(bridge.id))!.status, 'success');
    });

    it('triggers a pipeline in another project, failing the bridge when that pipeline fails', async () => {
      const downstream = await pushProject({ '.gitlab-ci.yml': 'deploy:\n  script: deploy\n' });
      const upstream = await pushProject({
        '.gitlab-ci.yml': `release:\n  variables:\n    TARGET: prod\n  trigger:\n    project: ${downstream.path_with_namespace}\n    strategy: depend\n`,
      });
      const parent = await eventually(async () => (await pipelinesOf(upstream.id))[0], 'the upstream pipeline');
      const bridge = await eventually(async () => {
        const b = (await store().jobs.listByPipeline(parent.id))[0];
        return b?.downstreamPipelineId ? b : undefined;
      }, 'the downstream pipeline');
      const triggered = (await store().pipelines.findById(bridge.downstreamPipelineId!))!;
      assert.equal(triggered.source, 'pipeline');
      assert.equal(triggered.projectId, downstream.id);
      assert.deepEqual(triggered.variables, [{ key: 'TARGET', value: 'prod', variable_type: 'env_var' }]);
      const job = (await store().jobs.listByPipeline(triggered.id))[0];
      const started = await startJob(t.server.app.ctx, job);
      await finishJob(t.server.app.ctx, started!, { status: 'failed', failureReason: 'script_failure' });
      await eventually(async () => (await store().pipelines.findById(parent.id))!.status === 'failed', 'the upstream to fail');
      assert.equal((await store().jobs.findById(bridge.id))!.failureReason, 'downstream_pipeline_failed');
    });

    it('fails a bridge whose project does not exist', async () => {
      const upstream = await pushProject({ '.gitlab-ci.yml': 'release:\n  trigger:\n    project: nobody/nothing\n' });
      const parent = await eventually(async () => (await pipelinesOf(upstream.id))[0], 'the pipeline');
      const bridge = await eventually(async () => {
        const b = (await store().jobs.listByPipeline(parent.id))[0];
        return b?.status === 'failed' ? b : undefined;
      }, 'the bridge to fail');
      assert.equal(bridge.failureReason, 'downstream_bridge_project_not_found');
    });
  });
}
