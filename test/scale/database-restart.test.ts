/**
 * PostgreSQL restarted under load (issue #9): requests during the outage answer 503 (or fail over), none
 * hangs, and the processes carry on by themselves once the database is back.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startConveyorProcess, type ConveyorProcess } from '../helpers/cluster.js';
import { gitUrl, WorkTree } from '../helpers/git.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { createRunner, requestJob, RUNNER_INFO } from '../helpers/runners.js';
import { request, ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

describe('PostgreSQL restarted under load', () => {
  let postgres: PrivatePostgres;
  let dataDir: string;
  let processes: ConveyorProcess[] = [];

  before(async () => {
    postgres = await startPrivatePostgres();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-restart-'));
    processes = await Promise.all([0, 1].map(() => startConveyorProcess({ databaseUrl: postgres.url, dataDir })));
  });
  after(async () => {
    for (const p of processes) if (p.child.exitCode !== null) console.error(`process exited ${p.child.exitCode}: ${p.output()}`);
    await Promise.all(processes.map((p) => p.stop()));
    postgres?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while the database is away, never hangs, and drains every job once it is back', async () => {
    const api = (i: number) => `${processes[i].url}/api/v4`;
    const project = (await request(api(0), 'POST', '/projects', { body: { name: 'restart' } })).body;
    const tree = await WorkTree.create();
    await tree.commit('.gitlab-ci.yml', 'work:\n  parallel: 100\n  script: "true"\n');
    const push = await tree.git(['push', gitUrl(processes[0].url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN }), 'HEAD:main']);
    assert.equal(push.code, 0, push.stderr);
    tree.remove();
    // The pipeline is created after the push answers: the load under test is runners taking its jobs, so
    // the restart waits until all 100 are queued (on a busy machine that outlasted a fixed pause).
    for (let attempt = 0; attempt < 300; attempt++) {
      const pending = await request(api(0), 'GET', `/projects/${project.id}/jobs?scope=pending&per_page=100`);
      if (pending.body.length === 100) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const runner = (await request(api(1), 'POST', '/user/runners', { body: { runner_type: 'instance_type' } })).body;

    const statuses = new Map<number, number>();
    let slowest = 0;
    let finished = 0;
    let restarting = true;
    const call = async (i: number, p: string, init: RequestInit) => {
      const began = Date.now();
      try {
        const response = await fetch(`${api(i)}${p}`, { ...init, signal: AbortSignal.timeout(30_000) });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        return response;
      } finally {
        slowest = Math.max(slowest, Date.now() - began);
      }
    };
    const work = Promise.all(Array.from({ length: 6 }, async (_, client) => {
      let idle = 0;
      while (finished < 100 && (restarting || idle < 20)) {
        const answer = await call(client % 2, '/jobs/request', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: runner.token, system_id: `s_r${client}`, info: RUNNER_INFO }),
        });
        if (answer.status !== 201) {
          await answer.arrayBuffer();
          idle++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        idle = 0;
        const job = (await answer.json()) as { id: number; token: string };
        for (;;) {
          const done = await call(client % 2, `/jobs/${job.id}`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token: job.token, state: 'success' }),
          });
          await done.arrayBuffer();
          if (done.status === 200) break;
          // An update that took effect before its answer was lost: a repeat hears 403 with the final status.
          if (done.status === 403 && done.headers.get('job-status') === 'success') break;
          assert.ok(done.status === 503, `final update answered ${done.status}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        finished++;
      }
    }));
    await new Promise((r) => setTimeout(r, 500));
    postgres.restart();
    restarting = false;
    await work;
    // A job taken just as the database went away, whose runner never heard of it (the answer was lost and
    // giving it back failed too), is what the lost-runner sweep is for: an hour later it fails.
    const stranded = (await request(api(0), 'GET', `/projects/${project.id}/jobs?scope=running&per_page=100`)).body.length;
    assert.equal(finished + stranded, 100, `every job ran once the database was back, or waits for the sweep (${finished} ran, ${stranded} stranded)`);
    assert.ok(stranded <= 3, `${stranded} jobs stranded`);
    const unexpected = [...statuses.keys()].filter((s) => ![201, 204, 200, 403, 503].includes(s));
    assert.deepEqual(unexpected, [], `only 201/204/200/403/503 answers (${JSON.stringify([...statuses])})`);
    assert.ok(slowest < 20_000, `no request hung (slowest ${slowest} ms)`);
    const pipelines = await request(api(1), 'GET', `/projects/${project.id}/pipelines`);
    assert.equal(pipelines.body[0].status, stranded === 0 ? 'success' : 'running');
  });
});

describe('queue version after PostgreSQL restarts', () => {
  let postgres: PrivatePostgres;
  let dataDir: string;
  const servers: TestServer[] = [];

  before(async () => {
    postgres = await startPrivatePostgres();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-relisten-'));
    for (let i = 0; i < 2; i++) servers.push(await startTestServer('postgres', { databaseUrl: postgres.url, dataDir }));
  });
  after(async () => {
    for (const server of servers) await server.close();
    postgres?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves every process to a new common version, since events published during the outage never arrived', async () => {
    const runner = await createRunner(servers[0]);
    const versions = async () => Promise.all(servers.map(async (s) => {
      const answer = await requestJob(s, runner.token);
      return answer.status === 204 ? answer.headers.get('x-gitlab-last-update') : `status ${answer.status}`;
    }));
    const settle = async (differentFrom?: string | null) => {
      let seen = await versions().catch(() => ['', 'unreachable']);
      for (let attempt = 0; attempt < 200 && (seen[0] !== seen[1] || seen[0] === differentFrom || !seen[0]); attempt++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = await versions().catch(() => ['', 'unreachable']);
      }
      return seen;
    };
    const before = await settle();
    assert.equal(before[1], before[0]);
    postgres.restart();
    const afterRestart = await settle(before[0]);
    assert.equal(afterRestart[1], afterRestart[0], 'one version on both processes');
    assert.notEqual(afterRestart[0], before[0], 'a new version: runners look at the queue again');
  });
});
