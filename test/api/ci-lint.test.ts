import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createProject, createUser } from '../helpers/fixtures.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';
import { CASES_DIR, loadCorpus } from '../ci-config/corpus.js';
import { gitUrl, WorkTree } from '../helpers/git.js';

const run = promisify(execFile);

const CONFIG = `
stages: [build, test]
compile:
  stage: build
  script: make
  tags: [docker]
unit:
  stage: test
  before_script: [setup]
  script: [make test]
  needs: [compile]
  environment: review
deploy:
  stage: test
  script: deploy
  when: manual
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
`;

/** Corpus cases that lint can replay: no extra files and the default push-to-main context. */
function replayable(name: string): boolean {
  const dir = path.join(CASES_DIR, name);
  return !fs.existsSync(path.join(dir, 'files')) && !fs.existsSync(path.join(dir, 'context.json'));
}

for (const dialect of DIALECTS) {
  describe(`CI Lint API (${dialect})`, () => {
    let t: TestServer;
    let project: any;
    before(async () => {
      t = await startTestServer(dialect);
      project = await createProject(t, { default_branch: 'main' });
    });
    after(() => t.close());

    it('validates content statically with GitLab fields', async () => {
      const res = await t.api('POST', `/projects/${project.id}/ci/lint`, { body: { content: CONFIG, include_jobs: true } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const body = res.body;
      assert.deepEqual(Object.keys(body), ['valid', 'errors', 'warnings', 'merged_yaml', 'includes', 'jobs']);
      assert.equal(body.valid, true);
      assert.deepEqual(body.errors, []);
      assert.match(body.merged_yaml, /compile:/);
      assert.deepEqual(body.includes, []);
      assert.deepEqual(body.jobs.map((j: any) => j.name), ['compile', 'unit', 'deploy']);
      assert.deepEqual(body.jobs[0], {
        name: 'compile', stage: 'build', before_script: [], script: ['make'], after_script: [], tag_list: ['docker'],
        only: { refs: ['branches', 'tags'] }, except: null, environment: null, when: 'on_success', allow_failure: false, needs: null,
      });
      assert.deepEqual(body.jobs[1].needs, [{ name: 'compile', artifacts: true, optional: false }]);
      assert.equal(body.jobs[1].environment, 'review');
      assert.equal(body.jobs[2].only, undefined, 'jobs with rules have no only/except');
      const noJobs = await t.api('POST', `/projects/${project.id}/ci/lint`, { body: { content: CONFIG } });
      assert.equal(noJobs.body.jobs, undefined);
    });

    it('reports every error and applies rules on a dry run', async () => {
      const invalid = await t.api('POST', `/projects/${project.id}/ci/lint`, { body: { content: 'a:\n  script: 1\n  nope: 2\nb:\n  script: x\n  retry: 7\n' } });
      assert.equal(invalid.status, 200);
      assert.equal(invalid.body.valid, false);
      assert.ok(invalid.body.errors.length >= 2, JSON.stringify(invalid.body.errors));
      assert.equal(invalid.body.merged_yaml, null);
      const dry = await t.api('POST', `/projects/${project.id}/ci/lint`, { body: { content: CONFIG, dry_run: true, ref: 'feature', include_jobs: true } });
      assert.deepEqual(dry.body.jobs.map((j: any) => j.name), ['compile', 'unit'], 'the main-only job is left out on another ref');
      const filtered = await t.api('POST', `/projects/${project.id}/ci/lint`, {
        body: { content: 'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\nj:\n  script: x\n', dry_run: true },
      });
      assert.deepEqual([filtered.body.valid, filtered.body.errors], [false, ['Pipeline filtered out by workflow rules.']]);
      const empty = await t.api('POST', `/projects/${project.id}/ci/lint`, { body: { content: '' } });
      assert.deepEqual(empty.body.errors, ['Please provide content of .gitlab-ci.yml']);
      const missing = await t.api('POST', `/projects/${project.id}/ci/lint`, { body: {} });
      assert.deepEqual([missing.status, missing.body], [400, { error: 'content is missing' }]);
    });

    it('needs Developer rights to lint content, Reporter to read the stored config', async () => {
      const reporter = await createUser(t);
      const developer = await createUser(t);
      await addMember(t, project.id, reporter.id, 20);
      await addMember(t, project.id, developer.id, 30);
      const body = { content: 'j:\n  script: x\n' };
      assert.equal((await t.api('POST', `/projects/${project.id}/ci/lint`, { token: developer.token, body })).status, 200);
      assert.deepEqual((await t.api('POST', `/projects/${project.id}/ci/lint`, { token: reporter.token, body })).body, { message: '403 Forbidden' });
      assert.equal((await t.api('POST', `/projects/${project.id}/ci/lint`, { token: null, body })).status, 401);
      const outsider = await createUser(t);
      assert.equal((await t.api('POST', `/projects/${project.id}/ci/lint`, { token: outsider.token, body })).status, 404);
      const stored = await t.api('GET', `/projects/${project.id}/ci/lint`, { token: reporter.token });
      assert.equal(stored.status, 200);
      assert.deepEqual([stored.body.valid, stored.body.errors], [false, ['Please provide content of .gitlab-ci.yml']]);
    });

    it('answers the corpus over HTTP with the compiler\'s results', async () => {
      const cases = loadCorpus().filter((c) => replayable(c.name));
      assert.ok(cases.length > 0);
      for (const c of cases) {
        const res = await t.api('POST', `/projects/${project.id}/ci/lint`, { body: { content: c.config, dry_run: true, include_jobs: true, ref: 'main' } });
        assert.equal(res.status, 200, c.name);
        if (c.expected.status === 'invalid') {
          assert.deepEqual([res.body.valid, res.body.errors], [false, c.expected.errors], c.name);
        } else if (c.expected.status === 'filtered') {
          assert.deepEqual(res.body.errors, ['Pipeline filtered out by workflow rules.'], c.name);
        } else {
          assert.equal(res.body.valid, true, `${c.name}: ${JSON.stringify(res.body.errors)}`);
          assert.deepEqual(res.body.jobs.map((j: any) => j.name), c.expected.jobs.map((j) => j.name), c.name);
        }
      }
    });

    it('answers the corpus cases that read other files, from a pushed repository', async () => {
      const cases = loadCorpus().filter((c) => Object.keys(c.files).length > 0 && !fs.existsSync(path.join(CASES_DIR, c.name, 'context.json')));
      assert.ok(cases.length > 0);
      for (const c of cases) {
        const target = await createProject(t);
        const tree = await WorkTree.create();
        for (const [file, content] of Object.entries({ ...c.files, '.gitlab-ci.yml': c.config })) await tree.commit(file, content);
        const push = await tree.git(['push', '-o', 'ci.skip', gitUrl(t.url, target.path_with_namespace, { username: 'root', token: ROOT_TOKEN }), 'HEAD:main']);
        tree.remove();
        assert.equal(push.code, 0, push.stderr);
        const res = await t.api('POST', `/projects/${target.id}/ci/lint`, { body: { content: c.config, dry_run: true, include_jobs: true, ref: 'main' } });
        if (c.expected.status === 'invalid') assert.deepEqual([res.body.valid, res.body.errors], [false, c.expected.errors], c.name);
        else if (c.expected.status === 'filtered') assert.deepEqual(res.body.errors, ['Pipeline filtered out by workflow rules.'], c.name);
        else assert.deepEqual(res.body.jobs?.map((j: any) => j.name), c.expected.jobs.map((j) => j.name), `${c.name}: ${JSON.stringify(res.body.errors)}`);
      }
    });

    it('works with python-gitlab project.ci_lint', async () => {
      const script = `
import json, os, gitlab
gl = gitlab.Gitlab(os.environ["URL"], private_token=os.environ["TOKEN"])
project = gl.projects.get(int(os.environ["PROJECT"]))
good = project.ci_lint.create({"content": "j:\\n  script: echo hi\\n", "include_jobs": True})
bad = project.ci_lint.create({"content": "j:\\n  scrip: x\\n"})
stored = project.ci_lint.get()
print(json.dumps({"good": [good.valid, [j["name"] for j in good.jobs]], "bad": [bad.valid, bad.errors], "stored": stored.valid}))
`;
      const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...process.env, URL: t.url, TOKEN: ROOT_TOKEN, PROJECT: String(project.id) } });
      const out = JSON.parse(stdout.trim().split('\n').pop()!);
      assert.deepEqual(out.good, [true, ['j']]);
      assert.equal(out.bad[0], false);
      assert.ok(out.bad[1].length > 0);
      assert.equal(out.stored, false);
    });
  });
}
