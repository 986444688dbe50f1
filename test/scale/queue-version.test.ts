/**
 * The queue version runners send back (`last_update`) must be one across processes, or a runner whose
 * polls alternate between them brings a stale version to each and is never long-polled.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPostgresDatabase } from '../helpers/databases.js';
import { createRunner, requestJob } from '../helpers/runners.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('queue version across processes', () => {
  const servers: TestServer[] = [];
  let drop: () => Promise<void>;
  let databaseUrl: string;
  let dataDir: string;

  before(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    databaseUrl = database.url;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-version-'));
    servers.push(await startTestServer('postgres', { databaseUrl, dataDir }));
  });
  after(async () => {
    for (const server of servers) await server.close();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a process started after the last event agrees with the others without waiting for the next one', async () => {
    const runner = await createRunner(servers[0]);
    // Nothing happens after this start: no job, no runner change.
    servers.push(await startTestServer('postgres', { databaseUrl, dataDir }));
    const versions = async () => Promise.all(servers.map(async (s) => (await requestJob(s, runner.token)).headers.get('x-gitlab-last-update')));
    let seen = await versions();
    for (let attempt = 0; attempt < 100 && seen[0] !== seen[1]; attempt++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await versions();
    }
    assert.ok(seen[0]);
    assert.equal(seen[1], seen[0]);
  });
});
