// Issue #7's end-to-end check: a pipeline on the built-in runner whose `build` job produces `dist/**`
// and a junit report and whose `test` job uses `dist/` from it; then every artifact endpoint through
// the real clients — Debian's python3-gitlab 3.12 (job.artifacts/artifact, project.artifacts.download/
// raw, keep, delete both ways) and @gitbeaker/rest 43 (JobArtifacts.downloadArchive in its four forms,
// keep, remove both ways) — with `unzip -t` run on every archive served.
//
// Reads run before deletes. Three pipelines: P1 and P2 on `main` (after P2, P1 is no longer the
// newest successful pipeline, so a project-wide delete may take P1's artifacts but must keep P2's) and
// P3 on the slashed branch `feature/x` (gitbeaker encodes it as %2F).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Gitlab, GitbeakerRequestError } from '@gitbeaker/rest';
import { Runner } from '../../src/runner/index.js';
import { addMember, createProject, createUser } from '../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../helpers/pipelines.js';
import { ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);

const CI_CONFIG = `
stages: [build, test]
build:
  stage: build
  script:
    - mkdir -p dist/sub dist/empty
    - echo "hello from build $CI_COMMIT_REF_NAME" > dist/app.txt
    - printf 'export const x = 1;\\n' > dist/sub/lib.js
    - head -c 200000 /dev/urandom > dist/sub/blob.bin
    - echo "not an artifact" > scratch.txt
    - printf '<testsuites><testsuite name="unit" tests="1"><testcase classname="a" name="b"/></testsuite></testsuites>' > junit.xml
  artifacts:
    paths: [dist/]
    expire_in: 1 week
    reports:
      junit: junit.xml
test:
  stage: test
  script:
    - test -f dist/app.txt
    - cat dist/app.txt
    - test -f dist/sub/lib.js
    - test ! -e scratch.txt
    - echo "blob bytes $(wc -c < dist/sub/blob.bin)"
`;

/** `unzip -t` over an archive given as bytes; throws (with unzip's output) when it does not accept it. */
function unzipTest(bytes: Buffer, dir: string, label: string): string {
  const file = path.join(dir, `${label.replace(/[^a-z0-9]+/gi, '_')}.zip`);
  fs.writeFileSync(file, bytes);
  return execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
}

function unzipList(bytes: Buffer, dir: string, label: string): string[] {
  const file = path.join(dir, `${label.replace(/[^a-z0-9]+/gi, '_')}-list.zip`);
  fs.writeFileSync(file, bytes);
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n').sort();
}

const SCRIPT = String.raw`
import json, os, sys, traceback, warnings
import gitlab

URL = os.environ["CONVEYOR_URL"]
TOKEN = os.environ["CONVEYOR_TOKEN"]
FX = json.loads(os.environ["CONVEYOR_FIXTURE"])
OUT = os.environ["CONVEYOR_OUT"]
PHASE = sys.argv[1]

gl = gitlab.Gitlab(URL, private_token=TOKEN)
project = gl.projects.get(FX["project_id"])
report = {"python_gitlab": gitlab.__version__, "steps": {}}


def save(name, data):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(data)
    return {"file": path, "size": len(data)}


def step(name, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = {"ok": True, "value": fn()}
        except Exception as e:
            result = {"ok": False, "error": "%s: %s" % (type(e).__name__, e), "status": getattr(e, "response_code", None),
                      "traceback": traceback.format_exc()}
    result["warnings"] = ["%s: %s" % (w.category.__name__, w.message) for w in caught]
    report["steps"][name] = result


def job_archive():
    return save("py-job-archive.zip", project.jobs.get(FX["build"]).artifacts())


def job_archive_streamed():
    chunks = []
    project.jobs.get(FX["build"], lazy=True).artifacts(streamed=True, action=chunks.append, chunk_size=4096)
    return save("py-job-archive-streamed.zip", b"".join(chunks))


def job_file():
    job = project.jobs.get(FX["build"], lazy=True)
    return {"app": job.artifact("dist/app.txt").decode(), "lib": job.artifact("dist/sub/lib.js").decode(),
            "blob": save("py-blob.bin", job.artifact("dist/sub/blob.bin"))}


def ref_archive():
    return save("py-ref-archive.zip", project.artifacts.download(ref_name="main", job="build"))


def ref_archive_branch():
    return save("py-ref-archive-branch.zip", project.artifacts.download(ref_name="feature/x", job="build"))


def ref_file():
    return {"main": project.artifacts.raw("main", "dist/app.txt", "build").decode(),
            "branch": project.artifacts.raw("feature/x", "dist/app.txt", "build").decode()}


def missing():
    out = {}
    for name, fn in [("no_entry", lambda: project.jobs.get(FX["build"], lazy=True).artifact("dist/nope.txt")),
                     ("no_job_name", lambda: project.artifacts.download(ref_name="main", job="nope")),
                     ("no_archive", lambda: project.jobs.get(FX["test"], lazy=True).artifacts())]:
        try:
            fn()
            out[name] = "no error"
        except gitlab.exceptions.GitlabGetError as e:
            out[name] = e.response_code
    return out


def keep():
    job = project.jobs.get(FX["build"])
    before = job.artifacts_expire_at
    returned = job.keep_artifacts()
    job = project.jobs.get(FX["build"])
    return {"before": before, "returned": returned, "after": job.artifacts_expire_at}


def delete_project():
    returned = project.artifacts.delete()
    return {"returned": returned}


def delete_job():
    job = project.jobs.get(FX["latest_build"])
    before = [a["file_type"] for a in job.attributes["artifacts"]]
    returned = job.delete_artifacts()
    job = project.jobs.get(FX["latest_build"])
    return {"before": before, "returned": returned, "after": [a["file_type"] for a in job.attributes["artifacts"]],
            "artifacts_file": job.attributes.get("artifacts_file")}


def delete_denied():
    try:
        gitlab.Gitlab(URL, private_token=FX["developer_token"]).projects.get(FX["project_id"], lazy=True).jobs.get(FX["latest_build"], lazy=True).delete_artifacts()
        return "no error"
    except gitlab.exceptions.GitlabError as e:  # 3.12 raises GitlabCreateError here (its decorator's choice)
        return {"status": e.response_code, "type": type(e).__name__}


PHASES = {
    "read": [("job_archive", job_archive), ("job_archive_streamed", job_archive_streamed), ("job_file", job_file),
             ("ref_archive", ref_archive), ("ref_archive_branch", ref_archive_branch), ("ref_file", ref_file),
             ("missing", missing), ("keep", keep)],
    "delete_project": [("delete_project", delete_project)],
    "delete_job": [("delete_denied", delete_denied), ("delete_job", delete_job)],
}
for name, fn in PHASES[PHASE]:
    step(name, fn)
print(json.dumps(report))
`;

interface StepResult {
  ok: boolean;
  value?: any;
  error?: string;
  status?: number;
  traceback?: string;
  warnings: string[];
}

describe('artifacts end to end: built-in runner, python-gitlab and @gitbeaker/rest', () => {
  let t: TestServer;
  let runner: Runner;
  let buildsDir: string;
  let scratch: string;
  let project: any;
  let developer: { id: number; token: string };
  const jobs: Record<string, number> = {};
  let api: InstanceType<typeof Gitlab>;

  async function settledPipeline(pipelineId: number, timeoutMs = 120_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const p = await t.api('GET', `/projects/${project.id}/pipelines/${pipelineId}`);
      if (['success', 'failed', 'canceled'].includes(p.body.status)) return p.body;
      assert.ok(Date.now() < until, `pipeline ${pipelineId} settles (now ${p.body.status})`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async function runPipeline(ref: string, marker: string): Promise<{ build: number; test: number }> {
    const pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CI_CONFIG, 'marker.txt': marker }, ref);
    const done = await settledPipeline(pipeline.id);
    const ctx = t.server.app.ctx;
    const build = (await jobNamed(ctx, pipeline.id, 'build')).id;
    const test = (await jobNamed(ctx, pipeline.id, 'test')).id;
    if (done.status !== 'success') {
      const logs = await Promise.all([build, test].map(async (id) => (await t.api('GET', `/projects/${project.id}/jobs/${id}/trace`)).text));
      assert.fail(`pipeline ${pipeline.id} on ${ref} is ${done.status}:\n${logs.join('\n-----\n')}`);
    }
    return { build, test };
  }

  async function python(phase: string): Promise<Record<string, StepResult>> {
    const home = fs.mkdtempSync(path.join(scratch, 'home-'));
    const fixture = { project_id: project.id, build: jobs.build, test: jobs.test, latest_build: jobs.latestBuild, developer_token: developer.token };
    const { stdout } = await run(PYTHON, ['-W', 'error::UserWarning', '-c', SCRIPT, phase], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', CONVEYOR_URL: t.url, CONVEYOR_TOKEN: ROOT_TOKEN, CONVEYOR_FIXTURE: JSON.stringify(fixture), CONVEYOR_OUT: scratch },
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout).steps;
  }

  function ok(steps: Record<string, StepResult>, name: string): any {
    const step = steps[name];
    assert.ok(step, `step ${name} ran`);
    assert.ok(step.ok, `${name}: ${step.error}\n${step.traceback}`);
    assert.deepEqual(step.warnings, [], `${name} warns about nothing`);
    return step.value;
  }

  const artifactTypes = async (jobId: number) => ((await t.api('GET', `/projects/${project.id}/jobs/${jobId}`)).body.artifacts as any[]).map((a) => a.file_type).sort();
  const blobFiles = (jobId: number) => {
    const dir = path.join(t.dataDir, 'blobs', 'artifacts', String(jobId));
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  };
  async function eventually(probe: () => Promise<boolean>, what: string) {
    for (let i = 0; i < 200; i++) {
      if (await probe()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`timed out waiting for ${what}`);
  }

  before(async () => {
    t = await startTestServer('sqlite');
    const created = await t.api('POST', '/user/runners', { body: { runner_type: 'instance_type', description: 'artifacts e2e' } });
    buildsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-artifacts-e2e-builds-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-artifacts-e2e-'));
    runner = new Runner({ url: t.url, token: created.body.token, buildsDir, concurrent: 2 });
    runner.start();
    project = await createProject(t, { visibility: 'private' });
    developer = await createUser(t);
    await addMember(t, project.id, developer.id, 30);
    api = new Gitlab({ host: t.url, token: ROOT_TOKEN });

    const p1 = await runPipeline('main', 'one');
    jobs.build = p1.build;
    jobs.test = p1.test;
    const p3 = await runPipeline('feature/x', 'three');
    jobs.branchBuild = p3.build;
    jobs.branchTest = p3.test;
  });

  after(async () => {
    await runner?.stop();
    await t?.close();
    if (buildsDir) fs.rmSync(buildsDir, { recursive: true, force: true });
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the runner uploaded the archive, the junit report and the log; `test` got dist/ from `build`', async () => {
    assert.deepEqual(await artifactTypes(jobs.build), ['archive', 'junit', 'trace']);
    const job = (await t.api('GET', `/projects/${project.id}/jobs/${jobs.build}`)).body;
    assert.equal(job.artifacts_file.filename, 'artifacts.zip');
    assert.ok(Math.abs(Date.parse(job.artifacts_expire_at) - (Date.now() + 7 * 86_400_000)) < 10 * 60_000, job.artifacts_expire_at);
    const junit = job.artifacts.find((a: any) => a.file_type === 'junit');
    assert.equal(junit.file_format, 'gzip');
    const log = (await t.api('GET', `/projects/${project.id}/jobs/${jobs.test}/trace`)).text;
    assert.match(log, /hello from build main/);
    assert.match(log, /blob bytes 200000/);
    assert.deepEqual(await artifactTypes(jobs.test), ['trace'], 'the test job archives only its log');
    // The report is the gzip the runner made of junit.xml.
    const row = (await t.server.app.ctx.store.jobArtifacts.listByJob(jobs.build)).find((a) => a.fileType === 'junit')!;
    const bytes = Buffer.concat(await (async () => {
      const chunks: Buffer[] = [];
      for await (const c of t.server.app.ctx.blobs.stream(row.blobKey!, 0, row.size!)) chunks.push(c as Buffer);
      return chunks;
    })());
    assert.match(gunzipSync(bytes).toString(), /<testcase classname="a" name="b"\/>/);
  });

  it('@gitbeaker/rest: downloadArchive by job, job + path, ref + job, ref + job + path; unzip -t accepts each archive', async () => {
    const byJob = Buffer.from(await ((await api.JobArtifacts.downloadArchive(project.id, { jobId: jobs.build })) as Blob).arrayBuffer());
    assert.match(unzipTest(byJob, scratch, 'gb-job'), /No errors detected/);
    assert.deepEqual(unzipList(byJob, scratch, 'gb-job'), ['dist/', 'dist/app.txt', 'dist/empty/', 'dist/sub/', 'dist/sub/blob.bin', 'dist/sub/lib.js']);
    const file = await api.JobArtifacts.downloadArchive(project.id, { jobId: jobs.build, artifactPath: 'dist/app.txt' });
    assert.equal(typeof file === 'string' ? file : await (file as Blob).text(), 'hello from build main\n');
    const blob = await api.JobArtifacts.downloadArchive(project.id, { jobId: jobs.build, artifactPath: 'dist/sub/blob.bin' });
    assert.equal((blob as Blob).size, 200_000);
    const byRef = Buffer.from(await ((await api.JobArtifacts.downloadArchive(project.id, { ref: 'main', job: 'build' })) as Blob).arrayBuffer());
    assert.deepEqual(byRef, byJob, 'main\'s newest successful pipeline is P1');
    const branch = Buffer.from(await ((await api.JobArtifacts.downloadArchive(project.id, { ref: 'feature/x', job: 'build' })) as Blob).arrayBuffer());
    assert.match(unzipTest(branch, scratch, 'gb-branch'), /No errors detected/);
    const raw = await api.JobArtifacts.downloadArchive(project.id, { ref: 'feature/x', job: 'build', artifactPath: 'dist/app.txt' });
    assert.equal(typeof raw === 'string' ? raw : await (raw as Blob).text(), 'hello from build feature/x\n');
    const lib = await api.JobArtifacts.downloadArchive(project.id, { ref: 'main', job: 'build', artifactPath: 'dist/sub/lib.js' });
    assert.equal(typeof lib === 'string' ? lib : await (lib as Blob).text(), 'export const x = 1;\n');
    await assert.rejects(api.JobArtifacts.downloadArchive(project.id, { ref: 'main', job: 'nope' }), (e: GitbeakerRequestError) => e.cause?.response.status === 404);
    await assert.rejects(api.JobArtifacts.downloadArchive(project.id, { jobId: jobs.build, artifactPath: 'dist/nope' }), (e: GitbeakerRequestError) => e.cause?.response.status === 404);
  });

  it('@gitbeaker/rest: keep clears the expiry and answers the job', async () => {
    const kept = (await api.JobArtifacts.keep(project.id, jobs.branchBuild)) as any;
    assert.equal(kept.id, jobs.branchBuild);
    assert.equal(kept.artifacts_expire_at, null);
    assert.equal(kept.artifacts_file.filename, 'artifacts.zip');
  });

  it('python-gitlab: job.artifacts(), job.artifact(path), project.artifacts.download/raw (slashed ref), keep; unzip -t accepts each archive', async () => {
    const steps = await python('read');
    for (const name of ['job_archive', 'job_archive_streamed', 'ref_archive', 'ref_archive_branch']) {
      const saved = ok(steps, name);
      const bytes = fs.readFileSync(saved.file);
      assert.match(unzipTest(bytes, scratch, `py-${name}`), /No errors detected/, name);
      assert.ok(unzipList(bytes, scratch, `py-${name}`).includes('dist/sub/lib.js'), name);
    }
    assert.deepEqual(fs.readFileSync(ok(steps, 'job_archive').file), fs.readFileSync(ok(steps, 'job_archive_streamed').file));
    const files = ok(steps, 'job_file');
    assert.equal(files.app, 'hello from build main\n');
    assert.equal(files.lib, 'export const x = 1;\n');
    assert.equal(files.blob.size, 200_000);
    assert.deepEqual(ok(steps, 'ref_file'), { main: 'hello from build main\n', branch: 'hello from build feature/x\n' });
    assert.deepEqual(ok(steps, 'missing'), { no_entry: 404, no_job_name: 404, no_archive: 404 });
    const keep = ok(steps, 'keep');
    assert.equal(typeof keep.before, 'string');
    assert.equal(keep.returned, null);
    assert.equal(keep.after, null);
  });

  it('python-gitlab: project.artifacts.delete() removes what is not the newest successful pipeline\'s, in the background', async () => {
    // P2 on main: P1 is no longer main's newest successful pipeline; feature/x keeps P3.
    const p2 = await runPipeline('main', 'two');
    jobs.latestBuild = p2.build;
    const p1Files = blobFiles(jobs.build);
    assert.ok(p1Files.length >= 2, 'P1 has archive and report files on disk');
    const steps = await python('delete_project');
    assert.equal(ok(steps, 'delete_project').returned, null);
    await eventually(async () => (await artifactTypes(jobs.build)).join() === 'trace', 'P1\'s build artifacts are gone (its log stays)');
    // The files go after the rows (removeArtifacts), so a check right after the rows can see one still there.
    await eventually(async () => blobFiles(jobs.build).length === 0, 'and their files');
    assert.deepEqual(await artifactTypes(jobs.latestBuild), ['archive', 'junit', 'trace'], 'main\'s newest are kept');
    assert.deepEqual(await artifactTypes(jobs.branchBuild), ['archive', 'junit', 'trace'], 'feature/x\'s newest are kept');
  });

  it('python-gitlab: job.delete_artifacts() needs Maintainer, then removes the job\'s artifacts but its log', async () => {
    const steps = await python('delete_job');
    assert.equal(ok(steps, 'delete_denied').status, 403);
    const deleted = ok(steps, 'delete_job');
    assert.deepEqual(deleted.before.sort(), ['archive', 'junit', 'trace']);
    assert.equal(deleted.returned, null);
    assert.deepEqual(deleted.after, ['trace']);
    assert.equal(deleted.artifacts_file, null, 'no artifacts_file any more');
    assert.deepEqual(blobFiles(jobs.latestBuild), []);
    const archive = await fetch(`${t.apiUrl}/projects/${project.id}/jobs/${jobs.latestBuild}/artifacts`, { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } });
    assert.equal(archive.status, 404);
  });

  it('@gitbeaker/rest: remove({ jobId }) deletes a job\'s artifacts; remove() the project\'s', async () => {
    await api.JobArtifacts.remove(project.id, { jobId: jobs.branchBuild });
    assert.deepEqual(await artifactTypes(jobs.branchBuild), ['trace']);
    await assert.rejects(api.JobArtifacts.downloadArchive(project.id, { jobId: jobs.branchBuild }), (e: GitbeakerRequestError) => e.cause?.response.status === 404);
    // A failed pipeline on another branch is nobody's newest successful one: remove() takes its archive.
    const failing = await pushPipeline(t, project, { '.gitlab-ci.yml': CI_CONFIG.replace('test ! -e scratch.txt', 'exit 1') }, 'broken');
    await settledPipeline(failing.id);
    const brokenBuild = (await jobNamed(t.server.app.ctx, failing.id, 'build')).id;
    assert.deepEqual(await artifactTypes(brokenBuild), ['archive', 'junit', 'trace']);
    const removed = await api.JobArtifacts.remove(project.id);
    assert.deepEqual(removed, { message: '202 Accepted' });
    await eventually(async () => (await artifactTypes(brokenBuild)).join() === 'trace', 'the failed pipeline\'s artifacts are removed');
  });
});
