import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { createProject, createUser, unique } from '../helpers/fixtures.js';
import { ROOT_PASSWORD, startTestServer, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web.js';

for (const dialect of DIALECTS) {
  describe(`web sessions and CSRF (${dialect})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(dialect);
    });
    after(() => t.close());

    it('signs in with a password: HttpOnly SameSite session cookie, a new session id, and the user on every page', async () => {
      const web = new WebClient(t.url);
      const form = await web.get('/users/sign_in');
      assert.equal(form.status, 200);
      assert.match(form.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      const signedIn = await web.post('/users/sign_in', { authenticity_token: WebClient.formToken(form.text), login: 'root', password: ROOT_PASSWORD, redirect_to: '/root' });
      assert.equal(signedIn.status, 303);
      assert.equal(signedIn.headers.get('location'), '/root');
      const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('_conveyor_session='));
      assert.ok(cookie);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Path=\//);
      const home = await web.get('/');
      assert.equal(home.status, 200);
      assert.match(home.text, /Sign out/);
      assert.match(home.text, />root</);
    });

    it('refuses wrong passwords and unknown users with one message, and follows only local redirects', async () => {
      const web = new WebClient(t.url);
      const wrong = await web.signIn('root', 'not-the-password');
      assert.equal(wrong.status, 401);
      assert.match(wrong.text, /Invalid login or password\./);
      const unknown = await web.signIn(unique('nobody'), 'whatever-password');
      assert.equal(unknown.status, 401);
      assert.match(unknown.text, /Invalid login or password\./);
      const form = await web.get('/users/sign_in');
      const evil = await web.post('/users/sign_in', { authenticity_token: WebClient.formToken(form.text), login: 'root', password: ROOT_PASSWORD, redirect_to: '//evil.example/' });
      assert.equal(evil.headers.get('location'), '/');
    });

    it('rejects a sign-in form without the token of its cookie (login CSRF)', async () => {
      const web = new WebClient(t.url);
      const noToken = await web.post('/users/sign_in', { login: 'root', password: ROOT_PASSWORD });
      assert.equal(noToken.status, 422);
      await web.get('/users/sign_in');
      const forged = await web.post('/users/sign_in', { authenticity_token: 'x'.repeat(43), login: 'root', password: ROOT_PASSWORD });
      assert.equal(forged.status, 422);
      assert.equal(web.cookies.has('_conveyor_session'), false);
    });

    it('rejects state-changing forms without the session CSRF token (422), and accepts them with it', async () => {
      const web = new WebClient(t.url);
      await web.signIn('root', ROOT_PASSWORD);
      const page = await web.get('/-/user_settings/personal_access_tokens');
      assert.equal(page.status, 200);
      const missing = await web.post('/-/user_settings/personal_access_tokens', { name: 'ci', 'scopes[]': 'api' });
      assert.equal(missing.status, 422);
      const wrong = await web.post('/-/user_settings/personal_access_tokens', { authenticity_token: 'nope', name: 'ci', 'scopes[]': 'api' });
      assert.equal(wrong.status, 422);
      const created = await web.post('/-/user_settings/personal_access_tokens', { authenticity_token: WebClient.formToken(page.text), name: 'from the web', 'scopes[]': 'read_api' });
      assert.equal(created.status, 201);
      const secret = /id="new-token" class="mono" readonly value="(glpat-[^"]+)"/.exec(created.text)?.[1];
      assert.ok(secret, 'the new token is shown once');
      const me = await t.api('GET', '/user', { token: secret });
      assert.equal(me.body.username, 'root');
      const writeWithReadToken = await t.api('POST', '/projects', { token: secret, body: { name: unique('p') } });
      assert.equal(writeWithReadToken.status, 403);
      const again = await web.get('/-/user_settings/personal_access_tokens');
      assert.doesNotMatch(again.text, new RegExp(secret), 'the secret is never shown again');
    });

    it('authenticates API calls with the session cookie; writes need X-CSRF-Token, as in GitLab', async () => {
      const web = new WebClient(t.url);
      await web.signIn('root', ROOT_PASSWORD);
      const page = await web.get('/');
      const csrf = WebClient.csrfMeta(page.text);
      const me = await web.request('GET', '/api/v4/user', { headers: { accept: 'application/json' } });
      assert.equal(me.status, 200);
      assert.equal(JSON.parse(me.text).username, 'root');
      const withoutToken = await web.request('POST', '/api/v4/projects', { json: { name: unique('p') } });
      assert.equal(withoutToken.status, 401);
      const wrongToken = await web.request('POST', '/api/v4/projects', { json: { name: unique('p') }, headers: { 'x-csrf-token': 'wrong' } });
      assert.equal(wrongToken.status, 401);
      const withToken = await web.request('POST', '/api/v4/projects', { json: { name: unique('p') }, headers: { 'x-csrf-token': csrf } });
      assert.equal(withToken.status, 201, withToken.text);
    });

    it('signs out: the session is gone on the server, not only in the browser', async () => {
      const web = new WebClient(t.url);
      await web.signIn('root', ROOT_PASSWORD);
      const stolen = web.cookies.get('_conveyor_session')!;
      const page = await web.get('/');
      const refused = await web.post('/users/sign_out', {});
      assert.equal(refused.status, 422);
      const out = await web.post('/users/sign_out', { authenticity_token: WebClient.formToken(page.text.slice(page.text.indexOf('/users/sign_out') - 80)) });
      assert.equal(out.status, 303);
      const replay = await fetch(`${t.url}/api/v4/user`, { headers: { cookie: `_conveyor_session=${stolen}` } });
      assert.equal(replay.status, 401);
    });

    it('locks an account for ten minutes after ten wrong passwords in a row', async () => {
      const username = unique('lock');
      await createUser(t, { username });
      const web = new WebClient(t.url);
      for (let i = 0; i < 9; i++) assert.match((await web.signIn(username, `wrong-${i}`)).text, /Invalid login or password/);
      const tenth = await web.signIn(username, 'wrong-10');
      assert.match(tenth.text, /Your account is locked/);
      const right = await web.signIn(username, 'password-1234');
      assert.equal(right.status, 401);
      assert.match(right.text, /Your account is locked/);
      assert.equal(web.cookies.has('_conveyor_session'), false);
      // Another user is not affected, and a success resets the count.
      const other = unique('free');
      await createUser(t, { username: other });
      for (let i = 0; i < 9; i++) await web.signIn(other, 'wrong');
      assert.equal((await web.signIn(other, 'password-1234')).status, 303);
      assert.match((await new WebClient(t.url).signIn(other, 'wrong')).text, /Invalid login or password/);
    });

    it('shows public projects signed out, hides private ones, and escapes what users wrote', async () => {
      const name = unique('pub');
      const open = await createProject(t, { name, visibility: 'public', description: '<script>alert(1)</script><img src=x onerror=alert(2)>' });
      const secret = await createProject(t, { name: unique('priv'), visibility: 'private' });
      const anonymous = new WebClient(t.url);
      const list = await anonymous.get('/');
      assert.match(list.text, new RegExp(open.path_with_namespace));
      assert.doesNotMatch(list.text, new RegExp(secret.path_with_namespace));
      assert.doesNotMatch(list.text, /<script>alert|<img src=x/);
      assert.match(list.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      const page = await anonymous.get(`/${open.path_with_namespace}`);
      assert.equal(page.status, 200);
      const hidden = await anonymous.get(`/${secret.path_with_namespace}`);
      assert.equal(hidden.status, 302);
      assert.match(hidden.headers.get('location') ?? '', /^\/users\/sign_in\?redirect_to=/);
      const asJson = await fetch(`${t.url}/${secret.path_with_namespace}`);
      assert.deepEqual([asJson.status, await asJson.json()], [404, { error: '404 Not Found' }]);
    });
  });
}
