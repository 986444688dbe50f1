// Client compatibility: the Debian python3-gitlab 3.12 library and CLI against a real server.
//
// Each dialect gets its own server with 250 bulk projects made in `before`; one Python script then
// drives the library (auth, groups, projects, users, members, offset/keyset listing, errors) and
// prints a JSON report that the tests below check step by step. The CLI runs separately.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DIALECTS } from '../helpers/databases.js';
import { createGroup, unique } from '../helpers/fixtures.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const PYTHON = '/usr/bin/python3';
const BULK_PROJECTS = 250;
const run = promisify(execFile);

interface RecordedRequest {
  method: string;
  url: string;
  status: number;
}

interface StepResult {
  ok: boolean;
  value?: any;
  error?: string;
  traceback?: string;
  warnings: string[];
  requests: RecordedRequest[];
}

interface ScriptReport {
  python_gitlab: string;
  steps: Record<string, StepResult>;
}

const SCRIPT = String.raw`
import json, os, traceback, warnings
import gitlab

URL = os.environ["CONVEYOR_URL"]
TOKEN = os.environ["CONVEYOR_TOKEN"]
SUFFIX = os.environ["CONVEYOR_SUFFIX"]

report = {"python_gitlab": gitlab.__version__, "steps": {}}
log = []
state = {}


def record(response, *args, **kwargs):
    log.append({"method": response.request.method, "url": response.request.url, "status": response.status_code})


def client(token):
    gl = gitlab.Gitlab(URL, private_token=token)
    gl.session.hooks["response"].append(record)
    return gl


def step(name, fn):
    start = len(log)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = {"ok": True, "value": fn()}
        except Exception as e:  # reported to the TypeScript side, which asserts on it
            result = {"ok": False, "error": "%s: %s" % (type(e).__name__, e), "traceback": traceback.format_exc()}
    result["warnings"] = ["%s: %s" % (w.category.__name__, w.message) for w in caught]
    result["requests"] = log[start:]
    report["steps"][name] = result


def auth():
    gl = state["gl"] = client(TOKEN)
    gl.auth()
    u = gl.user
    return {"id": u.id, "username": u.username, "is_admin": u.is_admin, "web_url": u.web_url}


def version():
    return list(state["gl"].version())


def setup():
    gl = state["gl"]
    group = gl.groups.create({"name": "Compat " + SUFFIX, "path": "compat-" + SUFFIX})
    sub = gl.groups.create({"name": "Sub", "path": "sub", "parent_id": group.id})
    project = gl.projects.create({"name": "Python Project", "path": "python-project", "namespace_id": sub.id})
    user = gl.users.create({
        "username": "py-" + SUFFIX, "name": "Py User", "email": "py-%s@example.com" % SUFFIX,
        "password": "a-long-password-1234",
    })
    member = project.members.create({"user_id": user.id, "access_level": 30})
    state.update(group=group, sub=sub, project=project, user=user)
    return {
        "group": {"id": group.id, "full_path": group.full_path, "parent_id": group.parent_id},
        "sub": {"id": sub.id, "full_path": sub.full_path, "parent_id": sub.parent_id},
        "project": {"id": project.id, "path_with_namespace": project.path_with_namespace, "namespace_id": project.namespace["id"]},
        "user": {"id": user.id, "username": user.username},
        "member": {"id": member.id, "username": member.username, "access_level": member.access_level},
    }


def get_by_path():
    gl = state["gl"]
    full = state["project"].path_with_namespace
    p = gl.projects.get(full)
    lazy_members = gl.projects.get(full, lazy=True).members.list(get_all=True)
    statistics = gl.projects.get(p.id, statistics=True).statistics
    return {"id": p.id, "path_with_namespace": p.path_with_namespace, "lazy_member_ids": [m.id for m in lazy_members], "statistics": statistics}


def members():
    project = state["project"]
    direct = project.members.list(get_all=True)
    inherited = project.members_all.list(get_all=True)
    one = project.members.get(state["user"].id)
    return {
        "direct": [{"id": m.id, "username": m.username, "access_level": m.access_level} for m in direct],
        "all": [{"id": m.id, "username": m.username, "access_level": m.access_level} for m in inherited],
        "get": {"id": one.id, "access_level": one.access_level},
    }


def list_iterator():
    gen = state["gl"].projects.list(iterator=True, per_page=50)
    first = {"total": gen.total, "total_pages": gen.total_pages, "per_page": gen.per_page,
             "current_page": gen.current_page, "next_page": gen.next_page, "prev_page": gen.prev_page, "len": len(gen)}
    ids = [p.id for p in gen]
    return {"first_page": first, "ids": ids, "last_page": {"current_page": gen.current_page, "next_page": gen.next_page}}


def list_get_all():
    return {"ids": [p.id for p in state["gl"].projects.list(get_all=True, per_page=100)]}


def list_one_page():
    return {"ids": [p.id for p in state["gl"].projects.list(page=2, per_page=20)]}


def list_keyset():
    gen = state["gl"].projects.list(pagination="keyset", order_by="id", sort="asc", per_page=40, iterator=True)
    return {"ids": [p.id for p in gen]}


def errors():
    gl = state["gl"]
    out = {}
    try:
        gl.projects.get(999999)
        out["missing"] = None
    except gitlab.exceptions.GitlabGetError as e:
        out["missing"] = {"type": type(e).__name__, "response_code": e.response_code, "error_message": str(e.error_message)}
    try:
        gl.groups.create({"name": "dup", "path": state["group"].path})
        out["duplicate_group"] = None
    except gitlab.exceptions.GitlabCreateError as e:
        out["duplicate_group"] = {"type": type(e).__name__, "response_code": e.response_code, "error_message": str(e.error_message)}
    bad = client("glpat-this-token-does-not-exist")
    try:
        bad.auth()
        out["bad_token"] = None
    except gitlab.exceptions.GitlabAuthenticationError as e:
        out["bad_token"] = {"type": type(e).__name__, "response_code": e.response_code, "error_message": str(e.error_message)}
    return out


for name, fn in [("auth", auth), ("version", version), ("setup", setup), ("get_by_path", get_by_path),
                 ("members", members), ("list_iterator", list_iterator), ("list_get_all", list_get_all),
                 ("list_one_page", list_one_page), ("list_keyset", list_keyset), ("errors", errors)]:
    step(name, fn)

print(json.dumps(report))
`;

/** A clean environment: no proxies, no user or system python-gitlab config, no stray GITLAB_* vars. */
function pythonEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

async function createBulkProjects(t: TestServer, count: number): Promise<number[]> {
  const group = await createGroup(t, { name: 'Bulk', path: unique('bulk') });
  const ids: number[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await t.api('POST', '/projects', { body: { name: `bulk-${String(i).padStart(3, '0')}`, namespace_id: group.id } });
      assert.equal(res.status, 201, res.text);
      ids[i] = res.body.id;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

function assertStep(report: ScriptReport, name: string): any {
  const result = report.steps[name];
  assert.ok(result, `step ${name} did not run`);
  assert.ok(result.ok, `python step ${name} failed: ${result.error}\n${result.traceback ?? ''}`);
  assert.deepEqual(result.warnings, [], `python step ${name} raised warnings`);
  return result.value;
}

function assertCompleteAndDistinct(ids: number[], expected: Set<number>, label: string) {
  assert.equal(new Set(ids).size, ids.length, `${label}: duplicate ids`);
  assert.equal(ids.length, expected.size, `${label}: expected ${expected.size} projects, got ${ids.length}`);
  const missing = [...expected].filter((id) => !ids.includes(id));
  assert.deepEqual(missing, [], `${label}: missing ids`);
}

const isDescending = (ids: number[]) => ids.every((id, i) => i === 0 || ids[i - 1] > id);
const isAscending = (ids: number[]) => ids.every((id, i) => i === 0 || ids[i - 1] < id);

for (const dialect of DIALECTS) {
  describe(`python-gitlab 3.12 compatibility (${dialect})`, () => {
    let t: TestServer;
    let home: string;
    let bulkIds: number[];
    let report: ScriptReport;
    let expected: Set<number>;
    const suffix = unique('py').toLowerCase();

    before(async () => {
      t = await startTestServer(dialect);
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-pygitlab-'));
      bulkIds = await createBulkProjects(t, BULK_PROJECTS);
      const script = path.join(home, 'flow.py');
      fs.writeFileSync(script, SCRIPT);
      const { stdout } = await run(PYTHON, [script], {
        env: pythonEnv(home, { CONVEYOR_URL: t.url, CONVEYOR_TOKEN: ROOT_TOKEN, CONVEYOR_SUFFIX: suffix }),
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      report = JSON.parse(stdout) as ScriptReport;
      const created = report.steps.setup?.value?.project?.id;
      expected = new Set([...bulkIds, ...(typeof created === 'number' ? [created] : [])]);
    });
    after(async () => {
      await t?.close();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it('runs the Debian python-gitlab 3.12', () => {
      assert.equal(report.python_gitlab, '3.12.0');
    });

    it('gl.auth() loads root without a "base URL differs" warning', () => {
      const user = assertStep(report, 'auth');
      assert.equal(user.username, 'root');
      assert.equal(user.is_admin, true);
      assert.equal(user.web_url, `${t.url}/root`);
      assert.deepEqual(report.steps.auth.requests.map((r) => [r.method, r.url, r.status]), [['GET', `${t.apiUrl}/user`, 200]]);
    });

    it('gl.version() returns the server version and revision', () => {
      const [version, revision] = assertStep(report, 'version');
      assert.match(version, /^\d+\.\d+\.\d+/);
      assert.notEqual(version, 'unknown');
      assert.equal(typeof revision, 'string');
      assert.notEqual(revision, 'unknown');
    });

    it('creates a group, a subgroup, a project in it, a user and a project member', () => {
      const made = assertStep(report, 'setup');
      assert.equal(made.group.full_path, `compat-${suffix}`);
      assert.equal(made.group.parent_id, null);
      assert.equal(made.sub.full_path, `compat-${suffix}/sub`);
      assert.equal(made.sub.parent_id, made.group.id);
      assert.equal(made.project.path_with_namespace, `compat-${suffix}/sub/python-project`);
      assert.equal(made.project.namespace_id, made.sub.id);
      assert.equal(made.user.username, `py-${suffix}`);
      assert.deepEqual(made.member, { id: made.user.id, username: `py-${suffix}`, access_level: 30 });
      assert.deepEqual(
        report.steps.setup.requests.map((r) => [r.method, r.status]),
        [['POST', 201], ['POST', 201], ['POST', 201], ['POST', 201], ['POST', 201]],
      );
    });

    it('gets a project by its full path string, eagerly and lazily', () => {
      const made = assertStep(report, 'setup');
      const got = assertStep(report, 'get_by_path');
      assert.equal(got.id, made.project.id);
      assert.equal(got.path_with_namespace, made.project.path_with_namespace);
      assert.deepEqual(got.lazy_member_ids, [made.user.id]);
      assert.deepEqual(got.statistics, {
        commit_count: 0, storage_size: 0, repository_size: 0, wiki_size: 0, lfs_objects_size: 0, job_artifacts_size: 0,
        pipeline_artifacts_size: 0, packages_size: 0, snippets_size: 0, uploads_size: 0, container_registry_size: 0,
      }, 'project.statistics of an empty project');
      const encoded = encodeURIComponent(made.project.path_with_namespace);
      assert.equal(report.steps.get_by_path.requests[0].url, `${t.apiUrl}/projects/${encoded}`);
    });

    it('lists direct and inherited members', () => {
      const made = assertStep(report, 'setup');
      const auth = assertStep(report, 'auth');
      const m = assertStep(report, 'members');
      assert.deepEqual(m.direct, [{ id: made.user.id, username: made.user.username, access_level: 30 }]);
      assert.deepEqual(m.get, { id: made.user.id, access_level: 30 });
      // root created both groups, so it owns the project through them: listed once, as Owner.
      const byId = new Map<number, any>(m.all.map((x: any) => [x.id, x]));
      assert.equal(byId.size, m.all.length, 'members/all lists each user once');
      assert.equal(byId.get(made.user.id)?.access_level, 30);
      assert.equal(byId.get(auth.id)?.access_level, 50);
      assert.equal(m.all.length, 2);
    });

    it('iterates every project with iterator=True, per_page=50 (headers, Link next, no duplicates)', () => {
      const listed = assertStep(report, 'list_iterator');
      const total = expected.size;
      assert.deepEqual(listed.first_page, {
        total,
        total_pages: Math.ceil(total / 50),
        per_page: 50,
        current_page: 1,
        next_page: 2,
        prev_page: null,
        len: total,
      });
      assertCompleteAndDistinct(listed.ids, expected, 'iterator=True');
      assert.ok(isDescending(listed.ids), 'default order is created_at desc');
      assert.deepEqual(listed.last_page, { current_page: Math.ceil(total / 50), next_page: null });
      const requests = report.steps.list_iterator.requests;
      assert.equal(requests.length, Math.ceil(total / 50));
      assert.ok(requests.every((r) => r.status === 200 && r.url.startsWith(`${t.apiUrl}/projects?`)), JSON.stringify(requests));
    });

    it('fetches every project with get_all=True, per_page=100', () => {
      const listed = assertStep(report, 'list_get_all');
      assertCompleteAndDistinct(listed.ids, expected, 'get_all=True');
      assert.ok(isDescending(listed.ids));
      assert.equal(report.steps.list_get_all.requests.length, Math.ceil(expected.size / 100));
    });

    it('returns a single page for page=2, per_page=20', () => {
      const listed = assertStep(report, 'list_one_page');
      const all = assertStep(report, 'list_get_all');
      assert.deepEqual(listed.ids, all.ids.slice(20, 40));
      assert.equal(report.steps.list_one_page.requests.length, 1);
    });

    it('walks keyset pages (order_by=id, sort=asc, per_page=40) following Link next', () => {
      const listed = assertStep(report, 'list_keyset');
      assertCompleteAndDistinct(listed.ids, expected, 'keyset');
      assert.ok(isAscending(listed.ids), 'keyset order_by=id sort=asc');
      const requests = report.steps.list_keyset.requests;
      assert.equal(requests.length, Math.ceil(expected.size / 40));
      assert.ok(requests.every((r) => r.status === 200), JSON.stringify(requests));
      assert.ok(requests.every((r) => new URL(r.url).searchParams.get('pagination') === 'keyset'), JSON.stringify(requests));
      assert.ok(requests.every((r) => !new URL(r.url).searchParams.has('page')), 'keyset links carry no page number');
    });

    it('raises GitlabGetError with response_code 404 for an unknown project id', () => {
      const e = assertStep(report, 'errors');
      assert.deepEqual(e.missing, { type: 'GitlabGetError', response_code: 404, error_message: '404 Project Not Found' });
    });

    it('raises GitlabAuthenticationError with response_code 401 from auth() with a bad token', () => {
      const e = assertStep(report, 'errors');
      assert.deepEqual(e.bad_token, { type: 'GitlabAuthenticationError', response_code: 401, error_message: '401 Unauthorized' });
    });

    it('raises GitlabCreateError 400 with GitLab\'s "Failed to save group" message for a taken group path', () => {
      const e = assertStep(report, 'errors');
      assert.equal(e.duplicate_group?.type, 'GitlabCreateError');
      assert.equal(e.duplicate_group?.response_code, 400);
      // GitLab's POST /groups answers render_api_error!("Failed to save group #{group.errors.messages}", 400):
      // {"message":"Failed to save group {:path=>[\"has already been taken\"]}"}, a string clients match on.
      assert.equal(
        e.duplicate_group?.error_message,
        'Failed to save group {:path=>["has already been taken"]}',
        'SERVER BUG: POST /groups with a taken path answers {"message":{"path":["has already been taken"]}} instead of GitLab\'s string message',
      );
    });

    it('the python-gitlab CLI lists and gets projects with flags only and with a config file', async () => {
      const made = assertStep(report, 'setup');
      const env = pythonEnv(home);
      // Flags only: no config file exists under this HOME, and none in /etc on this system.
      const flags = await run(
        PYTHON,
        ['-W', 'error::UserWarning', '-m', 'gitlab', '--server-url', t.url, '--private-token', ROOT_TOKEN, 'project', 'list', '--search', 'python-project'],
        { env, timeout: 30_000 },
      );
      assert.equal(flags.stderr, '');
      assert.match(flags.stdout, new RegExp(`^id: ${made.project.id}$`, 'm'));
      // The legacy printer shows the id and the class's _repr_attr, path_with_namespace for projects.
      assert.match(flags.stdout, new RegExp(`^path_with_namespace: ${made.project.path_with_namespace}$`, 'm'));

      const config = path.join(home, 'python-gitlab.cfg');
      fs.writeFileSync(config, `[global]\ndefault = local\n\n[local]\nurl = ${t.url}\nprivate_token = ${ROOT_TOKEN}\n`);
      const listed = await run(PYTHON, ['-W', 'error::UserWarning', '-m', 'gitlab', '-c', config, '-o', 'json', 'project', 'list', '--get-all', '--per-page', '100'], {
        env,
        timeout: 30_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(listed.stderr, '');
      const projects = JSON.parse(listed.stdout) as Array<{ id: number; path_with_namespace: string }>;
      assertCompleteAndDistinct(projects.map((p) => p.id), expected, 'CLI project list --get-all');
      assert.ok(projects.some((p) => p.path_with_namespace === made.project.path_with_namespace));

      const got = await run(
        PYTHON,
        ['-W', 'error::UserWarning', '-m', 'gitlab', '-c', config, '-o', 'json', 'project', 'get', '--id', made.project.path_with_namespace],
        { env, timeout: 30_000 },
      );
      assert.equal(got.stderr, '');
      assert.equal(JSON.parse(got.stdout).id, made.project.id);

      const missing = await run(PYTHON, ['-m', 'gitlab', '-c', config, 'project', 'get', '--id', '999999'], { env, timeout: 30_000 }).then(
        () => null,
        (err: { code?: number; stderr?: string }) => err,
      );
      assert.ok(missing, 'the CLI exits non-zero for an unknown project');
      assert.match(missing.stderr ?? '', /404/);
    });
  });
}
