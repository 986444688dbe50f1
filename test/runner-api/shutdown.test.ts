/**
 * Shutting down while a runner's job request is being answered: the request's work finishes before the
 * database closes, even when the runner has already hung up (its socket closed, so the HTTP server
 * itself no longer waits for it). Before, the store closed under the request after it had started the
 * job, and the job stayed `running` with no runner that knew of it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { createRunner } from '../helpers/runners.js';
import { startTestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`shutdown with a job request in flight (${dialect})`, () => {
    it('finishes the request before closing the store, though its runner hung up', async () => {
      const t = await startTestServer(dialect, { config: { longPollSeconds: 0 } });
      let closed = false;
      try {
        const ctx = t.server.app.ctx;
        const project = await createProject(t);
        await pushPipeline(t, project, { '.gitlab-ci.yml': 'only:\n  script: "true"\n' });
        const runner = await createRunner(t);
        // Hold the request after it has started the job, while it builds the job's payload.
        let reachedPayload!: () => void;
        const atPayload = new Promise<void>((resolve) => (reachedPayload = resolve));
        let releasePayload!: () => void;
        const held = new Promise<void>((resolve) => (releasePayload = resolve));
        const commits = ctx.store.commits;
        const findMany = commits.findMany.bind(commits);
        let payloadRead: 'ok' | 'failed' | 'not reached' = 'not reached';
        commits.findMany = async (...args: Parameters<typeof findMany>) => {
          reachedPayload();
          await held;
          try {
            const found = await findMany(...args);
            payloadRead = 'ok';
            return found;
          } catch (error) {
            payloadRead = 'failed';
            throw error;
          }
        };
        const call = http.request(`${t.apiUrl}/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' } });
        call.on('error', () => undefined);
        call.end(JSON.stringify({ token: runner.token }));
        await atPayload;
        call.destroy();
        const closing = t.close();
        closed = true;
        await new Promise((resolve) => setTimeout(resolve, 100));
        releasePayload();
        await closing;
        assert.equal(payloadRead, 'ok', 'the payload was built on an open store');
      } finally {
        if (!closed) await t.close();
      }
    });
  });
}
