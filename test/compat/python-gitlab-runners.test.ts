// Client compatibility: the Debian python3-gitlab 3.12 library against the runner management API.
//
// Each dialect gets its own server with runners of every kind: an instance runner, a group runner, a project
// runner that has run two jobs through the runner protocol (so it has a machine and a job history), and a
// project runner of another project (to assign and unassign). One Python script drives python-gitlab the way
// applications do (gl.runners.list / all / get, runner.save(), runner.jobs.list(), project.runners,
// group.runners, gl.runners_all, deletes and the errors the client raises) and prints a JSON report the tests
// below check step by step.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DIALECTS } from '../helpers/databases.js';
import { createGroup, createProject, createUser } from '../helpers/fixtures.js';
import { pushPipeline } from '../helpers/pipelines.js';
import { createRunner, requestJob, RUNNER_INFO, updateJob } from '../helpers/runners.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);

interface Fixture {
  project_id: number;
  other_project_id: number;
  group_id: number;
  user_token: string;
  runners: Record<'shared' | 'group' | 'project' | 'other' | 'doomed', number>;
  jobs: { success: number; failed: number };
}

interface StepResult {
  ok: boolean;
  value?: any;
  error?: string;
  traceback?: string;
  warnings: string[];
  requests: Array<{ method: string; url: string; status: number; body: string | null }>;
}

const SCRIPT = String.raw`
import json, os, traceback, warnings
import gitlab

URL = os.environ["CONVEYOR_URL"]
FX = json.loads(os.environ["CONVEYOR_FIXTURE"])
R = FX["runners"]

report = {"python_gitlab": gitlab.__version__, "steps": {}}
log = []
state = {}


def record(response, *args, **kwargs):
    body = response.request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    log.append({"method": response.request.method, "url": response.request.url, "status": response.status_code, "body": body})


def step(name, fn):
    start = len(log)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = {"ok": True, "value": fn()}
        except Exception as e:
            result = {"ok": False, "error": "%s: %s" % (type(e).__name__, e), "traceback": traceback.format_exc()}
    result["warnings"] = ["%s: %s" % (w.category.__name__, w.message) for w in caught]
    result["requests"] = log[start:]
    report["steps"][name] = result


def brief(r):
    return {"id": r.id, "description": r.description, "runner_type": r.runner_type, "is_shared": r.is_shared,
            "active": r.active, "paused": r.paused, "status": r.status}


def failure(cls, fn):
    try:
        fn()
    except cls as e:
        return {"type": type(e).__name__, "response_code": e.response_code, "error_message": str(e.error_message)}
    except Exception as e:
        return {"type": type(e).__name__, "unexpected": str(e)}
    return None


def client(token):
    gl = gitlab.Gitlab(URL, private_token=token)
    gl.session.hooks["response"].append(record)
    return gl


def setup():
    gl = state["gl"] = client(os.environ["CONVEYOR_TOKEN"])
    gl.auth()
    state["project"] = gl.projects.get(FX["project_id"])
    return {"user": gl.user.username}


def owned():
    gl = state["gl"]
    return {
        "all": [brief(r) for r in gl.runners.list(get_all=True)],
        "project_type": [r.id for r in gl.runners.list(type="project_type", get_all=True)],
        "tagged": [r.id for r in gl.runners.list(tag_list=["linux"], get_all=True)],
        "active": [r.id for r in gl.runners.list(paused=False, get_all=True)],
        "scope": [r.id for r in gl.runners.list(scope="never_contacted", get_all=True)],
    }


def all_runners():
    gl = state["gl"]
    return {
        "all": [brief(r) for r in gl.runners.all()],
        "shared": [r.id for r in gl.runners.all(scope="shared")],
        "manager": [r.id for r in gl.runners_all.list(type="group_type", get_all=True)],
    }


def get_runner():
    r = state["gl"].runners.get(R["project"])
    return {
        "id": r.id, "description": r.description, "tag_list": r.tag_list, "status": r.status, "online": r.online,
        "version": r.version, "platform": r.platform, "projects": [p["id"] for p in r.projects], "groups": r.groups,
        "keys": sorted(r.attributes.keys()),
    }


def save_runner():
    r = state["gl"].runners.get(R["project"])
    r.description = "renamed by python"
    r.tag_list = ["linux", "docker"]
    r.save()
    saved = {"description": r.description, "tag_list": r.tag_list}
    again = state["gl"].runners.get(R["project"])
    return {"saved": saved, "reloaded": {"description": again.description, "tag_list": again.tag_list}}


def runner_jobs():
    r = state["gl"].runners.get(R["project"], lazy=True)
    jobs = r.jobs.list(get_all=True)
    return {
        "ids": [j.id for j in jobs],
        "failed": [j.id for j in r.jobs.list(status="failed", get_all=True)],
        "project": jobs[0].project if jobs else None,
        "statuses": [j.status for j in jobs],
    }


def job_runner():
    job = state["project"].jobs.get(FX["jobs"]["success"])
    return {"runner": job.runner, "runner_manager": job.runner_manager}


def project_runners():
    p = state["project"]
    before = sorted(r.id for r in p.runners.list(get_all=True))
    created = p.runners.create({"runner_id": R["other"]})
    during = sorted(r.id for r in p.runners.list(get_all=True))
    p.runners.delete(R["other"])
    after = sorted(r.id for r in p.runners.list(get_all=True))
    return {"before": before, "created": {"id": created.id, "description": created.description}, "during": during, "after": after,
            "specific": sorted(r.id for r in p.runners.list(scope="specific", get_all=True))}


def group_runners():
    g = state["gl"].groups.get(FX["group_id"], lazy=True)
    return sorted(r.id for r in g.runners.list(get_all=True))


def delete_runner():
    gl = state["gl"]
    gl.runners.get(R["doomed"]).delete()
    return failure(gitlab.exceptions.GitlabGetError, lambda: gl.runners.get(R["doomed"]))


def errors():
    gl = state["gl"]
    user = client(FX["user_token"])
    return {
        "get_missing": failure(gitlab.exceptions.GitlabGetError, lambda: gl.runners.get(999999)),
        "all_as_user": failure(gitlab.exceptions.GitlabListError, lambda: user.runners.all()),
        "get_as_user": failure(gitlab.exceptions.GitlabGetError, lambda: user.runners.get(R["project"])),
        "bad_type": failure(gitlab.exceptions.GitlabListError, lambda: gl.runners.list(type="bogus", get_all=True)),
        "last_project": failure(gitlab.exceptions.GitlabDeleteError, lambda: state["project"].runners.delete(R["project"])),
        "assign_group_runner": failure(gitlab.exceptions.GitlabCreateError, lambda: state["project"].runners.create({"runner_id": R["group"]})),
        "bad_update": failure(gitlab.exceptions.GitlabUpdateError, lambda: gl.runners.update(R["project"], {"maximum_timeout": 5})),
    }


for name, fn in [("setup", setup), ("owned", owned), ("all", all_runners), ("get", get_runner), ("save", save_runner),
                 ("jobs", runner_jobs), ("job_runner", job_runner), ("project_runners", project_runners),
                 ("group_runners", group_runners), ("delete", delete_runner), ("errors", errors)]:
    step(name, fn)

print(json.dumps(report))
`;

function pythonEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

/** Root owns the group and both projects, so `gl.runners.list()` (owned runners) sees the group and project runners. */
async function buildFixture(t: TestServer): Promise<Fixture> {
  const group = await createGroup(t);
  const project = await createProject(t, { namespace_id: group.id });
  const other = await createProject(t);
  const user = await createUser(t);
  const shared = await createRunner(t, { description: 'Shared runner' });
  const groupRunner = await createRunner(t, { runner_type: 'group_type', group_id: group.id, description: 'Group runner' });
  const projectRunner = await createRunner(t, { runner_type: 'project_type', project_id: project.id, description: 'Project runner', tag_list: ['linux'] });
  const otherRunner = await createRunner(t, { runner_type: 'project_type', project_id: other.id, description: 'Other runner' });
  const doomed = await createRunner(t, { runner_type: 'project_type', project_id: other.id, description: 'Doomed runner', paused: true });
  await pushPipeline(t, project, { '.gitlab-ci.yml': 'ok:\n  tags: [linux]\n  script: a\nbad:\n  tags: [linux]\n  script: b\n' });
  const jobs = { success: 0, failed: 0 };
  for (const state of ['success', 'failed'] as const) {
    const taken = await requestJob(t, projectRunner.token);
    assert.equal(taken.status, 201, taken.text);
    assert.equal((await updateJob(t, taken.body.id, taken.body.token, { state, ...(state === 'failed' ? { failure_reason: 'script_failure' } : {}) })).status, 200);
    jobs[state] = taken.body.id;
  }
  return {
    project_id: project.id,
    other_project_id: other.id,
    group_id: group.id,
    user_token: user.token,
    runners: { shared: shared.id, group: groupRunner.id, project: projectRunner.id, other: otherRunner.id, doomed: doomed.id },
    jobs,
  };
}

for (const dialect of DIALECTS) {
  describe(`python-gitlab 3.12 runners API compatibility (${dialect})`, () => {
    let t: TestServer;
    let home: string;
    let fx: Fixture;
    let steps: Record<string, StepResult>;

    function value(name: string): any {
      const result = steps[name];
      assert.ok(result, `step ${name} did not run`);
      assert.ok(result.ok, `python step ${name} failed: ${result.error}\n${result.traceback ?? ''}`);
      assert.deepEqual(result.warnings, [], `python step ${name} raised warnings`);
      return result.value;
    }

    before(async () => {
      t = await startTestServer(dialect);
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-pygitlab-runners-'));
      fx = await buildFixture(t);
      const script = path.join(home, 'runners.py');
      fs.writeFileSync(script, SCRIPT);
      const { stdout } = await run(PYTHON, [script], {
        env: pythonEnv(home, { CONVEYOR_URL: t.url, CONVEYOR_TOKEN: ROOT_TOKEN, CONVEYOR_FIXTURE: JSON.stringify(fx) }),
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      const report = JSON.parse(stdout);
      assert.equal(report.python_gitlab, '3.12.0');
      steps = report.steps;
    });
    after(async () => {
      await t?.close();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it('authenticates', () => {
      assert.deepEqual(value('setup'), { user: 'root' });
    });

    it('gl.runners.list() answers the owned runners with filters sent as GitLab expects', () => {
      const owned = value('owned');
      const R = fx.runners;
      // Root owns the group (and so its project) and its own namespace's project: every runner but the instance's.
      assert.deepEqual(owned.all.map((r: any) => r.id), [R.group, R.project, R.other, R.doomed]);
      assert.deepEqual(owned.all[1], {
        id: R.project, description: 'Project runner', runner_type: 'project_type', is_shared: false, active: true, paused: false, status: 'online',
      });
      assert.deepEqual(owned.project_type, [R.project, R.other, R.doomed]);
      assert.deepEqual(owned.tagged, [R.project]);
      assert.deepEqual(owned.active, [R.group, R.project, R.other]);
      assert.deepEqual(owned.scope, [R.group, R.other, R.doomed]);
      const urls = steps.owned.requests.map((r) => new URL(r.url));
      assert.equal(urls[2].searchParams.get('tag_list'), 'linux');
      assert.equal(urls[3].searchParams.get('paused'), 'False');
    });

    it('gl.runners.all() and gl.runners_all list every runner for the administrator', () => {
      const all = value('all');
      const R = fx.runners;
      assert.deepEqual(all.all.map((r: any) => r.id), [R.shared, R.group, R.project, R.other, R.doomed]);
      assert.deepEqual(all.all[0], { id: R.shared, description: 'Shared runner', runner_type: 'instance_type', is_shared: true, active: true, paused: false, status: 'never_contacted' });
      assert.equal(all.all[4].status, 'never_contacted');
      assert.deepEqual(all.shared, [R.shared]);
      assert.deepEqual(all.manager, [R.group]);
      assert.equal(new URL(steps.all.requests[1].url).searchParams.get('scope'), 'shared');
    });

    it('gl.runners.get(id) shows RunnerDetails with the machine\'s facts and the runner\'s projects', () => {
      const got = value('get');
      assert.deepEqual(
        { ...got, keys: undefined },
        {
          id: fx.runners.project, description: 'Project runner', tag_list: ['linux'], status: 'online', online: true,
          version: RUNNER_INFO.version, platform: 'linux', projects: [fx.project_id], groups: [], keys: undefined,
        },
      );
      assert.deepEqual(got.keys, [
        'access_level', 'active', 'architecture', 'contacted_at', 'description', 'groups', 'id', 'ip_address', 'is_shared', 'locked',
        'maintenance_note', 'maximum_timeout', 'name', 'online', 'paused', 'platform', 'projects', 'revision', 'run_untagged',
        'runner_type', 'status', 'tag_list', 'version',
      ]);
    });

    it('runner.save() sends the changed description and tag_list (a JSON array) with PUT', () => {
      const saved = value('save');
      assert.deepEqual(saved.saved, { description: 'renamed by python', tag_list: ['docker', 'linux'] });
      assert.deepEqual(saved.reloaded, saved.saved);
      const put = steps.save.requests.find((r) => r.method === 'PUT');
      assert.ok(put, JSON.stringify(steps.save.requests));
      assert.equal(put.status, 200);
      assert.deepEqual(JSON.parse(put.body!), { description: 'renamed by python', tag_list: ['linux', 'docker'] });
    });

    it('runner.jobs.list() answers the runner\'s jobs with their project, filtered by status', () => {
      const jobs = value('jobs');
      assert.deepEqual(jobs.ids, [fx.jobs.success, fx.jobs.failed]);
      assert.deepEqual(jobs.statuses, ['success', 'failed']);
      assert.deepEqual(jobs.failed, [fx.jobs.failed]);
      assert.equal(jobs.project.id, fx.project_id);
      assert.deepEqual(Object.keys(jobs.project).sort(), ['created_at', 'description', 'id', 'name', 'name_with_namespace', 'path', 'path_with_namespace']);
    });

    it('project.jobs.get(id) shows the runner and machine that ran the job', () => {
      const { runner, runner_manager: manager } = value('job_runner');
      assert.deepEqual(
        { id: runner.id, runner_type: runner.runner_type, is_shared: runner.is_shared, ip_address: runner.ip_address, online: runner.online },
        { id: fx.runners.project, runner_type: 'project_type', is_shared: false, ip_address: null, online: true },
      );
      assert.deepEqual([manager.system_id, manager.version, manager.status], ['s_0123456789ab', RUNNER_INFO.version, 'online']);
    });

    it('project.runners.list/create/delete assign and unassign another project\'s runner', () => {
      const R = fx.runners;
      const result = value('project_runners');
      assert.deepEqual(result.before, [R.shared, R.group, R.project].sort((a, b) => a - b));
      assert.deepEqual(result.created, { id: R.other, description: 'Other runner' });
      assert.deepEqual(result.during, [R.shared, R.group, R.project, R.other].sort((a, b) => a - b));
      assert.deepEqual(result.after, result.before);
      assert.deepEqual(result.specific, [R.group, R.project]);
      const statuses = steps.project_runners.requests.map((r) => [r.method, r.status]);
      assert.deepEqual(statuses.filter(([m]) => m !== 'GET'), [['POST', 201], ['DELETE', 204]]);
      const post = steps.project_runners.requests.find((r) => r.method === 'POST')!;
      assert.deepEqual(JSON.parse(post.body!), { runner_id: R.other });
    });

    it('group.runners.list() answers the group\'s and the instance\'s runners', () => {
      assert.deepEqual(value('group_runners'), [fx.runners.shared, fx.runners.group]);
    });

    it('runner.delete() removes the runner', () => {
      assert.deepEqual(value('delete'), { type: 'GitlabGetError', response_code: 404, error_message: '404 Not found' });
      assert.deepEqual(steps.delete.requests.map((r) => [r.method, r.status]), [['GET', 200], ['DELETE', 204], ['GET', 404]]);
    });

    it('raises the client\'s errors with GitLab\'s codes and messages', () => {
      assert.deepEqual(value('errors'), {
        get_missing: { type: 'GitlabGetError', response_code: 404, error_message: '404 Not found' },
        all_as_user: { type: 'GitlabListError', response_code: 403, error_message: '403 Forbidden' },
        get_as_user: { type: 'GitlabGetError', response_code: 403, error_message: '403 Forbidden - No access granted' },
        bad_type: { type: 'GitlabListError', response_code: 400, error_message: 'type does not have a valid value' },
        last_project: {
          type: 'GitlabDeleteError', response_code: 403, error_message: '403 Forbidden - Only one project associated with the runner. Please remove the runner instead',
        },
        assign_group_runner: { type: 'GitlabCreateError', response_code: 403, error_message: '403 Forbidden - Runner is a group runner' },
        bad_update: { type: 'GitlabUpdateError', response_code: 400, error_message: "{'maximum_timeout': ['needs to be at least 10 minutes']}" },
      });
    });
  });
}
