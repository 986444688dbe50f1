import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createProject, createUser } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`protected branches API (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    it('protects a branch with GitLab\'s defaults and entity shape', async () => {
      const project = await createProject(t);
      const res = await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name: 'main' } });
      assert.equal(res.status, 201, res.text);
      const level = (access_level: number, access_level_description: string) => [
        { id: res.body.id, access_level, access_level_description, user_id: null, group_id: null },
      ];
      assert.deepEqual(res.body, {
        id: res.body.id,
        name: 'main',
        push_access_levels: level(40, 'Maintainers'),
        merge_access_levels: level(40, 'Maintainers'),
        allow_force_push: false,
        code_owner_approval_required: false,
      });
      const custom = await t.api('POST', `/projects/${encodeURIComponent(project.path_with_namespace)}/protected_branches`, {
        body: { name: 'release/*', push_access_level: 0, merge_access_level: '30', allow_force_push: 'true' },
      });
      assert.equal(custom.status, 201, custom.text);
      assert.equal(custom.body.push_access_levels[0].access_level_description, 'No one');
      assert.equal(custom.body.merge_access_levels[0].access_level, 30);
      assert.equal(custom.body.merge_access_levels[0].access_level_description, 'Developers + Maintainers');
      assert.equal(custom.body.allow_force_push, true);
    });

    it('lists, finds (wildcards and slashes URL-encoded), searches and unprotects', async () => {
      const project = await createProject(t);
      for (const name of ['main', 'release/*', 'stable-*']) {
        assert.equal((await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name } })).status, 201);
      }
      const list = await t.api('GET', `/projects/${project.id}/protected_branches`);
      assert.deepEqual(list.body.map((b: any) => b.name), ['main', 'release/*', 'stable-*']);
      assert.equal(list.headers.get('x-total'), '3');
      const paged = await t.api('GET', `/projects/${project.id}/protected_branches?per_page=1&page=2`);
      assert.deepEqual(paged.body.map((b: any) => b.name), ['release/*']);
      const search = await t.api('GET', `/projects/${project.id}/protected_branches?search=REL`);
      assert.deepEqual(search.body.map((b: any) => b.name), ['release/*']);
      const one = await t.api('GET', `/projects/${project.id}/protected_branches/${encodeURIComponent('release/*')}`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.name, 'release/*');
      const missing = await t.api('GET', `/projects/${project.id}/protected_branches/nope`);
      assert.deepEqual([missing.status, missing.body], [404, { message: '404 Not found' }]);
      const removed = await t.api('DELETE', `/projects/${project.id}/protected_branches/${encodeURIComponent('release/*')}`);
      assert.equal(removed.status, 204);
      const again = await t.api('DELETE', `/projects/${project.id}/protected_branches/${encodeURIComponent('release/*')}`);
      assert.equal(again.status, 404);
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/protected_branches`)).body.map((b: any) => b.name), ['main', 'stable-*']);
    });

    it('refuses duplicates (409), bad levels and bad names (400)', async () => {
      const project = await createProject(t);
      const base = `/projects/${project.id}/protected_branches`;
      assert.equal((await t.api('POST', base, { body: { name: 'main' } })).status, 201);
      const duplicate = await t.api('POST', base, { body: { name: 'main' } });
      assert.deepEqual([duplicate.status, duplicate.body], [409, { message: "Protected branch 'main' already exists" }]);
      const missing = await t.api('POST', base, { body: {} });
      assert.deepEqual([missing.status, missing.body], [400, { error: 'name is missing' }]);
      const level = await t.api('POST', base, { body: { name: 'x', push_access_level: 20 } });
      assert.deepEqual([level.status, level.body], [400, { error: 'push_access_level does not have a valid value' }]);
      for (const name of ['a b', 'a..b', '-x', 'a\nb', 'x.lock', '']) {
        const bad = await t.api('POST', base, { body: { name } });
        assert.equal(bad.status, 400, JSON.stringify(name));
      }
    });

    it('lets those who read the code read the rules, and only Maintainers change them', async () => {
      const project = await createProject(t, { visibility: 'private' });
      const base = `/projects/${project.id}/protected_branches`;
      const [guest, reporter, developer, maintainer, outsider] = await Promise.all([1, 2, 3, 4, 5].map(() => createUser(t)));
      await addMember(t, project.id, guest.id, 10);
      await addMember(t, project.id, reporter.id, 20);
      await addMember(t, project.id, developer.id, 30);
      await addMember(t, project.id, maintainer.id, 40);
      assert.equal((await t.api('GET', base, { token: reporter.token })).status, 200);
      assert.equal((await t.api('GET', base, { token: guest.token })).status, 403);
      assert.equal((await t.api('GET', base, { token: outsider.token })).status, 404);
      assert.equal((await t.api('GET', base, { token: null })).status, 404);
      assert.equal((await t.api('POST', base, { token: developer.token, body: { name: 'main' } })).status, 403);
      assert.equal((await t.api('POST', base, { token: null, body: { name: 'main' } })).status, 401);
      assert.equal((await t.api('POST', base, { token: maintainer.token, body: { name: 'main' } })).status, 201);
      assert.equal((await t.api('DELETE', `${base}/main`, { token: developer.token })).status, 403);
      assert.equal((await t.api('DELETE', `${base}/main`, { token: maintainer.token })).status, 204);
      const pub = await createProject(t, { visibility: 'public' });
      assert.equal((await t.api('GET', `/projects/${pub.id}/protected_branches`, { token: null })).status, 200);
    });
  });
}
