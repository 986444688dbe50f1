/** SIGTERM (issue #9): held long polls answer 204 at once, requests in flight finish, the process exits 0. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startConveyorProcess } from '../helpers/cluster.js';
import { createPostgresDatabase } from '../helpers/databases.js';
import { RUNNER_INFO } from '../helpers/runners.js';
import { request } from '../helpers/server.js';

describe('conveyor serve on SIGTERM', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('answers a held long poll with 204 and exits 0', async () => {
    const database = await createPostgresDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-sigterm-'));
    cleanups.push(() => database.drop(), () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const server = await startConveyorProcess({ databaseUrl: database.url, dataDir, args: ['--long-poll', '50'] });
    cleanups.push(async () => void (await server.stop()));
    const runner = (await request(`${server.url}/api/v4`, 'POST', '/user/runners', { body: { runner_type: 'instance_type' } })).body;
    const poll = (lastUpdate?: string | null) =>
      fetch(`${server.url}/api/v4/jobs/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: runner.token, info: RUNNER_INFO, ...(lastUpdate ? { last_update: lastUpdate } : {}) }),
      });
    const first = await poll();
    assert.equal(first.status, 204);
    const held = poll(first.headers.get('x-gitlab-last-update'));
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const answer = await held;
    assert.equal(answer.status, 204);
    assert.ok(Date.now() - signalledAt < 20_000, `the held poll was released after ${Date.now() - signalledAt} ms (its window is 50 s)`);
    const code = await new Promise<number | null>((resolve) => (server.child.exitCode !== null ? resolve(server.child.exitCode) : server.child.once('exit', resolve)));
    assert.equal(code, 0);
  });
});
