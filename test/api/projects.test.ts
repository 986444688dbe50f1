import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createGroup, createProject, createUser, unique } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`projects API (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    it('creates a project in the caller namespace with GitLab fields', async () => {
      const res = await t.api('POST', '/projects', { body: { name: 'My Demo', public_jobs: false } });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const p = res.body;
      assert.equal(p.path, 'my-demo');
      assert.equal(p.path_with_namespace, 'root/my-demo');
      assert.equal(p.name_with_namespace, 'Administrator / My Demo');
      assert.equal(p.visibility, 'private');
      assert.equal(p.public_jobs, false);
      assert.equal(p.web_url, `${t.url}/root/my-demo`);
      assert.equal(p.http_url_to_repo, `${t.url}/root/my-demo.git`);
      assert.equal(p.namespace.kind, 'user');
      assert.equal(p.owner.username, 'root');
      assert.equal(typeof p.id, 'number');
      assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('finds a project by URL-encoded path with subgroups and dots (%2F and %2E)', async () => {
      const acme = await createGroup(t);
      const platform = await createGroup(t, { parent_id: acme.id });
      const project = await createProject(t, { name: 'api.v2', path: 'api.v2', namespace_id: platform.id });
      assert.equal(project.path_with_namespace, `${acme.path}/${platform.path}/api.v2`);
      for (const encoded of [
        encodeURIComponent(project.path_with_namespace),
        encodeURIComponent(project.path_with_namespace).replace(/\./g, '%2E'),
        encodeURIComponent(project.path_with_namespace.toUpperCase()),
        String(project.id),
      ]) {
        const res = await t.api('GET', `/projects/${encoded}`);
        assert.equal(res.status, 200, encoded);
        assert.equal(res.body.id, project.id);
      }
      const byNamespacePath = await t.api('POST', '/projects', { body: { name: 'second', namespace_id: `${acme.path}/${platform.path}` } });
      assert.equal(byNamespacePath.status, 201, byNamespacePath.text);
      assert.equal(byNamespacePath.body.namespace.id, platform.id);
    });

    it('answers 404 Project Not Found for unknown ids and paths without a slash', async () => {
      for (const id of ['999999', 'nope', 'root%2Fnope', '99999999999999999999', '-1']) {
        const res = await t.api('GET', `/projects/${id}`);
        assert.equal(res.status, 404, id);
        assert.deepEqual(res.body, { message: '404 Project Not Found' });
      }
    });

    it('hides private projects from non-members and anonymous callers, shows public ones', async () => {
      const outsider = await createUser(t);
      const priv = await createProject(t, { visibility: 'private' });
      const internal = await createProject(t, { visibility: 'internal' });
      const pub = await createProject(t, { visibility: 'public' });
      assert.equal((await t.api('GET', `/projects/${priv.id}`, { token: outsider.token })).status, 404);
      assert.deepEqual((await t.api('GET', `/projects/${priv.id}`, { token: null })).body, { message: '404 Project Not Found' });
      assert.equal((await t.api('GET', `/projects/${internal.id}`, { token: outsider.token })).status, 200);
      assert.equal((await t.api('GET', `/projects/${internal.id}`, { token: null })).status, 404);
      assert.equal((await t.api('GET', `/projects/${pub.id}`, { token: null })).status, 200);
      const anonymousList = await t.api('GET', '/projects?per_page=100', { token: null });
      const ids = anonymousList.body.map((p: any) => p.id);
      assert.ok(ids.includes(pub.id));
      assert.ok(!ids.includes(priv.id) && !ids.includes(internal.id));
      const outsiderList = await t.api('GET', '/projects?per_page=100', { token: outsider.token });
      const outsiderIds = outsiderList.body.map((p: any) => p.id);
      assert.ok(outsiderIds.includes(internal.id) && !outsiderIds.includes(priv.id));
      await addMember(t, priv.id, outsider.id, 10);
      assert.equal((await t.api('GET', `/projects/${priv.id}`, { token: outsider.token })).status, 200);
      const membership = await t.api('GET', '/projects?membership=true', { token: outsider.token });
      assert.deepEqual(membership.body.map((p: any) => p.id), [priv.id]);
    });

    it('lets members of a parent group see projects of subgroups', async () => {
      const dev = await createUser(t);
      const top = await createGroup(t);
      const sub = await createGroup(t, { parent_id: top.id });
      const project = await createProject(t, { namespace_id: sub.id });
      assert.equal((await t.api('GET', `/projects/${project.id}`, { token: dev.token })).status, 404);
      const add = await t.api('POST', `/groups/${top.id}/members`, { body: { user_id: dev.id, access_level: 30 } });
      assert.equal(add.status, 201, add.text);
      const got = await t.api('GET', `/projects/${project.id}`, { token: dev.token });
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.permissions, { project_access: null, group_access: { access_level: 30, notification_level: 3 } });
      const created = await t.api('POST', '/projects', { token: dev.token, body: { name: 'by-dev', namespace_id: sub.id } });
      assert.equal(created.status, 201, created.text);
    });

    it('validates creation: missing name and path, bad path, taken path, visibility above the group', async () => {
      const empty = await t.api('POST', '/projects', { rawBody: '', headers: { 'content-type': 'application/json' } });
      assert.equal(empty.status, 400);
      assert.deepEqual(empty.body, { error: 'name, path are missing, at least one parameter must be provided' });
      const bad = await t.api('POST', '/projects', { body: { name: 'x', path: '-bad' } });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.message.path[0].includes("Cannot start with '-'"));
      const name = unique('dup');
      await createProject(t, { name });
      const dup = await t.api('POST', '/projects', { body: { name } });
      assert.equal(dup.status, 400);
      assert.deepEqual(dup.body.message.path, ['has already been taken']);
      const group = await createGroup(t, { visibility: 'private' });
      const tooOpen = await t.api('POST', '/projects', { body: { name: 'open', namespace_id: group.id, visibility: 'public' } });
      assert.equal(tooOpen.status, 400);
      assert.deepEqual(tooOpen.body.message.visibility_level, ['public is not allowed in a private group.']);
      const badVisibility = await t.api('POST', '/projects', { body: { name: 'v', visibility: 'secret' } });
      assert.deepEqual(badVisibility.body, { error: 'visibility does not have a valid value' });
    });

    it('updates and deletes with Maintainer/Owner rights only', async () => {
      const dev = await createUser(t);
      const project = await createProject(t);
      await addMember(t, project.id, dev.id, 30);
      const denied = await t.api('PUT', `/projects/${project.id}`, { token: dev.token, body: { description: 'x' } });
      assert.deepEqual([denied.status, denied.body], [403, { message: '403 Forbidden' }]);
      const updated = await t.api('PUT', `/projects/${project.id}`, {
        body: { description: 'described', default_branch: 'trunk', public_builds: 'False', path: `${project.path}-renamed` },
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.description, 'described');
      assert.equal(updated.body.default_branch, 'trunk');
      assert.equal(updated.body.public_jobs, false);
      assert.equal(updated.body.path_with_namespace, `root/${project.path}-renamed`);
      assert.equal((await t.api('DELETE', `/projects/${project.id}`, { token: dev.token })).status, 403);
      const deleted = await t.api('DELETE', `/projects/${project.id}`);
      assert.deepEqual([deleted.status, deleted.body], [202, { message: '202 Accepted' }]);
      assert.equal((await t.api('GET', `/projects/${project.id}`)).status, 404);
    });

    it('searches and filters by visibility', async () => {
      const marker = unique('needle');
      const a = await createProject(t, { name: `${marker}-a`, visibility: 'public' });
      await createProject(t, { name: `${marker}-b` });
      const found = await t.api('GET', `/projects?search=${marker}`);
      assert.equal(found.body.length, 2);
      const pub = await t.api('GET', `/projects?search=${marker}&visibility=public`);
      assert.deepEqual(pub.body.map((p: any) => p.id), [a.id]);
      const literal = await t.api('GET', `/projects?search=${encodeURIComponent('%_')}`);
      assert.equal(literal.body.length, 0);
    });
  });
}
