import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { PushEvent } from '../../src/services/events.js';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { gitCli, gitOk, gitUrl, tempDir, WorkTree } from '../helpers/git.js';
import { sendHttp } from '../helpers/raw-http.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const NULL_SHA = '0'.repeat(40);

for (const dialect of DIALECTS) {
  describe(`git over HTTP (${dialect})`, () => {
    let t: TestServer;
    let events: PushEvent[];
    const trees: WorkTree[] = [];

    before(async () => {
      t = await startTestServer(dialect);
      events = [];
      // The process that ran the push emits its event; in pair mode that may be either server.
      for (const server of t.servers) server.app.ctx.events.on('push', (event) => events.push(event));
    });
    after(async () => {
      for (const tree of trees) tree.remove();
      await t.close();
    });

    const rootUrl = (fullPath: string) => gitUrl(t.url, fullPath, { username: 'root', token: ROOT_TOKEN });
    async function workTree(): Promise<WorkTree> {
      const tree = await WorkTree.create();
      trees.push(tree);
      return tree;
    }
    /** A project whose `main` has one commit, pushed by root. */
    async function seeded(body: Record<string, unknown> = {}): Promise<{ project: any; tree: WorkTree; sha: string }> {
      const project = await createProject(t, body);
      const tree = await workTree();
      const sha = await tree.commit('README.md', 'hello\n');
      await gitOk(['push', '--quiet', rootUrl(project.path_with_namespace), 'main'], { cwd: tree.dir });
      return { project, tree, sha };
    }
    const lastEvent = () => events[events.length - 1];
    const raw = (method: string, p: string, headers: Array<[string, string]> = [], body?: Buffer) =>
      sendHttp(Number(new URL(t.url).port), { kind: 'http', label: p, method, path: p, headers: [['Host', 'x'], ['Connection', 'close'], ...headers], body }).then(
        (o) => {
          assert.equal(o.kind, 'response', `${method} ${p}`);
          return (o as Extract<typeof o, { kind: 'response' }>).response;
        },
      );
    const basic = (user: string, token: string): [string, string] => ['Authorization', `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`];

    it('creates the bare repository with the project and removes it with the project', async () => {
      const project = await createProject(t);
      const repo = path.join(t.dataDir, 'repositories', `${project.id}.git`);
      assert.ok(fs.existsSync(path.join(repo, 'HEAD')));
      const deleted = await t.api('DELETE', `/projects/${project.id}`);
      assert.equal(deleted.status, 202);
      assert.equal(fs.existsSync(repo), false);
    });

    it('clones an empty project', async () => {
      const project = await createProject(t);
      const dir = tempDir();
      const clone = await gitCli(['clone', rootUrl(project.path_with_namespace), dir]);
      assert.equal(clone.code, 0, clone.stderr);
      assert.match(clone.stderr, /cloned an empty repository/);
    });

    it('pushes a first commit: main becomes the default branch and a push event is emitted', async () => {
      const project = await createProject(t);
      assert.equal(project.default_branch, null);
      const tree = await workTree();
      const sha = await tree.commit('README.md', 'hello\n');
      const push = await tree.git(['push', rootUrl(project.path_with_namespace), 'main']);
      assert.equal(push.code, 0, push.stderr);
      const after = await t.api('GET', `/projects/${project.id}`);
      assert.equal(after.body.default_branch, 'main');
      assert.deepEqual(lastEvent(), {
        projectId: project.id,
        userId: 1,
        updates: [{ ref: 'refs/heads/main', before: NULL_SHA, after: sha }],
        pushOptions: [],
      });
      const clone = tempDir();
      await gitOk(['clone', '--quiet', rootUrl(project.path_with_namespace), clone]);
      assert.equal(fs.readFileSync(path.join(clone, 'README.md'), 'utf8'), 'hello\n');
      assert.equal((await gitOk(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: clone })).trim(), 'main');
    });

    it('makes the first branch pushed the default, preferring the one the project chose', async () => {
      const chosen = await createProject(t, { default_branch: 'develop' });
      const tree = await workTree();
      await tree.commit('a.txt', 'a');
      await gitOk(['push', '--quiet', rootUrl(chosen.path_with_namespace), 'main:feature', 'main:develop'], { cwd: tree.dir });
      assert.equal((await t.api('GET', `/projects/${chosen.id}`)).body.default_branch, 'develop');
      const other = await createProject(t);
      await gitOk(['push', '--quiet', rootUrl(other.path_with_namespace), 'main:trunk'], { cwd: tree.dir });
      assert.equal((await t.api('GET', `/projects/${other.id}`)).body.default_branch, 'trunk');
      await gitOk(['push', '--quiet', rootUrl(other.path_with_namespace), 'main:later'], { cwd: tree.dir });
      assert.equal((await t.api('GET', `/projects/${other.id}`)).body.default_branch, 'trunk', 'only the first push chooses');
      const clone = tempDir();
      await gitOk(['clone', '--quiet', rootUrl(other.path_with_namespace), clone]);
      assert.equal((await gitOk(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: clone })).trim(), 'trunk');
    });

    it('asks anonymous callers of a private project for credentials (401), and lets a token in', async () => {
      const { project } = await seeded({ visibility: 'private' });
      const anonymous = await gitCli(['clone', gitUrl(t.url, project.path_with_namespace), tempDir()]);
      assert.notEqual(anonymous.code, 0);
      assert.match(anonymous.stderr, /could not read Username|Authentication failed/);
      const refs = await fetch(`${t.url}/${project.path_with_namespace}.git/info/refs?service=git-upload-pack`);
      assert.equal(refs.status, 401);
      assert.equal(refs.headers.get('www-authenticate'), 'Basic realm="Conveyor"');
      const wrong = await gitCli(['clone', gitUrl(t.url, project.path_with_namespace, { token: 'glpat-wrong' }), tempDir()]);
      assert.match(wrong.stderr, /Authentication failed|HTTP Basic: Access denied/);
      const reporter = await createUser(t);
      await addMember(t, project.id, reporter.id, 20);
      const dir = tempDir();
      const clone = await gitCli(['clone', gitUrl(t.url, project.path_with_namespace, { username: 'anything', token: reporter.token }), dir]);
      assert.equal(clone.code, 0, clone.stderr);
      assert.equal(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), 'hello\n');
    });

    it('lets anyone clone a public project but asks a pusher to sign in', async () => {
      const { project, tree } = await seeded({ visibility: 'public' });
      const clone = await gitCli(['clone', gitUrl(t.url, project.path_with_namespace), tempDir()]);
      assert.equal(clone.code, 0, clone.stderr);
      const refs = await fetch(`${t.url}/${project.path_with_namespace}.git/info/refs?service=git-receive-pack`);
      assert.equal(refs.status, 401);
      await tree.commit('b.txt', 'b');
      const push = await tree.git(['push', gitUrl(t.url, project.path_with_namespace), 'main']);
      assert.notEqual(push.code, 0);
    });

    it('refuses a Reporter\'s push with 403 and GitLab\'s message', async () => {
      const { project, tree } = await seeded();
      const reporter = await createUser(t);
      await addMember(t, project.id, reporter.id, 20);
      await tree.commit('b.txt', 'b');
      const push = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { token: reporter.token }), 'main']);
      assert.notEqual(push.code, 0);
      assert.match(push.stderr, /You are not allowed to push code to this project\./);
      assert.match(push.stderr, /403/);
      const refs = await raw('GET', `/${project.path_with_namespace}.git/info/refs?service=git-receive-pack`, [basic('x', reporter.token)]);
      assert.equal(refs.status, 403);
    });

    it('answers 404 to a signed-in user who cannot see the project', async () => {
      const { project } = await seeded();
      const outsider = await createUser(t);
      const clone = await gitCli(['clone', gitUrl(t.url, project.path_with_namespace, { token: outsider.token }), tempDir()]);
      assert.notEqual(clone.code, 0);
      assert.match(clone.stderr, /The project you were looking for could not be found/);
      assert.match(clone.stderr, /not found/);
      const refs = await raw('GET', `/${project.path_with_namespace}.git/info/refs?service=git-upload-pack`, [basic('x', outsider.token)]);
      assert.equal(refs.status, 404);
    });

    it('checks token scopes the way GitLab does for repositories', async () => {
      const { project, tree } = await seeded();
      const readApi = await createUser(t, { scopes: ['read_api'] });
      const readRepository = await createUser(t, { scopes: ['read_repository'] });
      for (const user of [readApi, readRepository]) await addMember(t, project.id, user.id, 40);
      const denied = await raw('GET', `/${project.path_with_namespace}.git/info/refs?service=git-upload-pack`, [basic('x', readApi.token)]);
      assert.equal(denied.status, 401, 'read_api does not read repositories');
      const clone = await gitCli(['clone', gitUrl(t.url, project.path_with_namespace, { token: readRepository.token }), tempDir()]);
      assert.equal(clone.code, 0, clone.stderr);
      await tree.commit('c.txt', 'c');
      const push = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { token: readRepository.token }), 'main']);
      assert.notEqual(push.code, 0, 'read_repository does not push');
    });

    it('refuses job tokens until jobs issue them (gitlab-ci-token)', async () => {
      const { project } = await seeded();
      const refs = await raw('GET', `/${project.path_with_namespace}.git/info/refs?service=git-upload-pack`, [basic('gitlab-ci-token', 'some-job-token')]);
      assert.equal(refs.status, 401);
      assert.equal(refs.headers['www-authenticate'], 'Basic realm="Conveyor"');
    });

    it('refuses a Developer\'s push to a protected branch and accepts a Maintainer\'s', async () => {
      const { project, tree } = await seeded();
      const developer = await createUser(t);
      const maintainer = await createUser(t);
      await addMember(t, project.id, developer.id, 30);
      await addMember(t, project.id, maintainer.id, 40);
      const protect = await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name: 'main', push_access_level: 40 } });
      assert.equal(protect.status, 201, protect.text);
      const sha = await tree.commit('d.txt', 'd');
      const count = events.length;
      const refused = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { token: developer.token }), 'main']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /GitLab: You are not allowed to push code to protected branches on this project\./);
      assert.equal(events.length, count, 'a refused push emits nothing');
      const unprotected = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { token: developer.token }), 'main:feature']);
      assert.equal(unprotected.code, 0, unprotected.stderr);
      const accepted = await tree.git(['push', gitUrl(t.url, project.path_with_namespace, { token: maintainer.token }), 'main']);
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.equal(lastEvent().userId, maintainer.id);
      assert.deepEqual(lastEvent().updates.map((u) => [u.ref, u.after]), [['refs/heads/main', sha]]);
    });

    it('applies wildcard protection and lets developers push where the level allows them', async () => {
      const { project, tree } = await seeded();
      const developer = await createUser(t);
      await addMember(t, project.id, developer.id, 30);
      await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name: 'release/*', push_access_level: 40 } });
      await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name: 'dev-*', push_access_level: 30 } });
      await t.api('POST', `/projects/${project.id}/protected_branches`, { body: { name: 'frozen', push_access_level: 0 } });
      const url = gitUrl(t.url, project.path_with_namespace, { token: developer.token });
      assert.match((await tree.git(['push', url, 'main:release/1.0'])).stderr, /not allowed to create protected branches/);
      assert.equal((await tree.git(['push', url, 'main:dev-1'])).code, 0);
      assert.match((await tree.git(['push', rootUrl(project.path_with_namespace), 'main:frozen'])).stderr, /\[new branch\]/, 'admins pass "No one"');
      await tree.commit('g.txt', 'g');
      assert.match((await tree.git(['push', url, 'main:frozen'])).stderr, /not allowed to push code to protected branches/);
    });

    it('delivers push options in the push event', async () => {
      const { project, tree } = await seeded();
      const sha = await tree.commit('e.txt', 'e');
      const push = await tree.git(['push', '-o', 'ci.skip', '-o', 'ci.variable=A=1', rootUrl(project.path_with_namespace), 'main']);
      assert.equal(push.code, 0, push.stderr);
      assert.deepEqual(lastEvent().pushOptions, ['ci.skip', 'ci.variable=A=1']);
      assert.equal(lastEvent().projectId, project.id);
      assert.equal(lastEvent().updates[0].after, sha);
    });

    it('reports every ref of a push with several branches and a tag, and deletions with the null sha', async () => {
      const { project, tree, sha: base } = await seeded();
      const sha = await tree.commit('f.txt', 'f');
      await gitOk(['tag', 'v1.0'], { cwd: tree.dir });
      const push = await tree.git(['push', rootUrl(project.path_with_namespace), 'main', 'main:one', `${base}:refs/heads/two`, 'v1.0']);
      assert.equal(push.code, 0, push.stderr);
      const updates = [...lastEvent().updates].sort((a, b) => a.ref.localeCompare(b.ref));
      assert.deepEqual(updates, [
        { ref: 'refs/heads/main', before: base, after: sha },
        { ref: 'refs/heads/one', before: NULL_SHA, after: sha },
        { ref: 'refs/heads/two', before: NULL_SHA, after: base },
        { ref: 'refs/tags/v1.0', before: NULL_SHA, after: sha },
      ]);
      const deletion = await tree.git(['push', rootUrl(project.path_with_namespace), '--delete', 'one']);
      assert.equal(deletion.code, 0, deletion.stderr);
      assert.deepEqual(lastEvent().updates, [{ ref: 'refs/heads/one', before: sha, after: NULL_SHA }]);
      const deleteDefault = await tree.git(['push', rootUrl(project.path_with_namespace), '--delete', 'main']);
      assert.match(deleteDefault.stderr, /GitLab: The default branch of a project cannot be deleted\./);
    });

    it('serialises concurrent pushes to one repository without losing any', async () => {
      const { project, tree } = await seeded();
      const count = events.length;
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) => tree.git(['push', rootUrl(project.path_with_namespace), `main:parallel-${i}`])),
      );
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const refs = events.slice(count).flatMap((e) => e.updates.map((u) => u.ref)).sort();
      assert.deepEqual(refs, [0, 1, 2, 3].map((i) => `refs/heads/parallel-${i}`));
    });

    it('streams a push larger than the JSON body limit', async () => {
      const { project, tree } = await seeded();
      const sha = await tree.commit('blob.bin', crypto.randomBytes(3 * 1024 * 1024).toString('base64'));
      const push = await tree.git(['push', rootUrl(project.path_with_namespace), 'main']);
      assert.equal(push.code, 0, push.stderr);
      assert.equal(lastEvent().updates[0].after, sha);
    });

    it('lets the next push through when a client walks away in the middle of one', async () => {
      const { project, tree } = await seeded();
      const socket = net.connect(Number(new URL(t.url).port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /${project.path_with_namespace}.git/git-receive-pack HTTP/1.1\r\nHost: x\r\n` +
          `Authorization: Basic ${Buffer.from(`root:${ROOT_TOKEN}`).toString('base64')}\r\n` +
          'Content-Type: application/x-git-receive-pack-request\r\nContent-Length: 100000\r\n\r\n0098',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.destroy();
      await tree.commit('after-abort.txt', 'x');
      const push = await Promise.race([
        tree.git(['push', rootUrl(project.path_with_namespace), 'main']),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the repository stayed locked')), 20_000)),
      ]);
      assert.equal(push.code, 0, push.stderr);
    });

    it('serves paths with subgroups and dots, whatever their case, with or without .git', async () => {
      const top = await createGroup(t);
      const sub = await createGroup(t, { parent_id: top.id });
      const project = await createProject(t, { name: 'api.v2', path: 'api.v2', namespace_id: sub.id });
      assert.equal(project.path_with_namespace, `${top.path}/${sub.path}/api.v2`);
      const tree = await workTree();
      await tree.commit('x.txt', 'x');
      await gitOk(['push', '--quiet', rootUrl(project.path_with_namespace), 'main'], { cwd: tree.dir });
      for (const url of [
        rootUrl(project.path_with_namespace.toUpperCase()),
        rootUrl(project.path_with_namespace).replace(/\.git$/, ''),
      ]) {
        const dir = tempDir();
        const clone = await gitCli(['clone', url, dir]);
        assert.equal(clone.code, 0, `${url}: ${clone.stderr}`);
        assert.equal(fs.readFileSync(path.join(dir, 'x.txt'), 'utf8'), 'x');
      }
    });

    it('creates the repository on first use for a project that has none', async () => {
      const project = await createProject(t);
      fs.rmSync(path.join(t.dataDir, 'repositories', `${project.id}.git`), { recursive: true });
      const tree = await workTree();
      await tree.commit('lazy.txt', 'lazy');
      const push = await tree.git(['push', rootUrl(project.path_with_namespace), 'main']);
      assert.equal(push.code, 0, push.stderr);
      assert.equal((await t.api('GET', `/projects/${project.id}`)).body.default_branch, 'main');
    });

    it('inflates gzip request bodies (git compresses large fetch negotiations)', async () => {
      const { project, sha } = await seeded();
      const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
      const request = Buffer.from(`${pkt(`want ${sha}\n`)}0000${pkt('done\n')}`);
      const response = await fetch(`${t.url}/${project.path_with_namespace}.git/git-upload-pack`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-git-upload-pack-request',
          'Content-Encoding': 'gzip',
          Authorization: `Basic ${Buffer.from(`root:${ROOT_TOKEN}`).toString('base64')}`,
        },
        body: zlib.gzipSync(request),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/x-git-upload-pack-result');
      const body = Buffer.from(await response.arrayBuffer());
      assert.ok(body.includes('NAK') && body.includes('PACK'), body.subarray(0, 80).toString('latin1'));
    });

    it('answers bad paths and unknown projects with 404 (an unknown project 401 when anonymous), never a 500', async () => {
      const auth = basic('root', ROOT_TOKEN);
      for (const p of [
        '/../x.git/info/refs?service=git-upload-pack',
        '/x.git/info/refs?service=git-upload-pack',
        '/root/../root/x.git/info/refs?service=git-upload-pack',
        '/root/%00.git/info/refs?service=git-upload-pack',
        `/root/${'a'.repeat(300)}.git/info/refs?service=git-upload-pack`,
        '/root/.git/info/refs?service=git-upload-pack',
        '/root/x.git/objects/info/packs',
        '/root/x.git/HEAD',
      ]) {
        for (const headers of [[auth], []]) {
          const res = await raw('GET', p, headers);
          assert.equal(res.status, 404, `${p}: ${res.status} ${res.body}`);
        }
      }
      // Not valid percent-encoding: Fastify refuses the URL before any route, as for every URL.
      assert.equal((await raw('GET', '/root/%zz.git/info/refs?service=git-upload-pack', [auth])).status, 400);
      const { project } = await seeded();
      const postOnly = await raw('GET', `/${project.path_with_namespace}.git/git-upload-pack`, [auth]);
      assert.equal(postOnly.status, 404);
      const getOnly = await raw('POST', `/${project.path_with_namespace}.git/info/refs?service=git-upload-pack`, [auth, ['Content-Type', 'application/x-git-upload-pack-request']], Buffer.from('0000'));
      assert.equal(getOnly.status, 404);
      const dumb = await raw('GET', `/${project.path_with_namespace}.git/info/refs`, [auth]);
      assert.equal(dumb.status, 403);
      const bogus = await raw('GET', `/${project.path_with_namespace}.git/info/refs?service=git-upload-archive`, [auth]);
      assert.equal(bogus.status, 403);
      assert.equal((await raw('GET', '/root/nope.git/info/refs?service=git-upload-pack', [auth])).status, 404);
      const anonymousUnknown = await raw('GET', '/root/nope.git/info/refs?service=git-upload-pack');
      assert.equal(anonymousUnknown.status, 401, 'anonymous callers cannot tell a missing project from a private one');
      const garbage = await raw('POST', `/${project.path_with_namespace}.git/git-upload-pack`, [auth, ['Content-Type', 'application/x-git-upload-pack-request']], Buffer.from('not pkt-lines'));
      assert.ok(garbage.status < 500, `garbage body: ${garbage.status}`);
      const badGzip = await raw('POST', `/${project.path_with_namespace}.git/git-upload-pack`, [auth, ['Content-Type', 'application/x-git-upload-pack-request'], ['Content-Encoding', 'gzip']], Buffer.from('not gzip'));
      assert.ok(badGzip.status < 500, `bad gzip: ${badGzip.status}`);
      const unknownRoute = await t.api('GET', `${t.url}/totally/unknown`);
      assert.deepEqual([unknownRoute.status, unknownRoute.body], [404, { error: '404 Not Found' }]);
    });
  });
}
