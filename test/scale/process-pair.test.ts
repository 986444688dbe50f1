/**
 * Two server processes' worth of Conveyor (two apps, two pools, two event buses) on one PostgreSQL
 * database and one data folder: what one hears, the other must hear through LISTEN/NOTIFY.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPostgresDatabase } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { createRunner, patchTrace, requestJob, updateJob } from '../helpers/runners.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

describe('two server processes on one PostgreSQL', () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  let dataDir: string;

  before(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-pair-'));
    a = await startTestServer('postgres', { databaseUrl: database.url, dataDir, config: { longPollSeconds: 10 } });
    b = await startTestServer('postgres', { databaseUrl: database.url, dataDir, config: { longPollSeconds: 10 } });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a runner long-polling A gets a job pushed through B at once (well inside its 10 s poll)', async (t) => {
    const runner = await createRunner(a);
    const idle = await requestJob(a, runner.token);
    assert.equal(idle.status, 204);
    let answeredAt = 0;
    const waiting = requestJob(a, runner.token, { last_update: idle.headers.get('x-gitlab-last-update') }).then((answer) => {
      answeredAt = Date.now();
      return answer;
    });
    await new Promise((r) => setTimeout(r, 200));
    const project = await createProject(b);
    await pushPipeline(b, project, { '.gitlab-ci.yml': 'build:\n  script: make\n' });
    const got = await waiting;
    assert.equal(got.status, 201, got.text);
    const queuedAt = Date.parse((await b.server.app.ctx.store.jobs.findById(got.body.id))!.queuedAt!);
    t.diagnostic(`A answered ${answeredAt - queuedAt} ms after B queued the job`);
    assert.ok(answeredAt - queuedAt < 5000, `A answered ${answeredAt - queuedAt} ms after B queued the job`);
    await updateJob(b, got.body.id, got.body.token, { state: 'success' });
  });

  it('a live log stream on A receives bytes patched through B, in order and once; a cancel on B reaches the runner on A', async () => {
    const runner = await createRunner(a);
    const project = await createProject(a);
    await pushPipeline(a, project, { '.gitlab-ci.yml': 'build:\n  script: make\n' });
    const got = await requestJob(a, runner.token);
    assert.equal(got.status, 201);
    const stream = await fetch(`${a.apiUrl}/projects/${project.id}/jobs/${got.body.id}/trace/stream`, { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } });
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const received: string[] = [];
    const pump = (async () => {
      for (;;) {
        const read = await reader.read();
        if (read.done) return;
        text += decoder.decode(read.value, { stream: true });
        for (;;) {
          const blank = text.indexOf('\n\n');
          if (blank === -1) break;
          const block = text.slice(0, blank);
          text = text.slice(blank + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: log') && data) received.push(JSON.parse(data.slice(6)).content);
        }
      }
    })();
    const parts = ['one\n', 'two\n', 'three\n'];
    let offset = 0;
    for (const part of parts) {
      const sentAt = Date.now();
      assert.equal((await patchTrace(b, got.body.id, got.body.token, offset, part)).status, 202);
      offset += part.length;
      while (received.join('') !== parts.slice(0, parts.indexOf(part) + 1).join('')) {
        assert.ok(Date.now() - sentAt < 10_000, `"${part.trim()}" reached A's stream (has ${JSON.stringify(received)})`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    assert.deepEqual(received, parts);
    const cancel = await b.api('POST', `/projects/${project.id}/jobs/${got.body.id}/cancel`);
    assert.equal(cancel.body.status, 'canceled');
    const patch = await patchTrace(a, got.body.id, got.body.token, offset, 'late\n');
    assert.equal(patch.status, 403);
    assert.equal(patch.headers.get('job-status'), 'canceled');
    await pump;
  });

  it('a runner changed through B is seen by A at once (paused runners get nothing)', async () => {
    const runner = await createRunner(a);
    const project = await createProject(a);
    await pushPipeline(a, project, { '.gitlab-ci.yml': 'build:\n  script: make\n' });
    assert.equal((await requestJob(a, runner.token)).status, 201, 'A caches the runner');
    const paused = await b.api('PUT', `/runners/${runner.id}`, { body: { paused: true } });
    assert.equal(paused.status, 200, paused.text);
    await pushPipeline(a, project, { '.gitlab-ci.yml': 'build:\n  script: make again\n' });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await requestJob(a, runner.token)).status, 204);
  });
});
