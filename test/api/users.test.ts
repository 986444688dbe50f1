import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createUser, unique } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

for (const dialect of DIALECTS) {
  describe(`users API (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    it('creates users with GitLab validation and conflicts', async () => {
      const username = unique('alice');
      const created = await t.api('POST', '/users', { body: { username, name: 'Alice', email: `${username}@example.com`, password: 'long-enough' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.username, username);
      assert.equal(created.body.email, `${username}@example.com`);
      assert.equal(created.body.is_admin, false);
      const again = await t.api('POST', '/users', { body: { username, name: 'A', email: `other-${username}@example.com`, password: 'long-enough' } });
      assert.deepEqual([again.status, again.body], [409, { message: 'Username has already been taken' }]);
      const sameEmail = await t.api('POST', '/users', { body: { username: `${username}x`, name: 'A', email: `${username}@example.com`, password: 'long-enough' } });
      assert.deepEqual([sameEmail.status, sameEmail.body], [409, { message: 'Email has already been taken' }]);
      const short = await t.api('POST', '/users', { body: { username: `${username}y`, name: 'A', email: `y${username}@example.com`, password: 'short' } });
      assert.equal(short.status, 400);
      assert.deepEqual(short.body.message.password, ['is too short (minimum is 8 characters)']);
      const missing = await t.api('POST', '/users', { body: { name: 'A' } });
      assert.equal(missing.status, 400);
      assert.match(missing.body.error, /is missing/);
      const noPassword = await t.api('POST', '/users', { body: { username: `${username}z`, name: 'A', email: `z${username}@example.com` } });
      assert.deepEqual(noPassword.body, { error: 'password, reset_password, force_random_password are missing, exactly one parameter must be provided' });
    });

    it('shows users publicly without private fields, and finds them by username', async () => {
      const user = await createUser(t);
      const anonymous = await t.api('GET', `/users/${user.id}`, { token: null });
      assert.equal(anonymous.status, 200);
      assert.equal(anonymous.body.username, user.username);
      assert.equal(anonymous.body.email, undefined);
      assert.equal(anonymous.body.web_url, `${t.url}/${user.username}`);
      const byName = await t.api('GET', `/users?username=${user.username.toUpperCase()}`, { token: user.token });
      assert.deepEqual(byName.body.map((u: any) => u.id), [user.id]);
      const missing = await t.api('GET', '/users/424242');
      assert.deepEqual([missing.status, missing.body], [404, { message: '404 User Not Found' }]);
      const invalid = await t.api('GET', '/users/abc');
      assert.deepEqual([invalid.status, invalid.body], [400, { error: 'id is invalid' }]);
    });

    it('returns the current user with private fields for GET /user', async () => {
      const user = await createUser(t);
      const me = await t.api('GET', '/user', { token: user.token });
      assert.equal(me.body.id, user.id);
      assert.equal(me.body.email, `${user.username}@example.com`);
      assert.equal(me.body.is_admin, undefined);
    });
  });
}
