import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Gitlab } from '@gitbeaker/rest';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createProject, createUser } from '../helpers/fixtures.js';
import { gitUrl, WorkTree } from '../helpers/git.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);

const CONFIG = `
stages: [build, test]
variables:
  GREETING: hello
compile:
  stage: build
  script: make
unit:
  stage: test
  script: make test
only-api:
  stage: test
  script: echo api
  rules:
    - if: $CI_PIPELINE_SOURCE == "api"
`;

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const dialect of DIALECTS) {
  describe(`pipelines from pushes and the pipelines API (${dialect})`, () => {
    let t: TestServer;
    let project: any;
    let tree: WorkTree;
    let remote: string;
    before(async () => {
      t = await startTestServer(dialect);
      project = await createProject(t);
      tree = await WorkTree.create();
      remote = gitUrl(t.url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN });
    });
    after(async () => {
      tree.remove();
      await t.close();
    });

    const pipelines = async (query = '') => (await t.api('GET', `/projects/${project.id}/pipelines${query}`)).body as any[];
    const jobsOf = async (pipelineId: number) => t.server.app.ctx.store.jobs.listByPipeline(pipelineId);

    it('creates a push pipeline per pushed branch with the jobs its rules select', async () => {
      await tree.commit('.gitlab-ci.yml', CONFIG, 'Add CI');
      const push = await tree.git(['push', remote, 'HEAD:main']);
      assert.equal(push.code, 0, push.stderr);
      // Listed as soon as its transaction commits (`created`), pending once processed: wait for the latter.
      const [pipeline] = await eventually(async () => {
        const listed = await pipelines();
        return listed.length && listed[0].status !== 'created' ? listed : undefined;
      }, 'the push pipeline, processed');
      assert.equal(pipeline.source, 'push');
      assert.equal(pipeline.ref, 'main');
      assert.equal(pipeline.status, 'pending');
      const jobs = await jobsOf(pipeline.id);
      assert.deepEqual(jobs.map((j) => [j.name, j.stage, j.status]), [['compile', 'build', 'pending'], ['unit', 'test', 'created']]);
      const full = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}`);
      assert.equal(full.body.user.username, 'root');
      assert.equal(full.body.iid, 1);
      assert.equal(full.body.before_sha, '0'.repeat(40));
      assert.equal(full.body.yaml_errors, null);
      assert.equal(full.body.detailed_status.group, 'pending');
      assert.equal(full.body.web_url, `${t.url}/${project.path_with_namespace}/-/pipelines/${pipeline.id}`);
      assert.equal((await t.api('GET', `/projects/${project.id}`)).body.default_branch, 'main');
    });

    it('honours [skip ci], -o ci.skip and -o ci.variable', async () => {
      const before = (await pipelines()).length;
      await tree.commit('a.txt', 'a', 'Docs only [skip ci]');
      assert.equal((await tree.git(['push', remote, 'HEAD:main'])).code, 0);
      await tree.commit('b.txt', 'b', 'More docs');
      assert.equal((await tree.git(['push', '-o', 'ci.skip', remote, 'HEAD:main'])).code, 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await pipelines()).length, before, 'no pipelines for skipped pushes');
      await tree.commit('c.txt', 'c', 'With variables');
      assert.equal((await tree.git(['push', '-o', 'ci.variable=DEPLOY=yes', remote, 'HEAD:feature/vars'])).code, 0);
      const pipeline = await eventually(async () => (await pipelines('?ref=feature/vars'))[0], 'the feature pipeline');
      const variables = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}/variables`);
      assert.deepEqual(variables.body, [{ variable_type: 'env_var', key: 'DEPLOY', value: 'yes' }]);
    });

    it('keeps a failed pipeline with yaml_errors for a broken pushed config', async () => {
      await tree.commit('.gitlab-ci.yml', 'job:\n  script: [1, {a: b}]\n\u0000binary', 'Break CI');
      assert.equal((await tree.git(['push', remote, 'HEAD:broken'])).code, 0);
      const pipeline = await eventually(async () => (await pipelines('?ref=broken'))[0], 'the broken pipeline');
      assert.equal(pipeline.status, 'failed');
      const full = await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}`);
      assert.ok(full.body.yaml_errors.length > 0);
      await tree.git(['reset', '--hard', 'HEAD~1']);
      await tree.commit('.gitlab-ci.yml', `job:\n  script: x\n${'# padding padding padding padding\n'.repeat(90_000)}`, 'Huge CI');
      assert.equal((await tree.git(['push', remote, 'HEAD:huge'])).code, 0);
      const huge = await eventually(async () => (await pipelines('?ref=huge'))[0], 'the huge pipeline');
      const hugeFull = await t.api('GET', `/projects/${project.id}/pipelines/${huge.id}`);
      assert.deepEqual([hugeFull.body.status, hugeFull.body.yaml_errors], ['failed', 'The parsed YAML is too big']);
      await tree.git(['reset', '--hard', 'HEAD~1']);
    });

    it('creates API pipelines with variables and refuses bad requests with GitLab errors', async () => {
      const created = await t.api('POST', `/projects/${project.id}/pipeline`, { body: { ref: 'main', variables: [{ key: 'X', value: '1', variable_type: 'file' }] } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.source, 'api');
      const jobs = await jobsOf(created.body.id);
      assert.ok(jobs.some((j) => j.name === 'only-api'), 'rules see CI_PIPELINE_SOURCE=api');
      const unknown = await t.api('POST', `/projects/${project.id}/pipeline`, { body: { ref: 'nope' } });
      assert.deepEqual([unknown.status, unknown.body], [400, { message: { base: ['Reference not found'] } }]);
      const noConfig = await createProject(t);
      const empty = await t.api('POST', `/projects/${noConfig.id}/pipeline`, { body: { ref: 'main' } });
      assert.equal(empty.status, 400);
      const badVariable = await t.api('POST', `/projects/${project.id}/pipeline`, { body: { ref: 'main', variables: [{ value: 'x' }] } });
      assert.deepEqual([badVariable.status, badVariable.body], [400, { error: 'variables[0][key] is missing' }]);
      const reporter = await createUser(t);
      await addMember(t, project.id, reporter.id, 20);
      assert.equal((await t.api('POST', `/projects/${project.id}/pipeline`, { token: reporter.token, body: { ref: 'main' } })).status, 403);
    });

    it('lists with filters, finds the latest, cancels, retries and deletes', async () => {
      const apiOnly = await pipelines('?source=api');
      assert.ok(apiOnly.length >= 1 && apiOnly.every((p) => p.source === 'api'));
      assert.ok((await pipelines('?status=failed')).every((p) => p.status === 'failed'));
      assert.ok((await pipelines('?scope=finished')).every((p) => ['success', 'failed', 'canceled', 'skipped'].includes(p.status)));
      assert.ok((await pipelines('?username=root')).length >= 3);
      const latest = await t.api('GET', `/projects/${project.id}/pipelines/latest?ref=main`);
      assert.equal(latest.body.id, Math.max(...(await pipelines('?ref=main')).map((p) => p.id)));
      const canceled = await t.api('POST', `/projects/${project.id}/pipelines/${latest.body.id}/cancel`);
      assert.deepEqual([canceled.status, canceled.body.status], [201, 'canceled']);
      const retried = await t.api('POST', `/projects/${project.id}/pipelines/${latest.body.id}/retry`);
      assert.deepEqual([retried.status, retried.body.status], [201, 'pending']);
      const missing = await t.api('GET', `/projects/${project.id}/pipelines/999999`);
      assert.deepEqual([missing.status, missing.body], [404, { message: '404 Not found' }]);
      const deleted = await t.api('DELETE', `/projects/${project.id}/pipelines/${latest.body.id}`);
      assert.equal(deleted.status, 204);
      assert.equal((await t.api('GET', `/projects/${project.id}/pipelines/${latest.body.id}`)).status, 404);
    });

    it('gives pipelines created at the same time in one project distinct iids', async () => {
      // Two creations read the same max(iid) on PostgreSQL: the loser's insert broke the unique index (500).
      const created = await Promise.all(Array.from({ length: 8 }, () => t.api('POST', `/projects/${project.id}/pipeline`, { body: { ref: 'main' } })));
      assert.deepEqual(created.map((r) => r.status), Array(8).fill(201), created.map((r) => r.text).join('\n'));
      const iids = created.map((r) => r.body.iid);
      assert.equal(new Set(iids).size, 8, `iids ${iids}`);
    });

    it('reads a leap second in updated_after/updated_before as :59, as Ruby DateTime does, and refuses impossible dates', async () => {
      // RFC 3339 allows `23:59:60`, which JavaScript's Date cannot hold: this was a 500.
      const all = (await pipelines()).map((p) => p.id);
      for (const [query, expected] of [
        ['?updated_after=2016-12-31T23:59:60Z', all],
        ['?updated_after=2016-12-31T18:59:60-05:00', all],
        ['?updated_before=2016-12-31T23:59:60Z', []],
      ] as const) {
        const res = await t.api('GET', `/projects/${project.id}/pipelines${query}`);
        assert.equal(res.status, 200, `${query}: ${res.text}`);
        assert.deepEqual(res.body.map((p: any) => p.id), expected, query);
      }
      const impossible = await t.api('GET', `/projects/${project.id}/pipelines?updated_after=2024-02-30T00:00:00Z`);
      assert.deepEqual([impossible.status, impossible.body], [400, { error: 'updated_after is invalid' }]);
    });

    it('serves commits, branches, tags and raw files of the repository', async () => {
      await tree.git(['tag', 'v1.0']);
      assert.equal((await tree.git(['push', remote, 'v1.0'])).code, 0);
      const head = (await tree.git(['rev-parse', 'HEAD'])).stdout.trim();
      const commit = await t.api('GET', `/projects/${project.id}/repository/commits/${head}`);
      assert.equal(commit.body.id, head);
      assert.equal(commit.body.short_id, head.slice(0, 8));
      const branches = await t.api('GET', `/projects/${project.id}/repository/branches`);
      assert.ok(branches.body.some((b: any) => b.name === 'main' && b.default === true));
      const tags = await t.api('GET', `/projects/${project.id}/repository/tags`);
      assert.deepEqual(tags.body.map((x: any) => x.name), ['v1.0']);
      const raw = await fetch(`${t.apiUrl}/projects/${project.id}/repository/files/.gitlab-ci.yml/raw?ref=main`, { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } });
      assert.equal(await raw.text(), CONFIG);
      const lint = await t.api('GET', `/projects/${project.id}/ci/lint`);
      assert.equal(lint.body.valid, true, JSON.stringify(lint.body.errors));
      const commitsByRef = await t.api('GET', `/projects/${project.id}/repository/commits?ref_name=main&per_page=2`);
      assert.equal(commitsByRef.body.length, 2);
    });

    it('works with python-gitlab and gitbeaker', async () => {
      const script = `
import json, os, gitlab
gl = gitlab.Gitlab(os.environ["URL"], private_token=os.environ["TOKEN"])
p = gl.projects.get(int(os.environ["PROJECT"]))
created = p.pipelines.create({"ref": "main", "variables": [{"key": "PY", "value": "1"}]})
listed = p.pipelines.list(ref="main", source="api", get_all=True)
latest = gl.http_get(f"/projects/{p.id}/pipelines/latest", query_data={"ref": "main"})
created.cancel()
created.retry()
again = p.pipelines.get(created.id)
variables = [v.key for v in again.variables.list()]
again.delete()
print(json.dumps({"source": created.source, "listed": any(x.id == created.id for x in listed), "latest": latest["id"], "id": created.id, "vars": variables}))
`;
      const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...process.env, URL: t.url, TOKEN: ROOT_TOKEN, PROJECT: String(project.id) } });
      const out = JSON.parse(stdout.trim());
      assert.deepEqual([out.source, out.listed, out.latest, out.vars], ['api', true, out.id, ['PY']]);

      const api = new Gitlab({ host: t.url, token: ROOT_TOKEN });
      const pipeline = await api.Pipelines.create(project.id, 'main', { variables: [{ key: 'GB', value: '2' }] });
      assert.equal(pipeline.source, 'api');
      const listed = await api.Pipelines.all(project.id, { ref: 'main', status: 'pending' });
      assert.ok(listed.some((p) => p.id === pipeline.id));
      const latest = await api.Pipelines.showLatest(project.id, { ref: 'main' } as never);
      assert.equal(latest.id, pipeline.id);
      assert.equal((await api.Pipelines.cancel(project.id, pipeline.id)).status, 'canceled');
      assert.equal((await api.Pipelines.retry(project.id, pipeline.id)).status, 'pending');
      await api.Pipelines.remove(project.id, pipeline.id);
    });
  });
}
