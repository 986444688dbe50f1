import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createProject, unique } from '../helpers/fixtures.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`GitLab HTTP conventions (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    it('sends exactly application/json and an X-Request-Id on every JSON reply', async () => {
      for (const [method, path] of [['GET', '/user'], ['GET', '/nope'], ['GET', '/projects/0']] as const) {
        const res = await t.api(method, path);
        assert.equal(res.headers.get('content-type'), 'application/json', path);
        assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      }
    });

    it('answers unknown routes with {"error":"404 Not Found"}', async () => {
      for (const path of ['/api/v4/nothing', '/api/v4/projects/1/nothing/here', '/totally/unknown']) {
        const res = await t.api('GET', `${t.url}${path}`);
        assert.deepEqual([res.status, res.body], [404, { error: '404 Not Found' }], path);
      }
    });

    it('accepts empty bodies with a JSON content type, and {} bodies, on POST/PUT/DELETE', async () => {
      const project = await createProject(t);
      const emptyPut = await t.api('PUT', `/projects/${project.id}`, { rawBody: '', headers: { 'content-type': 'application/json' } });
      assert.equal(emptyPut.status, 200, emptyPut.text);
      const braces = await t.api('PUT', `/projects/${project.id}`, { rawBody: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(braces.status, 200);
      const emptyDelete = await t.api('DELETE', `/projects/${project.id}`, { rawBody: '', headers: { 'content-type': 'application/json', 'content-length': '0' } });
      assert.equal(emptyDelete.status, 202);
      const form = await t.api('POST', '/projects', {
        rawBody: `name=${unique('form')}&visibility=public`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.status, 201, form.text);
      assert.equal(form.body.visibility, 'public');
      const invalidJson = await t.api('POST', '/projects', { rawBody: '{nope', headers: { 'content-type': 'application/json' } });
      assert.equal(invalidJson.status, 400);
      assert.ok(typeof invalidJson.body.error === 'string');
    });

    it('reads booleans as true/false/1/0 in any case and ignores unknown parameters', async () => {
      for (const [value, expected] of [['true', true], ['False', false], ['1', true], ['0', false], ['TRUE', true]] as const) {
        const p = await t.api('POST', '/projects', { body: { name: unique('b'), public_jobs: value, unknown_param: 'x' } });
        assert.equal(p.status, 201, p.text);
        assert.equal(p.body.public_jobs, expected, value);
      }
      const bad = await t.api('POST', '/projects', { body: { name: unique('b'), public_jobs: 'maybe' } });
      assert.deepEqual([bad.status, bad.body], [400, { error: 'public_jobs is invalid' }]);
      const list = await t.api('GET', '/projects?simple=True&whatever=1&membership=0');
      assert.equal(list.status, 200);
    });

    it('checks authentication before parameters (401 before 400)', async () => {
      const res = await t.api('GET', '/users/abc', { token: 'glpat-wrong' });
      assert.equal(res.status, 401);
      const anonymousWrite = await t.api('POST', '/projects', { token: null, body: { visibility: 'nope' } });
      assert.deepEqual([anonymousWrite.status, anonymousWrite.body], [401, { message: '401 Unauthorized' }]);
    });

    it('checks parameters before looking up the project (400 before 404)', async () => {
      const res = await t.api('POST', '/projects/999999/members', { body: { user_id: 'x', access_level: 30 } });
      assert.deepEqual([res.status, res.body], [400, { error: 'user_id is invalid' }]);
    });

    it('serves the version, metadata and health endpoints', async () => {
      const version = await t.api('GET', '/version');
      assert.equal(version.status, 200);
      assert.match(version.body.version, /^\d+\.\d+\.\d+/);
      assert.equal(typeof version.body.revision, 'string');
      assert.equal((await t.api('GET', '/version', { token: null })).status, 401);
      const metadata = await t.api('GET', '/metadata');
      assert.equal(metadata.body.kas.enabled, false);
      assert.equal(metadata.body.enterprise, false);
      const health = await fetch(`${t.url}/-/health`);
      assert.equal(health.status, 200);
      assert.match(health.headers.get('content-type') ?? '', /^text\/plain/);
      const readiness = await fetch(`${t.url}/-/readiness`);
      assert.deepEqual(await readiness.json(), { status: 'ok', master_check: [{ status: 'ok' }], db_check: [{ status: 'ok' }] });
      const liveness = await fetch(`${t.url}/-/liveness`);
      assert.equal(liveness.status, 200);
    });

    it('answers HEAD like GET without a body', async () => {
      const res = await fetch(`${t.apiUrl}/projects`, { method: 'HEAD', headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(await res.text(), '');
    });
  });
}
