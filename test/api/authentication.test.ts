import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createProject, createUser } from '../helpers/fixtures.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const EXPIRED = { error: 'invalid_token', error_description: 'Token is expired. You can either do re-authorization or token refresh.' };
const REVOKED = { error: 'invalid_token', error_description: 'Token was revoked. You have to re-authorize from the user.' };

for (const dialect of DIALECTS) {
  describe(`authentication and tokens (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    it('accepts the token as PRIVATE-TOKEN, private_token, Bearer and access_token', async () => {
      const viaHeader = await t.api('GET', '/user');
      assert.equal(viaHeader.body.username, 'root');
      const viaQuery = await t.api('GET', `/user?private_token=${ROOT_TOKEN}`, { token: null });
      assert.equal(viaQuery.body.username, 'root');
      const viaBearer = await t.api('GET', '/user', { token: null, headers: { Authorization: `Bearer ${ROOT_TOKEN}` } });
      assert.equal(viaBearer.body.username, 'root');
      const viaAccessToken = await t.api('GET', `/user?access_token=${ROOT_TOKEN}`, { token: null });
      assert.equal(viaAccessToken.body.username, 'root');
      assert.equal(viaHeader.body.web_url, `${t.url}/root`);
      assert.equal(viaHeader.body.is_admin, true);
    });

    it('answers 401 with GitLab bodies for missing, unknown, expired and revoked tokens', async () => {
      const anonymous = await t.api('GET', '/user', { token: null });
      assert.deepEqual([anonymous.status, anonymous.body], [401, { message: '401 Unauthorized' }]);
      const unknown = await t.api('GET', '/projects', { token: 'glpat-not-a-token' });
      assert.deepEqual([unknown.status, unknown.body], [401, { message: '401 Unauthorized' }]);

      const user = await createUser(t);
      const tokens = await t.api('GET', `/personal_access_tokens?user_id=${user.id}`);
      const tokenId = tokens.body[0].id;
      assert.equal((await t.api('GET', '/user', { token: user.token })).status, 200);
      const revoked = await t.api('DELETE', `/personal_access_tokens/${tokenId}`);
      assert.equal(revoked.status, 204);
      const afterRevoke = await t.api('GET', '/user', { token: user.token });
      assert.deepEqual([afterRevoke.status, afterRevoke.body], [401, REVOKED]);
      assert.match(afterRevoke.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    });

    it('refuses tokens past their expiry date', async () => {
      const user = await createUser(t);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const created = await t.api('POST', `/users/${user.id}/personal_access_tokens`, { body: { name: 'short', scopes: ['api'], expires_at: tomorrow } });
      assert.equal(created.status, 201);
      assert.equal(created.body.expires_at, tomorrow);
      assert.equal((await t.api('GET', '/user', { token: created.body.token })).status, 200);
      // Expire it by moving the stored date into the past, as time would.
      await t.server.app.ctx.store.db.updateTable('personal_access_tokens').set({ expires_at: '2020-01-01' }).where('id', '=', created.body.id).execute();
      const expired = await t.api('GET', '/user', { token: created.body.token });
      assert.deepEqual([expired.status, expired.body], [401, EXPIRED]);
      const past = await t.api('POST', `/users/${user.id}/personal_access_tokens`, { body: { name: 'old', scopes: ['api'], expires_at: '2001-01-01' } });
      assert.equal(past.status, 400);
    });

    it('lets read_api tokens read but not write (insufficient_scope)', async () => {
      const reader = await createUser(t, { scopes: ['read_api'] });
      assert.equal((await t.api('GET', '/projects', { token: reader.token })).status, 200);
      const write = await t.api('POST', '/projects', { token: reader.token, body: { name: 'nope' } });
      assert.equal(write.status, 403);
      assert.deepEqual(write.body, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      });
      const readUserOnly = await createUser(t, { scopes: ['read_user'] });
      const denied = await t.api('GET', '/projects', { token: readUserOnly.token });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.scope, 'api read_api');
    });

    it('stores tokens only as digests and shows the secret once', async () => {
      const user = await createUser(t);
      const rows = await t.server.app.ctx.store.db.selectFrom('personal_access_tokens').selectAll().execute();
      for (const row of rows) {
        assert.match(row.token_digest, /^[0-9a-f]{64}$/);
        assert.ok(!JSON.stringify(row).includes(user.token));
      }
      assert.match(user.token, /^glpat-/);
      const self = await t.api('GET', '/personal_access_tokens/self', { token: user.token });
      assert.equal(self.status, 200);
      assert.equal(self.body.token, undefined);
      assert.deepEqual(self.body.scopes, ['api']);
      assert.equal(self.body.active, true);
      assert.equal(self.body.user_id, user.id);
      const revokeSelf = await t.api('DELETE', '/personal_access_tokens/self', { token: user.token });
      assert.equal(revokeSelf.status, 204);
      assert.equal((await t.api('GET', '/user', { token: user.token })).status, 401);
    });

    it('only admins create tokens and users; bad scopes are refused', async () => {
      const user = await createUser(t);
      const denied = await t.api('POST', `/users/${user.id}/personal_access_tokens`, { token: user.token, body: { name: 'x', scopes: ['api'] } });
      assert.deepEqual([denied.status, denied.body], [403, { message: '403 Forbidden' }]);
      const badScope = await t.api('POST', `/users/${user.id}/personal_access_tokens`, { body: { name: 'x', scopes: ['everything'] } });
      assert.deepEqual([badScope.status, badScope.body], [400, { error: 'scopes does not have a valid value' }]);
      const missing = await t.api('POST', `/users/${user.id}/personal_access_tokens`, { body: { scopes: ['api'] } });
      assert.deepEqual([missing.status, missing.body], [400, { error: 'name is missing' }]);
      const nobody = await t.api('POST', '/users/999999/personal_access_tokens', { body: { name: 'x', scopes: ['api'] } });
      assert.deepEqual([nobody.status, nobody.body], [404, { message: '404 User Not Found' }]);
      const userByUser = await t.api('POST', '/users', { token: user.token, body: { username: 'zz', name: 'z', email: 'z@z.z', password: 'password-1' } });
      assert.equal(userByUser.status, 403);
    });

    it('lets admins act as another user with Sudo (header or parameter)', async () => {
      const user = await createUser(t);
      const project = await createProject(t, { name: 'sudo-made' }, undefined);
      const asUser = await t.api('GET', '/user', { headers: { Sudo: user.username } });
      assert.equal(asUser.body.username, user.username);
      const byId = await t.api('GET', `/user?sudo=${user.id}`);
      assert.equal(byId.body.id, user.id);
      const hidden = await t.api('GET', `/projects/${project.id}`, { headers: { Sudo: user.username } });
      assert.equal(hidden.status, 404);
      const notAdmin = await t.api('GET', '/user', { token: user.token, headers: { Sudo: 'root' } });
      assert.deepEqual([notAdmin.status, notAdmin.body], [403, { message: '403 Forbidden - Must be admin to use sudo' }]);
      const ghost = await t.api('GET', '/user', { headers: { Sudo: 'ghost-user' } });
      assert.deepEqual([ghost.status, ghost.body], [404, { message: "404 User 'ghost-user' Not Found" }]);
      const admin = await createUser(t, { admin: true, scopes: ['api'] });
      const noSudoScope = await t.api('GET', '/user', { token: admin.token, headers: { Sudo: user.username } });
      assert.equal(noSudoScope.status, 403);
      assert.equal(noSudoScope.body.scope, 'sudo');
    });

    it('blocks and unblocks users; blocked users cannot use their tokens', async () => {
      const user = await createUser(t);
      const blocked = await t.api('POST', `/users/${user.id}/block`);
      assert.deepEqual([blocked.status, blocked.body], [201, true]);
      const refused = await t.api('GET', '/user', { token: user.token });
      assert.deepEqual([refused.status, refused.body], [403, { message: '403 Forbidden - Your account has been blocked.' }]);
      const listed = await t.api('GET', `/users?username=${user.username}`);
      assert.equal(listed.body[0].state, 'blocked');
      assert.equal((await t.api('POST', `/users/${user.id}/unblock`)).status, 201);
      assert.equal((await t.api('GET', '/user', { token: user.token })).status, 200);
    });
  });
}
