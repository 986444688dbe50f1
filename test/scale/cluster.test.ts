/**
 * Scale-out (issue #9) with real `conveyor serve` processes on one PostgreSQL database and one data folder:
 * exactly-once assignment across processes, and a process killed with SIGKILL while its runners are mid-job.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FilesystemBlobStore } from '../../src/blobs/filesystem-blob-store.js';
import type { ServiceContext } from '../../src/services/context.js';
import { ConveyorEvents } from '../../src/services/events.js';
import { BuildQueue } from '../../src/services/queue/build-queue.js';
import { dropStuckJobs } from '../../src/services/queue/stuck-jobs.js';
import { randomSecrets } from '../../src/services/security/secrets.js';
import { openPostgres } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';
import { FailoverRunner, startConveyorProcess, type ConveyorProcess } from '../helpers/cluster.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { gitUrl, WorkTree } from '../helpers/git.js';
import { request, ROOT_TOKEN } from '../helpers/server.js';

async function pushBranches(url: string, project: { path_with_namespace: string }, branches: number, parallel: number): Promise<void> {
  const tree = await WorkTree.create();
  try {
    await tree.commit('.gitlab-ci.yml', `work:\n  parallel: ${parallel}\n  script: "true"\n`);
    const refs = Array.from({ length: branches }, (_, i) => `HEAD:refs/heads/b${i}`);
    const push = await tree.git(['push', gitUrl(url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN }), ...refs]);
    assert.equal(push.code, 0, push.stderr);
  } finally {
    tree.remove();
  }
}

describe('several conveyor serve processes on one PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let processes: ConveyorProcess[] = [];
  let store: Store;
  let close: () => Promise<void>;

  before(async () => {
    database = await createPostgresDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-cluster-'));
    // Three processes starting together: the migration lock lets exactly one migrate.
    processes = await Promise.all([0, 1, 2].map(() => startConveyorProcess({ databaseUrl: database.url, dataDir })));
    const handle = openPostgres(database.url, 4);
    store = Store.over(handle);
    close = () => handle.close();
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await close?.();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (index: number, method: string, p: string, body?: unknown) => request(`${processes[index].url}/api/v4`, method, p, { body });

  async function waitForPending(projectId: number, expected: number) {
    for (let i = 0; i < 3000; i++) {
      const pending = await store.jobs.list({ projectId, statuses: ['pending'] }, { kind: 'offset', offset: 0, limit: 1, countUpTo: 100_000 });
      if (pending.total === expected) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`${expected} jobs did not become pending`);
  }

  async function newRunnerToken(index: number): Promise<string> {
    const created = await api(index, 'POST', '/user/runners', { runner_type: 'instance_type' });
    assert.equal(created.status, 201, created.text);
    return created.body.token;
  }

  it('30 runners spread over 3 processes drain 3,000 jobs: each once, none lost', async () => {
    const project = (await api(0, 'POST', '/projects', { name: 'drain' })).body;
    await pushBranches(processes[0].url, project, 30, 100);
    await waitForPending(project.id, 3000);
    const token = await newRunnerToken(1);
    const ran = new Map<number, number>();
    await Promise.all(Array.from({ length: 30 }, async (_, client) => {
      const runner = new FailoverRunner(() => [processes[client % 3].url], token, `s_client${client}`);
      let idle = 0;
      while (idle < 3) {
        const result = await runner.runOne();
        if (!result) {
          idle++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        idle = 0;
        ran.set(result.id, (ran.get(result.id) ?? 0) + 1);
      }
    }));
    assert.deepEqual([...ran].filter(([, n]) => n > 1), [], 'no job ran twice');
    assert.equal(ran.size, 3000, 'every job ran');
    const succeeded = await store.jobs.list({ projectId: project.id, statuses: ['success'] }, { kind: 'offset', offset: 0, limit: 1, countUpTo: 100_000 });
    assert.equal(succeeded.total, 3000);
  });

  it('SIGKILL of one process mid-job: its runners go on against the others, no acknowledged log byte is lost, nothing stays running past the lost-runner timeout', async () => {
    const project = (await api(0, 'POST', '/projects', { name: 'survive' })).body;
    await pushBranches(processes[0].url, project, 2, 150);
    await waitForPending(project.id, 300);
    const token = await newRunnerToken(0);
    const alive = new Set([0, 1, 2]);
    const urls = () => [...alive].map((i) => processes[i].url);
    const logs = new Map<number, string>();
    let killed = false;
    await Promise.all(Array.from({ length: 9 }, async (_, client) => {
      const runner = new FailoverRunner(urls, token, `s_kill${client}`, client);
      let idle = 0;
      while (idle < 3) {
        if (!killed && logs.size >= 100) {
          killed = true;
          // A process dies while runners are between their patches and their final updates.
          await processes[2].kill9();
          alive.delete(2);
        }
        const result = await runner.runOne();
        if (!result) {
          idle++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        idle = 0;
        logs.set(result.id, result.log);
      }
    }));
    assert.ok(killed);
    for (const [id, log] of logs) {
      const stored = await request(`${processes[0].url}/api/v4`, 'GET', `/projects/${project.id}/jobs/${id}/trace`);
      assert.equal(stored.text, log, `job ${id}'s log is whole`);
    }
    // A job the dead process handed out in its last moment never reached a runner: the sweep ends it.
    const later: ServiceContext = {
      store,
      clock: { now: () => new Date(Date.now() + 61 * 60_000) },
      secrets: randomSecrets,
      externalUrl: processes[0].url,
      dataDir,
      events: new ConveyorEvents(),
      blobs: new FilesystemBlobStore(path.join(dataDir, 'blobs')),
      queue: new BuildQueue(new ConveyorEvents()),
    };
    await dropStuckJobs(later);
    const running = await store.jobs.list({ projectId: project.id, statuses: ['running', 'pending'] }, { kind: 'offset', offset: 0, limit: 1, countUpTo: 1000 });
    assert.equal(running.total, 0, 'nothing left running or pending');
    const succeeded = await store.jobs.list({ projectId: project.id, statuses: ['success'] }, { kind: 'offset', offset: 0, limit: 1, countUpTo: 1000 });
    assert.equal(succeeded.total, logs.size, 'every job a runner finished is a success');
    assert.ok(logs.size >= 290, `${logs.size} of 300 jobs ran to the end`);
  });
});
