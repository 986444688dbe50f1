// Client compatibility: the Debian python3-gitlab 3.12 library and CLI against the Jobs API.
//
// Each dialect gets its own server with one real pushed pipeline whose jobs are driven, as a runner
// would, into every state a client meets: success (with an artifact row, so it can be erased),
// running, failed, pending, manual, a bridge, and a failed job retried once (so the pipeline holds a
// retried job and its pending clone). One Python script, run under `-W error::UserWarning`, then
// drives python-gitlab (lists with scope as a string and a list, iterator=True, get_all=True, keyset,
// get, trace, cancel, retry, erase, play, pipeline jobs and bridges, and the errors it raises) and
// prints a JSON report the tests below check step by step. Lists run before the actions, so what
// they return is known from the fixture. The `gitlab` CLI runs separately, after the script.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ServiceContext } from '../../src/services/context.js';
import { finishJob, startJob } from '../../src/services/pipelines/job-lifecycle.js';
import type { Job } from '../../src/store/jobs-repository.js';
import { DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline, runJob } from '../helpers/pipelines.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);

// Everything in `build` runs at once; `deploy` is manual and needs nothing; the bridge waits for
// `build`, which never completes here (a job stays pending), so it stays `created`.
const CI_CONFIG = `
stages: [build, deploy]
lint:
  stage: build
  script: lint
compile:
  stage: build
  tags: [linux, docker]
  script: make
unit:
  stage: build
  script: make test
queue:
  stage: build
  script: wait
flaky:
  stage: build
  script: sometimes
deploy:
  stage: deploy
  needs: []
  when: manual
  script: deploy
downstream:
  stage: deploy
  trigger:
    include: ci/child.yml
`;

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

interface Fixture {
  project_id: number;
  project_path: string;
  pipeline_id: number;
  /** Job ids by name; `flaky` is the pending clone, `flaky_retried` the failed original. */
  jobs: Record<'lint' | 'compile' | 'unit' | 'queue' | 'flaky' | 'flaky_retried' | 'deploy' | 'downstream', number>;
}

const SCRIPT = String.raw`
import json, os, traceback, warnings
import gitlab

URL = os.environ["CONVEYOR_URL"]
TOKEN = os.environ["CONVEYOR_TOKEN"]
FX = json.loads(os.environ["CONVEYOR_FIXTURE"])
J = FX["jobs"]

report = {"python_gitlab": gitlab.__version__, "steps": {}}
log = []
state = {}


def record(response, *args, **kwargs):
    log.append({"method": response.request.method, "url": response.request.url, "status": response.status_code})


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


def brief(job):
    return {"id": job.id, "name": job.name, "status": job.status}


def failure(e):
    return {"type": type(e).__name__, "response_code": e.response_code, "error_message": str(e.error_message)}


def expect_error(cls, fn):
    try:
        fn()
    except cls as e:
        return failure(e)
    except Exception as e:
        return {"type": type(e).__name__, "unexpected": str(e)}
    return None


def setup():
    gl = state["gl"] = gitlab.Gitlab(URL, private_token=TOKEN)
    gl.session.hooks["response"].append(record)
    gl.auth()
    project = state["project"] = gl.projects.get(FX["project_id"])
    return {"id": project.id, "path_with_namespace": project.path_with_namespace}


def list_default():
    jobs = state["project"].jobs.list()
    return [brief(j) for j in jobs]


def list_scope_string():
    return [brief(j) for j in state["project"].jobs.list(scope="failed", get_all=True)]


def list_scope_list():
    return [brief(j) for j in state["project"].jobs.list(scope=["pending", "running"], get_all=True)]


def list_iterator():
    gen = state["project"].jobs.list(iterator=True, per_page=2)
    first = {"total": gen.total, "total_pages": gen.total_pages, "per_page": gen.per_page,
             "current_page": gen.current_page, "next_page": gen.next_page, "prev_page": gen.prev_page, "len": len(gen)}
    ids = [j.id for j in gen]
    return {"first_page": first, "ids": ids, "last_page": {"current_page": gen.current_page, "next_page": gen.next_page}}


def list_get_all():
    return {"ids": [j.id for j in state["project"].jobs.list(get_all=True, per_page=3)]}


def list_keyset():
    gen = state["project"].jobs.list(pagination="keyset", order_by="id", sort="desc", per_page=2, iterator=True)
    return {"ids": [j.id for j in gen]}


def list_keyset_scoped():
    jobs = state["project"].jobs.list(pagination="keyset", order_by="id", sort="desc", per_page=1, scope=["failed", "manual"], get_all=True)
    return {"ids": [j.id for j in jobs]}


def get_job():
    job = state["project"].jobs.get(J["compile"])
    lazy_project = state["gl"].projects.get(FX["project_path"], lazy=True)
    by_path = lazy_project.jobs.get(J["compile"])
    return {
        "id": job.id, "name": job.name, "status": job.status, "stage": job.stage, "ref": job.ref,
        "pipeline": {"id": job.pipeline["id"], "project_id": job.pipeline["project_id"]},
        "tag_list": job.tag_list, "web_url": job.web_url, "user": job.user["username"],
        "by_path": {"id": by_path.id, "status": by_path.status},
    }


def trace():
    job = state["project"].jobs.get(J["compile"])
    data = job.trace()
    lazy = state["project"].jobs.get(J["queue"], lazy=True).trace()
    return {"type": type(data).__name__, "text": data.decode("utf-8"), "lazy_type": type(lazy).__name__, "lazy_text": lazy.decode("utf-8")}


def pipeline_jobs():
    pipeline = state["project"].pipelines.get(FX["pipeline_id"])
    return {
        "project_id": pipeline.project_id,
        "latest": [brief(j) for j in pipeline.jobs.list(get_all=True)],
        "with_retried": [brief(j) for j in pipeline.jobs.list(include_retried=True, get_all=True)],
        "scope_string": [brief(j) for j in pipeline.jobs.list(scope="failed", get_all=True)],
        "scope_list": [brief(j) for j in pipeline.jobs.list(scope=["pending", "manual"], get_all=True)],
        "bridges": [dict(brief(b), downstream_pipeline=b.downstream_pipeline) for b in pipeline.bridges.list(get_all=True)],
    }


def cancel():
    job = state["project"].jobs.get(J["compile"])
    result = job.cancel()
    job.refresh()
    return {"returned_type": type(result).__name__, "returned": {"id": result["id"], "status": result["status"]} if isinstance(result, dict) else None,
            "refreshed": job.status, "finished_at": job.finished_at}


def retry():
    job = state["project"].jobs.get(J["unit"])
    result = job.retry()
    return {"returned_type": type(result).__name__,
            "returned": {"id": result["id"], "name": result["name"], "status": result["status"]} if isinstance(result, dict) else None}


def erase():
    job = state["project"].jobs.get(J["lint"])
    before = {"artifacts": job.attributes.get("artifacts"), "artifacts_file": job.attributes.get("artifacts_file"), "erased_at": job.erased_at}
    returned = job.erase()
    after = state["project"].jobs.get(J["lint"])
    return {"before": before, "returned": returned,
            "after": {"status": after.status, "erased_at": after.erased_at, "artifacts": after.attributes.get("artifacts"),
                      "artifacts_file": after.attributes.get("artifacts_file")}}


def play():
    job = state["project"].jobs.get(J["deploy"])
    returned = job.play()
    after = state["project"].jobs.get(J["deploy"])
    return {"returned": returned, "status": after.status, "user": after.user["username"]}


def errors():
    p = state["project"]
    return {
        "retry_pending": expect_error(gitlab.exceptions.GitlabJobRetryError, lambda: p.jobs.get(J["queue"], lazy=True).retry()),
        "play_pending": expect_error(gitlab.exceptions.GitlabJobPlayError, lambda: p.jobs.get(J["queue"], lazy=True).play()),
        "erase_again": expect_error(gitlab.exceptions.GitlabJobEraseError, lambda: p.jobs.get(J["lint"], lazy=True).erase()),
        "cancel_missing": expect_error(gitlab.exceptions.GitlabJobCancelError, lambda: p.jobs.get(999999, lazy=True).cancel()),
        "get_bridge": expect_error(gitlab.exceptions.GitlabGetError, lambda: p.jobs.get(J["downstream"])),
        "bad_scope": expect_error(gitlab.exceptions.GitlabListError, lambda: p.jobs.list(scope="bogus", get_all=True)),
    }


for name, fn in [("setup", setup), ("list_default", list_default), ("list_scope_string", list_scope_string),
                 ("list_scope_list", list_scope_list), ("list_iterator", list_iterator), ("list_get_all", list_get_all),
                 ("list_keyset", list_keyset), ("list_keyset_scoped", list_keyset_scoped), ("get_job", get_job),
                 ("trace", trace), ("pipeline_jobs", pipeline_jobs), ("cancel", cancel), ("retry", retry),
                 ("erase", erase), ("play", play), ("errors", errors)]:
    step(name, fn)

print(json.dumps(report))
`;

/** A clean environment: no proxies, no user or system python-gitlab config, no stray GITLAB_* vars. */
function pythonEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

/** The pushed pipeline, driven into the states the script expects (see CI_CONFIG). */
async function buildFixture(t: TestServer): Promise<Fixture> {
  const ctx: ServiceContext = t.server.app.ctx;
  const project = await createProject(t);
  const pipeline = await pushPipeline(t, project, { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CI_CONFIG });
  const named = (name: string) => jobNamed(ctx, pipeline.id, name);
  const lint = await runJob(ctx, await named('lint'), 'success');
  const now = new Date().toISOString();
  await ctx.store.jobArtifacts.insert({
    projectId: project.id, jobId: lint.id, fileType: 'archive', fileFormat: 'zip', filename: 'artifacts.zip', size: 1234,
    sha256: null, blobKey: `fixture/${lint.id}/artifacts.zip`, expireAt: null, locked: false, createdAt: now,
  });
  const compile = await startJob(ctx, await named('compile'));
  assert.equal(compile?.status, 'running');
  const unit = await runJob(ctx, await named('unit'), 'failed');
  assert.equal(unit.status, 'failed');
  const flakyFailed = await runJob(ctx, await named('flaky'), 'failed');
  const retried = await t.api('POST', `/projects/${project.id}/jobs/${flakyFailed.id}/retry`);
  assert.equal(retried.status, 201, retried.text);
  const jobs = await ctx.store.jobs.listByPipeline(pipeline.id, { includeRetried: true });
  const status = (id: number) => jobs.find((j: Job) => j.id === id)?.status;
  const fx: Fixture = {
    project_id: project.id,
    project_path: project.path_with_namespace,
    pipeline_id: pipeline.id,
    jobs: {
      lint: lint.id,
      compile: compile!.id,
      unit: unit.id,
      queue: (await named('queue')).id,
      flaky: retried.body.id,
      flaky_retried: flakyFailed.id,
      deploy: (await named('deploy')).id,
      downstream: (await named('downstream')).id,
    },
  };
  assert.deepEqual(
    Object.fromEntries(Object.entries(fx.jobs).map(([name, id]) => [name, status(id)])),
    { lint: 'success', compile: 'running', unit: 'failed', queue: 'pending', flaky: 'pending', flaky_retried: 'failed', deploy: 'manual', downstream: 'created' },
    'fixture states',
  );
  return fx;
}

function assertStep(report: ScriptReport, name: string): any {
  const result = report.steps[name];
  assert.ok(result, `step ${name} did not run`);
  assert.ok(result.ok, `python step ${name} failed: ${result.error}\n${result.traceback ?? ''}`);
  assert.deepEqual(result.warnings, [], `python step ${name} raised warnings`);
  return result.value;
}

const isDescending = (ids: number[]) => ids.every((id, i) => i === 0 || ids[i - 1] > id);
const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

for (const dialect of DIALECTS) {
  describe(`python-gitlab 3.12 Jobs API compatibility (${dialect})`, () => {
    let t: TestServer;
    let home: string;
    let fx: Fixture;
    let report: ScriptReport;
    /** Every build of the project (retried included, bridge not), newest first: GET /projects/:id/jobs. */
    let allBuildIds: number[];

    before(async () => {
      t = await startTestServer(dialect);
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-pygitlab-jobs-'));
      fx = await buildFixture(t);
      allBuildIds = Object.entries(fx.jobs).filter(([name]) => name !== 'downstream').map(([, id]) => id).sort((a, b) => b - a);
      const script = path.join(home, 'jobs.py');
      fs.writeFileSync(script, SCRIPT);
      const { stdout } = await run(PYTHON, ['-W', 'error::UserWarning', script], {
        env: pythonEnv(home, { CONVEYOR_URL: t.url, CONVEYOR_TOKEN: ROOT_TOKEN, CONVEYOR_FIXTURE: JSON.stringify(fx) }),
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      report = JSON.parse(stdout) as ScriptReport;
    });
    after(async () => {
      await t?.close();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it('runs the Debian python-gitlab 3.12 and loads the project', () => {
      assert.equal(report.python_gitlab, '3.12.0');
      const project = assertStep(report, 'setup');
      assert.deepEqual(project, { id: fx.project_id, path_with_namespace: fx.project_path });
    });

    it('project.jobs.list() returns every build, retried ones included, newest first, bridges left out', () => {
      const jobs = assertStep(report, 'list_default') as Array<{ id: number; name: string; status: string }>;
      assert.deepEqual(jobs.map((j) => j.id), allBuildIds);
      assert.ok(!jobs.some((j) => j.id === fx.jobs.downstream), 'the bridge is not a project job');
      assert.equal(jobs.find((j) => j.id === fx.jobs.flaky_retried)?.status, 'failed');
      const requests = report.steps.list_default.requests;
      assert.deepEqual(requests.map((r) => [r.method, r.url, r.status]), [['GET', `${t.apiUrl}/projects/${fx.project_id}/jobs`, 200]]);
    });

    it('scope="failed" goes out as scope[]=failed and returns the failed jobs', () => {
      const jobs = assertStep(report, 'list_scope_string') as Array<{ id: number; status: string }>;
      assert.deepEqual(jobs.map((j) => j.id), [fx.jobs.flaky_retried, fx.jobs.unit].sort((a, b) => b - a));
      assert.ok(jobs.every((j) => j.status === 'failed'));
      const [request] = report.steps.list_scope_string.requests;
      assert.deepEqual(new URL(request.url).searchParams.getAll('scope[]'), ['failed'], request.url);
      assert.equal(request.status, 200);
    });

    it('scope=["pending", "running"] goes out as repeated scope[] and returns both states', () => {
      const jobs = assertStep(report, 'list_scope_list') as Array<{ id: number; status: string }>;
      assert.deepEqual(jobs.map((j) => j.id), [fx.jobs.compile, fx.jobs.queue, fx.jobs.flaky].sort((a, b) => b - a));
      const [request] = report.steps.list_scope_list.requests;
      assert.deepEqual(new URL(request.url).searchParams.getAll('scope[]'), ['pending', 'running'], request.url);
    });

    it('iterator=True, per_page=2 walks every page by Link next, with page metadata the client can read', () => {
      const listed = assertStep(report, 'list_iterator');
      const pages = Math.ceil(allBuildIds.length / 2);
      const { total, total_pages, len, ...rest } = listed.first_page;
      assert.deepEqual(rest, { per_page: 2, current_page: 1, next_page: 2, prev_page: null });
      // GitLab 17.x leaves X-Total/X-Total-Pages out of this list (python-gitlab then says total None,
      // len() 0); Conveyor may count them as an extension. Either way they must agree with the data.
      if (total === null) assert.deepEqual({ total_pages, len }, { total_pages: null, len: 0 });
      else assert.deepEqual({ total, total_pages, len }, { total: allBuildIds.length, total_pages: pages, len: allBuildIds.length });
      assert.deepEqual(listed.ids, allBuildIds);
      assert.deepEqual(listed.last_page, { current_page: pages, next_page: null });
      const requests = report.steps.list_iterator.requests;
      assert.equal(requests.length, pages, JSON.stringify(requests));
      assert.ok(requests.every((r) => r.status === 200 && r.url.startsWith(`${t.apiUrl}/projects/${fx.project_id}/jobs?`)), JSON.stringify(requests));
      assert.deepEqual(requests.map((r) => new URL(r.url).searchParams.get('page')), [null, ...Array.from({ length: pages - 1 }, (_, i) => String(i + 2))]);
    });

    it('get_all=True, per_page=3 fetches every job once', () => {
      const listed = assertStep(report, 'list_get_all');
      assert.deepEqual(listed.ids, allBuildIds);
      assert.equal(report.steps.list_get_all.requests.length, Math.ceil(allBuildIds.length / 3));
    });

    it('keyset (pagination="keyset", order_by="id", sort="desc", per_page=2) follows the cursor in Link next', () => {
      const listed = assertStep(report, 'list_keyset');
      assert.deepEqual(listed.ids, allBuildIds);
      const requests = report.steps.list_keyset.requests;
      assert.equal(requests.length, Math.ceil(allBuildIds.length / 2), JSON.stringify(requests));
      for (const [i, r] of requests.entries()) {
        const q = new URL(r.url).searchParams;
        assert.equal(r.status, 200, r.url);
        assert.deepEqual([q.get('pagination'), q.get('order_by'), q.get('sort'), q.get('per_page')], ['keyset', 'id', 'desc', '2'], r.url);
        assert.equal(q.has('page'), false, 'keyset links carry no page number');
        assert.equal(q.has('cursor'), i > 0, r.url);
      }
    });

    it('keyset with scope[] keeps the filter on every page', () => {
      const listed = assertStep(report, 'list_keyset_scoped');
      assert.deepEqual(listed.ids, [fx.jobs.unit, fx.jobs.flaky_retried, fx.jobs.deploy].sort((a, b) => b - a));
      assert.ok(isDescending(listed.ids));
      const requests = report.steps.list_keyset_scoped.requests;
      assert.equal(requests.length, 3, JSON.stringify(requests));
      for (const r of requests) assert.deepEqual(new URL(r.url).searchParams.getAll('scope[]'), ['failed', 'manual'], r.url);
    });

    it('project.jobs.get(id) parses the job (exact application/json), also through a lazy project addressed by path', () => {
      const job = assertStep(report, 'get_job');
      assert.deepEqual(job, {
        id: fx.jobs.compile,
        name: 'compile',
        status: 'running',
        stage: 'build',
        ref: 'main',
        pipeline: { id: fx.pipeline_id, project_id: fx.project_id },
        tag_list: ['docker', 'linux'],
        web_url: `${t.url}/${fx.project_path}/-/jobs/${fx.jobs.compile}`,
        user: 'root',
        by_path: { id: fx.jobs.compile, status: 'running' },
      });
      assert.equal(report.steps.get_job.requests[1].url, `${t.apiUrl}/projects/${encodeURIComponent(fx.project_path)}/jobs/${fx.jobs.compile}`);
    });

    it('job.trace() returns empty bytes (no runner has written a log yet)', () => {
      const trace = assertStep(report, 'trace');
      assert.deepEqual(trace, { type: 'bytes', text: '', lazy_type: 'bytes', lazy_text: '' });
      const requests = report.steps.trace.requests;
      assert.deepEqual(requests.map((r) => [r.method, new URL(r.url).pathname, r.status]), [
        ['GET', `/api/v4/projects/${fx.project_id}/jobs/${fx.jobs.compile}`, 200],
        ['GET', `/api/v4/projects/${fx.project_id}/jobs/${fx.jobs.compile}/trace`, 200],
        ['GET', `/api/v4/projects/${fx.project_id}/jobs/${fx.jobs.queue}/trace`, 200],
      ]);
    });

    it('pipeline.jobs.list() hides retried jobs unless include_retried=True; scope goes out plain', () => {
      const p = assertStep(report, 'pipeline_jobs');
      assert.equal(p.project_id, fx.project_id);
      const ids = (rows: Array<{ id: number }>) => [...rows].sort(byId).map((j) => j.id);
      const latest = [fx.jobs.lint, fx.jobs.compile, fx.jobs.unit, fx.jobs.queue, fx.jobs.flaky, fx.jobs.deploy].sort((a, b) => a - b);
      assert.deepEqual(ids(p.latest), latest);
      assert.deepEqual(ids(p.with_retried), [...latest, fx.jobs.flaky_retried].sort((a, b) => a - b));
      assert.deepEqual(ids(p.scope_string), [fx.jobs.unit], 'scope=failed: the retried flaky run is not latest');
      assert.deepEqual(ids(p.scope_list), [fx.jobs.queue, fx.jobs.flaky, fx.jobs.deploy].sort((a, b) => a - b));
      const urls = report.steps.pipeline_jobs.requests.map((r) => new URL(r.url));
      const retriedUrl = urls.find((u) => u.searchParams.has('include_retried'));
      assert.equal(retriedUrl?.searchParams.get('include_retried'), 'True', 'python-gitlab sends a capitalised boolean');
      const listUrl = urls.find((u) => u.searchParams.getAll('scope').length === 2);
      assert.deepEqual(listUrl?.searchParams.getAll('scope'), ['pending', 'manual'], 'repeated plain scope=');
      assert.ok(report.steps.pipeline_jobs.requests.every((r) => r.status === 200), JSON.stringify(report.steps.pipeline_jobs.requests));
    });

    it('pipeline.bridges.list() returns the trigger job with its (not yet created) downstream pipeline', () => {
      const p = assertStep(report, 'pipeline_jobs');
      assert.deepEqual(p.bridges, [{ id: fx.jobs.downstream, name: 'downstream', status: 'created', downstream_pipeline: null }]);
    });

    it('job.cancel() gets a dict back (201, exact application/json) and the job is canceled', () => {
      const c = assertStep(report, 'cancel');
      assert.equal(c.returned_type, 'dict', 'python-gitlab returns the Response object unless the Content-Type is exactly application/json');
      assert.deepEqual(c.returned, { id: fx.jobs.compile, status: 'canceled' });
      assert.equal(c.refreshed, 'canceled');
      assert.ok(c.finished_at);
      const post = report.steps.cancel.requests.find((r) => r.method === 'POST');
      assert.deepEqual([post?.url, post?.status], [`${t.apiUrl}/projects/${fx.project_id}/jobs/${fx.jobs.compile}/cancel`, 201]);
    });

    it('job.retry() returns the new job as a dict (201)', () => {
      const r = assertStep(report, 'retry');
      assert.equal(r.returned_type, 'dict');
      assert.equal(r.returned.name, 'unit');
      assert.equal(r.returned.status, 'pending');
      assert.ok(r.returned.id > fx.jobs.unit, 'a new job');
      assert.equal(report.steps.retry.requests.find((x) => x.method === 'POST')?.status, 201);
    });

    it('job.erase() on a finished job with artifacts: 201, then erased_at is set and the artifacts are gone', () => {
      const e = assertStep(report, 'erase');
      assert.deepEqual(e.before.artifacts, [{ file_type: 'archive', size: 1234, filename: 'artifacts.zip', file_format: 'zip' }]);
      assert.deepEqual(e.before.artifacts_file, { filename: 'artifacts.zip', size: 1234 });
      assert.equal(e.before.erased_at, null);
      assert.equal(e.returned, null);
      assert.equal(e.after.status, 'success');
      assert.ok(e.after.erased_at, 'erased_at set');
      assert.deepEqual(e.after.artifacts, []);
      assert.equal(e.after.artifacts_file, null);
      assert.equal(report.steps.erase.requests.find((x) => x.method === 'POST')?.status, 201);
    });

    it('job.play() on a manual job: 200 and the job is pending as the caller', () => {
      const p = assertStep(report, 'play');
      assert.deepEqual(p, { returned: null, status: 'pending', user: 'root' });
      assert.equal(report.steps.play.requests.find((x) => x.method === 'POST')?.status, 200);
    });

    it('raises GitlabJobRetryError 403 for a job that is not retryable', () => {
      const e = assertStep(report, 'errors');
      assert.deepEqual(e.retry_pending, { type: 'GitlabJobRetryError', response_code: 403, error_message: '403 Forbidden - Job is not retryable' });
    });

    it('raises GitlabJobPlayError 400 "Unplayable Job" for a job that is not manual', () => {
      const e = assertStep(report, 'errors');
      assert.deepEqual(e.play_pending, { type: 'GitlabJobPlayError', response_code: 400, error_message: '400 Bad request - Unplayable Job' });
    });

    it('raises GitlabJobEraseError 403 for an erased job, GitlabJobCancelError 404 for an unknown one, GitlabGetError 404 for a bridge', () => {
      const e = assertStep(report, 'errors');
      assert.deepEqual(e.erase_again, { type: 'GitlabJobEraseError', response_code: 403, error_message: '403 Forbidden - Job is not erasable!' });
      assert.deepEqual(e.cancel_missing, { type: 'GitlabJobCancelError', response_code: 404, error_message: '404 Not found' });
      assert.deepEqual(e.get_bridge, { type: 'GitlabGetError', response_code: 404, error_message: '404 Not found' });
    });

    it('raises GitlabListError 400 for an unknown scope', () => {
      const e = assertStep(report, 'errors');
      assert.deepEqual(e.bad_scope, { type: 'GitlabListError', response_code: 400, error_message: 'scope does not have a valid value' });
    });

    it('the store agrees with what the client saw', async () => {
      const ctx = t.server.app.ctx;
      const after = async (id: number) => (await ctx.store.jobs.findById(id))!;
      assert.equal((await after(fx.jobs.compile)).status, 'canceled');
      assert.equal((await after(fx.jobs.unit)).retried, true);
      assert.ok((await after(fx.jobs.lint)).erasedAt);
      assert.deepEqual((await ctx.store.jobArtifacts.listByJobs([fx.jobs.lint])).get(fx.jobs.lint), undefined);
      assert.equal((await after(fx.jobs.deploy)).status, 'pending');
    });

    it('the CLI: project-job list, get and trace (python-gitlab 3.12 naming), with no warnings', async () => {
      const env = pythonEnv(home);
      const config = path.join(home, 'python-gitlab.cfg');
      fs.writeFileSync(config, `[global]\ndefault = local\n\n[local]\nurl = ${t.url}\nprivate_token = ${ROOT_TOKEN}\n`);
      const cli = (args: string[]) => run(PYTHON, ['-W', 'error::UserWarning', '-m', 'gitlab', '-c', config, ...args], { env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });

      // Default (legacy) printer: `id: N` per object, one page of 20.
      const listed = await cli(['project-job', 'list', '--project-id', String(fx.project_id)]);
      assert.equal(listed.stderr, '');
      const printed = [...listed.stdout.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      const current = (await t.api('GET', `/projects/${fx.project_id}/jobs?per_page=100`)).body.map((j: { id: number }) => j.id);
      assert.deepEqual(printed, current);

      const scoped = await cli(['-o', 'json', 'project-job', 'list', '--project-id', String(fx.project_id), '--scope', 'failed,canceled', '--get-all']);
      assert.equal(scoped.stderr, '');
      const scopedJobs = JSON.parse(scoped.stdout) as Array<{ id: number; status: string }>;
      assert.deepEqual(scopedJobs.map((j) => j.id), [fx.jobs.compile, fx.jobs.flaky_retried, fx.jobs.unit].sort((a, b) => b - a));

      const byPath = await cli(['-o', 'json', 'project-job', 'get', '--project-id', fx.project_path, '--id', String(fx.jobs.lint)]);
      assert.equal(byPath.stderr, '');
      const lint = JSON.parse(byPath.stdout);
      assert.deepEqual([lint.id, lint.name, lint.status], [fx.jobs.lint, 'lint', 'success']);
      assert.ok(lint.erased_at);

      const got = await cli(['project-job', 'get', '--project-id', String(fx.project_id), '--id', String(fx.jobs.compile)]);
      assert.equal(got.stderr, '');
      assert.match(got.stdout, new RegExp(`^id: ${fx.jobs.compile}$`, 'm'));

      const trace = await cli(['project-job', 'trace', '--project-id', String(fx.project_id), '--id', String(fx.jobs.compile)]);
      assert.deepEqual([trace.stdout, trace.stderr], ['', '']);

      const missing = await cli(['project-job', 'get', '--project-id', String(fx.project_id), '--id', '999999']).then(
        () => null,
        (err: { code?: number; stderr?: string }) => err,
      );
      assert.ok(missing, 'the CLI exits non-zero for an unknown job');
      assert.match(missing.stderr ?? '', /404/);
    });
  });
}
