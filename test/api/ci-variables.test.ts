import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Gitlab } from '@gitbeaker/rest';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);

for (const dialect of DIALECTS) {
  describe(`CI/CD variables API (${dialect})`, () => {
    let t: TestServer;
    let project: any;
    before(async () => {
      t = await startTestServer(dialect);
      project = await createProject(t);
    });
    after(() => t.close());

    it('creates, reads, updates and deletes project variables in GitLab shapes', async () => {
      const created = await t.api('POST', `/projects/${project.id}/variables`, {
        body: { key: 'DEPLOY_TOKEN', value: 'abcdefgh1234', masked: true, protected: 'true', variable_type: 'file', description: 'for deploys' },
      });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.body, {
        variable_type: 'file', key: 'DEPLOY_TOKEN', value: 'abcdefgh1234', hidden: false, protected: true, masked: true, raw: false,
        environment_scope: '*', description: 'for deploys',
      });
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/variables`)).body.map((v: any) => v.key), ['DEPLOY_TOKEN']);
      const updated = await t.api('PUT', `/projects/${project.id}/variables/DEPLOY_TOKEN`, { body: { value: 'zyxwvuts9876', protected: false } });
      assert.equal(updated.body.value, 'zyxwvuts9876');
      assert.equal(updated.body.protected, false);
      assert.equal((await t.api('DELETE', `/projects/${project.id}/variables/DEPLOY_TOKEN`)).status, 204);
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/variables/DEPLOY_TOKEN`)).body, { message: '404 Variable Not Found' });
    });

    it('validates keys, masked values and duplicates as GitLab does', async () => {
      const badKey = await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'BAD-KEY', value: 'x' } });
      assert.deepEqual([badKey.status, badKey.body], [400, { message: { key: ["can contain only letters, digits and '_'."] } }]);
      const badMask = await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'SHORT', value: 'abc', masked: true } });
      assert.deepEqual([badMask.status, badMask.body], [400, { message: { value: ['is invalid'] } }]);
      await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'ONCE', value: '1' } });
      const dup = await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'ONCE', value: '2' } });
      assert.deepEqual([dup.status, dup.body], [400, { message: { key: ['(ONCE) has already been taken'] } }]);
      const missing = await t.api('POST', `/projects/${project.id}/variables`, { body: { key: 'NOVALUE' } });
      assert.deepEqual(missing.body, { error: 'value is missing' });
    });

    it('lets only Maintainers manage variables, and works for groups', async () => {
      const dev = await createUser(t);
      await addMember(t, project.id, dev.id, 30);
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/variables`, { token: dev.token })).body, { message: '403 Forbidden' });
      const group = await createGroup(t);
      const created = await t.api('POST', `/groups/${group.id}/variables`, { body: { key: 'GROUP_VAR', value: 'g' } });
      assert.equal(created.status, 201);
      assert.deepEqual((await t.api('GET', `/groups/${group.id}/variables`)).body.map((v: any) => v.key), ['GROUP_VAR']);
    });

    it('round-trips through python-gitlab and gitbeaker', async () => {
      const script = `
import json, os, gitlab
gl = gitlab.Gitlab(os.environ["URL"], private_token=os.environ["TOKEN"])
p = gl.projects.get(int(os.environ["PROJECT"]))
v = p.variables.create({"key": "PY_VAR", "value": "from-python"})
v.value = "changed"
v.save()
got = p.variables.get("PY_VAR")
print(json.dumps({"value": got.value, "keys": sorted(x.key for x in p.variables.list(get_all=True))}))
got.delete()
`;
      const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...process.env, URL: t.url, TOKEN: ROOT_TOKEN, PROJECT: String(project.id) } });
      const out = JSON.parse(stdout.trim());
      assert.equal(out.value, 'changed');
      assert.ok(out.keys.includes('PY_VAR'));
      const api = new Gitlab({ host: t.url, token: ROOT_TOKEN });
      await api.ProjectVariables.create(project.id, 'GB_VAR', 'from-gitbeaker', { masked: false });
      const shown = await api.ProjectVariables.show(project.id, 'GB_VAR');
      assert.equal(shown.value, 'from-gitbeaker');
      await api.ProjectVariables.remove(project.id, 'GB_VAR');
    });
  });
}
