import assert from 'node:assert/strict';
import type { ServiceContext } from '../../src/services/context.js';
import { finishJob, startJob } from '../../src/services/pipelines/job-lifecycle.js';
import type { Job } from '../../src/store/jobs-repository.js';
import type { Pipeline } from '../../src/store/pipelines-repository.js';
import { gitUrl, WorkTree } from './git.js';
import { ROOT_TOKEN, type TestServer } from './server.js';

/** Pushes `files` (a `.gitlab-ci.yml` among them) to the project's `ref` and waits for the push pipeline. */
export async function pushPipeline(t: TestServer, project: { id: number; path_with_namespace: string }, files: Record<string, string>, ref = 'main'): Promise<Pipeline> {
  const tree = await WorkTree.create();
  try {
    for (const [file, content] of Object.entries(files)) await tree.commit(file, content);
    const before = (await t.server.app.ctx.store.pipelines.list({ projectId: project.id }, { kind: 'offset', offset: 0, limit: 1, countUpTo: null })).rows[0]?.id ?? 0;
    const push = await tree.git(['push', '--force', gitUrl(t.url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN }), `HEAD:${ref}`]);
    assert.equal(push.code, 0, push.stderr);
    for (let i = 0; i < 400; i++) {
      const latest = (await t.server.app.ctx.store.pipelines.list({ projectId: project.id }, { kind: 'offset', offset: 0, limit: 1, countUpTo: null })).rows[0];
      if (latest && latest.id !== before && latest.status !== 'created') return latest;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no pipeline for the push');
  } finally {
    tree.remove();
  }
}

export async function jobsOf(ctx: ServiceContext, pipelineId: number, options: { includeRetried?: boolean } = {}): Promise<Job[]> {
  return ctx.store.jobs.listByPipeline(pipelineId, options);
}

export async function jobNamed(ctx: ServiceContext, pipelineId: number, name: string): Promise<Job> {
  const job = (await jobsOf(ctx, pipelineId)).find((j) => j.name === name);
  assert.ok(job, `job ${name}`);
  return job;
}

/** Drives a pending job through running to the outcome, as a runner would. */
export async function runJob(ctx: ServiceContext, job: Job, outcome: 'success' | 'failed' = 'success'): Promise<Job> {
  const started = await startJob(ctx, job);
  assert.ok(started, `job ${job.name} starts`);
  const finished = await finishJob(ctx, started, outcome === 'success' ? { status: 'success' } : { status: 'failed', failureReason: 'script_failure' });
  return finished!;
}
