/**
 * Exactly once: 20 runner clients polling at the same time drain 2,000 queued jobs; every job is assigned
 * to exactly one runner and none is lost (issue #6), on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { gitUrl, WorkTree } from '../helpers/git.js';
import { createRunner, requestJob, updateJob } from '../helpers/runners.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';
import { requeueJob } from '../../src/services/pipelines/job-transitions.js';

const PIPELINES = 20;
const JOBS_PER_PIPELINE = 100;
const CLIENTS = 20;

for (const dialect of DIALECTS) {
  describe(`job assignment under concurrency (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect, { config: { longPollSeconds: 0 } });
    });
    after(() => t.close());

    it(`${CLIENTS} runners drain ${PIPELINES * JOBS_PER_PIPELINE} jobs: each assigned once, none lost`, async () => {
      const ctx = t.server.app.ctx;
      const project = await createProject(t);
      const tree = await WorkTree.create();
      await tree.commit('.gitlab-ci.yml', `work:\n  parallel: ${JOBS_PER_PIPELINE}\n  script: "true"\n`);
      const branches = Array.from({ length: PIPELINES }, (_, i) => `HEAD:refs/heads/b${i}`);
      const push = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN }), ...branches]);
      assert.equal(push.code, 0, push.stderr);
      tree.remove();
      const expected = PIPELINES * JOBS_PER_PIPELINE;
      for (let i = 0; i < 3000; i++) {
        const pending = await ctx.store.jobs.list({ projectId: project.id, statuses: ['pending'] }, { kind: 'offset', offset: 0, limit: 1, countUpTo: 100_000 });
        if (pending.total === expected) break;
        await new Promise((r) => setTimeout(r, 20));
      }

      const runners = await Promise.all(Array.from({ length: CLIENTS }, () => createRunner(t)));
      const assignedTo = new Map<number, number[]>();
      let finished = 0;
      await Promise.all(runners.map(async (runner, index) => {
        let idle = 0;
        while (finished < expected && idle < 50) {
          const answer = await requestJob(t, runner.token, { system_id: `s_client${index}` });
          if (answer.status === 204) {
            idle++;
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          assert.equal(answer.status, 201, answer.text);
          idle = 0;
          assignedTo.set(answer.body.id, [...(assignedTo.get(answer.body.id) ?? []), index]);
          const done = await updateJob(t, answer.body.id, answer.body.token, { state: 'success' });
          assert.equal(done.status, 200, done.text);
          finished++;
        }
      }));

      const twice = [...assignedTo].filter(([, clients]) => clients.length > 1);
      assert.deepEqual(twice, [], 'no job handed out twice');
      assert.equal(assignedTo.size, expected, 'every job handed out');
      const jobs = await ctx.store.jobs.list({ projectId: project.id }, { kind: 'offset', offset: 0, limit: 1, countUpTo: 100_000 });
      assert.equal(jobs.total, expected);
      const succeeded = await ctx.store.jobs.list({ projectId: project.id, statuses: ['success'] }, { kind: 'offset', offset: 0, limit: 1, countUpTo: 100_000 });
      assert.equal(succeeded.total, expected, 'every job ran to success');
      const byRunner = new Set([...assignedTo.values()].map((clients) => clients[0]));
      assert.ok(byRunner.size > 1, 'the work was spread over several runners');
    });

    it('hands out the oldest pending job first, also one that went back to the queue after newer ones were read', async () => {
      const ctx = t.server.app.ctx;
      const project = await createProject(t);
      const tree = await WorkTree.create();
      await tree.commit('.gitlab-ci.yml', 'work:\n  parallel: 3\n  script: "true"\n');
      const push = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN }), 'HEAD:main']);
      assert.equal(push.code, 0, push.stderr);
      tree.remove();
      for (let i = 0; i < 500; i++) {
        const pending = await ctx.store.jobs.list({ projectId: project.id, statuses: ['pending'] }, { kind: 'offset', offset: 0, limit: 5, countUpTo: 100 });
        if (pending.total === 3) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const runner = await createRunner(t);
      const first = await requestJob(t, runner.token);
      const second = await requestJob(t, runner.token);
      assert.ok(first.body.id < second.body.id, 'oldest first');
      // The first job's runner went away before it heard of it: the job is pending again, older than the third.
      const taken = await ctx.store.jobs.findById(first.body.id);
      assert.ok(taken && (await requeueJob(ctx, taken)));
      const again = await requestJob(t, runner.token);
      assert.equal(again.body.id, first.body.id, 'the requeued job comes before the newer one');
      const last = await requestJob(t, runner.token);
      assert.ok(last.body.id > second.body.id);
      assert.equal((await requestJob(t, runner.token)).status, 204);
    });
  });
}
