import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`groups and members (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    it('creates groups and subgroups reachable by full path', async () => {
      const acme = await createGroup(t, { name: 'Acme Corp' });
      const platform = await createGroup(t, { name: 'Platform', parent_id: acme.id });
      assert.equal(platform.full_path, `${acme.path}/${platform.path}`);
      assert.equal(platform.full_name, 'Acme Corp / Platform');
      assert.equal(platform.web_url, `${t.url}/groups/${platform.full_path}`);
      const byPath = await t.api('GET', `/groups/${encodeURIComponent(platform.full_path)}`);
      assert.equal(byPath.body.id, platform.id);
      const subgroups = await t.api('GET', `/groups/${acme.id}/subgroups`);
      assert.deepEqual(subgroups.body.map((g: any) => g.id), [platform.id]);
      const taken = await t.api('POST', '/groups', { body: { name: 'x', path: acme.path } });
      assert.deepEqual([taken.status, taken.body], [400, { message: 'Failed to save group {:path=>["has already been taken"]}' }]);
      const missingParent = await t.api('POST', '/groups', { body: { name: 'x', path: 'x-orphan', parent_id: 999999 } });
      assert.deepEqual([missingParent.status, missingParent.body], [404, { message: '404 Group Not Found' }]);
    });

    it('hides private groups from outsiders and lets only maintainers add subgroups', async () => {
      const outsider = await createUser(t);
      const group = await createGroup(t);
      assert.deepEqual((await t.api('GET', `/groups/${group.id}`, { token: outsider.token })).body, { message: '404 Group Not Found' });
      const groups = await t.api('GET', '/groups?per_page=100', { token: outsider.token });
      assert.ok(!groups.body.some((g: any) => g.id === group.id));
      await t.api('POST', `/groups/${group.id}/members`, { body: { user_id: outsider.id, access_level: 30 } });
      const sub = await t.api('POST', '/groups', { token: outsider.token, body: { name: 's', path: 's-dev', parent_id: group.id } });
      assert.deepEqual([sub.status, sub.body], [403, { message: '403 Forbidden' }]);
      await t.api('PUT', `/groups/${group.id}/members/${outsider.id}`, { body: { access_level: 40 } });
      const allowed = await t.api('POST', '/groups', { token: outsider.token, body: { name: 's', path: 's-maint', parent_id: group.id } });
      assert.equal(allowed.status, 201, allowed.text);
    });

    it('adds, lists, updates and removes project members with GitLab access levels', async () => {
      const project = await createProject(t);
      const dev = await createUser(t);
      const added = await t.api('POST', `/projects/${project.id}/members`, { body: { user_id: dev.id, access_level: 30, expires_at: '2099-01-01' } });
      assert.equal(added.status, 201);
      assert.equal(added.body.username, dev.username);
      assert.equal(added.body.access_level, 30);
      assert.equal(added.body.expires_at, '2099-01-01');
      assert.equal(added.body.created_by.username, 'root');
      const duplicate = await t.api('POST', `/projects/${project.id}/members`, { body: { user_id: dev.id, access_level: 30 } });
      assert.deepEqual([duplicate.status, duplicate.body], [409, { message: 'Member already exists' }]);
      const badLevel = await t.api('POST', `/projects/${project.id}/members`, { body: { user_id: dev.id, access_level: 35 } });
      assert.deepEqual([badLevel.status, badLevel.body], [400, { error: 'access_level does not have a valid value' }]);
      const missing = await t.api('POST', `/projects/${project.id}/members`, { body: { access_level: 30 } });
      assert.deepEqual(missing.body, { error: 'user_id is missing' });
      const list = await t.api('GET', `/projects/${project.id}/members`);
      assert.deepEqual(list.body.map((m: any) => m.id), [dev.id]);
      const one = await t.api('GET', `/projects/${project.id}/members/${dev.id}`);
      assert.equal(one.body.access_level, 30);
      const devCannotAdd = await t.api('POST', `/projects/${project.id}/members`, { token: dev.token, body: { user_id: 1, access_level: 10 } });
      assert.equal(devCannotAdd.status, 403);
      const updated = await t.api('PUT', `/projects/${project.id}/members/${dev.id}`, { body: { access_level: 40 } });
      assert.equal(updated.body.access_level, 40);
      const removed = await t.api('DELETE', `/projects/${project.id}/members/${dev.id}`);
      assert.equal(removed.status, 204);
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/members/${dev.id}`)).body, { message: '404 Member Not Found' });
    });

    it('lists inherited members in members/all with the highest level per user', async () => {
      const top = await createGroup(t);
      const sub = await createGroup(t, { parent_id: top.id });
      const project = await createProject(t, { namespace_id: sub.id });
      const reporter = await createUser(t);
      const maintainer = await createUser(t);
      await t.api('POST', `/groups/${top.id}/members`, { body: { user_id: reporter.id, access_level: 20 } });
      await t.api('POST', `/groups/${sub.id}/members`, { body: { user_id: maintainer.id, access_level: 40 } });
      await addMember(t, project.id, reporter.id, 30);
      const direct = await t.api('GET', `/projects/${project.id}/members`);
      assert.deepEqual(direct.body.map((m: any) => m.id), [reporter.id]);
      const all = await t.api('GET', `/projects/${project.id}/members/all`);
      const levels = Object.fromEntries(all.body.map((m: any) => [m.username, m.access_level]));
      assert.equal(levels[reporter.username], 30);
      assert.equal(levels[maintainer.username], 40);
      assert.equal(levels.root, 50);
      const inheritedOne = await t.api('GET', `/projects/${project.id}/members/all/${maintainer.id}`);
      assert.equal(inheritedOne.body.access_level, 40);
      const maintainerMayAdmin = await t.api('PUT', `/projects/${project.id}`, { token: maintainer.token, body: { description: 'ok' } });
      assert.equal(maintainerMayAdmin.status, 200);
      const reporterReads = await t.api('GET', `/projects/${project.id}/members/all`, { token: reporter.token });
      assert.equal(reporterReads.status, 200);
    });

    it('keeps a group from losing its last owner and lets members leave', async () => {
      const group = await createGroup(t);
      const last = await t.api('DELETE', `/groups/${group.id}/members/1`);
      assert.equal(last.status, 403);
      const user = await createUser(t);
      await t.api('POST', `/groups/${group.id}/members`, { body: { user_id: user.id, access_level: 10 } });
      const leave = await t.api('DELETE', `/groups/${group.id}/members/${user.id}`, { token: user.token });
      assert.equal(leave.status, 204);
    });

    it('deletes groups with their subgroups and projects', async () => {
      const group = await createGroup(t);
      const sub = await createGroup(t, { parent_id: group.id });
      const project = await createProject(t, { namespace_id: sub.id });
      const deleted = await t.api('DELETE', `/groups/${group.id}`);
      assert.equal(deleted.status, 202);
      assert.equal((await t.api('GET', `/groups/${sub.id}`)).status, 404);
      assert.equal((await t.api('GET', `/projects/${project.id}`)).status, 404);
    });
  });
}
