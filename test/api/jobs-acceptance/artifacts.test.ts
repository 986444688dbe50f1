/** §9 cases 91–110: artifact downloads, keep and delete, with archives uploaded through the runner API. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sweepExpiredArtifacts } from '../../../src/services/artifacts/artifact-sweeper.js';
import type { ServiceContext } from '../../../src/services/context.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { bytesOf, makeZip, runWithArtifacts, startWithToken } from '../../helpers/artifacts.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertJob } from '../../helpers/entity-schemas.js';
import { createProject } from '../../helpers/fixtures.js';
import { jobNamed, pushPipeline, runJob } from '../../helpers/pipelines.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { artifactRows, createCast, holdArtifactsSizeRecount, privateProject, STATS_REFRESH_CONFLICT, type Cast } from './common.js';

const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(64, 1)]);
const GIF_PATH = 'other_artifacts_0.1.2/another-subdirectory/banana_sample.gif';
const ZIP = makeZip([
  { name: 'other_artifacts_0.1.2/', mode: 0o40755 },
  { name: GIF_PATH, data: GIF },
  { name: 'index.html', data: '<script>alert(1)</script>' },
  { name: 'dir with space/f.txt', data: 'spaced' },
  { name: 'ünïcode.txt', data: 'utf8' },
]);

const CONFIG = `
build:
  script: make
  artifacts: { paths: [dist/] }
secret:
  script: make
  artifacts: { paths: [dist/], public: false }
hidden:
  script: make
  artifacts: { paths: [dist/], access: none }
plain:
  script: make
victim:
  script: make
keeper:
  script: make
old:
  script: make
`;
const SIMPLE = 'build:\n  script: make\n  artifacts: { paths: [dist/] }\nsecret:\n  script: make\n  artifacts: { paths: [dist/], public: false }\n';

const archive = (filename = 'ci_build_artifacts.zip', expireIn = '1 day') => ({ body: ZIP, query: { artifact_type: 'archive', artifact_format: 'zip', expire_in: expireIn }, filename });
const metadata = { body: zlib.gzipSync('{}'), query: { artifact_type: 'metadata', artifact_format: 'gzip' }, filename: 'metadata.gz' };

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: artifacts (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let P: any;
    let pl: Pipeline;
    let latest: Pipeline;
    const ids: Record<string, number> = {};
    const publics: Record<string, { project: any; build: number; secret: number }> = {};
    const get = (p: string, token: string | null = cast.dev.token, headers: Record<string, string> = {}) =>
      fetch(`${t.apiUrl}${p}`, { headers: { ...(token ? { 'PRIVATE-TOKEN': token } : {}), ...headers } });
    const json = async (r: Response) => JSON.parse(await r.text());
    /** A GET whose path is sent exactly as written (fetch would resolve `%2e%2e` segments itself). */
    const rawGet = (p: string, token = cast.dev.token) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(t.apiUrl);
        const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${p}`, headers: { 'PRIVATE-TOKEN': token } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      P = await privateProject(t, cast);
      pl = await pushPipeline(t, P, { '.gitlab-ci.yml': CONFIG });
      const job = (name: string) => jobNamed(ctx, pl.id, name);
      ids.J = (await runWithArtifacts(t, await job('build'), [archive(), metadata])).id;
      ids.secret = (await runWithArtifacts(t, await job('secret'), [archive()])).id;
      ids.hidden = (await runWithArtifacts(t, await job('hidden'), [archive()])).id;
      ids.plain = (await runJob(ctx, await job('plain'))).id;
      ids.victim = (await runWithArtifacts(t, await job('victim'), [archive(), metadata])).id;
      ids.keeper = (await runWithArtifacts(t, await job('keeper'), [archive('a.zip', '7 days')])).id;
      ids.old = (await runWithArtifacts(t, await job('old'), [archive()])).id;
      // A newer successful pipeline on main: `latest` (and its build) is what ref lookups find.
      latest = await pushPipeline(t, P, { '.gitlab-ci.yml': SIMPLE });
      ids.latestBuild = (await runWithArtifacts(t, await jobNamed(ctx, latest.id, 'build'), [archive('latest.zip')])).id;
      await runWithArtifacts(t, await jobNamed(ctx, latest.id, 'secret'), [archive()]);
      const branch = await pushPipeline(t, P, { '.gitlab-ci.yml': SIMPLE }, 'improve/awesome');
      ids.branchBuild = (await runWithArtifacts(t, await jobNamed(ctx, branch.id, 'build'), [archive('branch.zip')])).id;
      await runWithArtifacts(t, await jobNamed(ctx, branch.id, 'secret'), [archive()]);
      for (const [key, publicJobs] of [['builds', true], ['nobuilds', false]] as const) {
        const project = await createProject(t, { visibility: 'public', public_jobs: publicJobs });
        const p = await pushPipeline(t, project, { '.gitlab-ci.yml': SIMPLE });
        const build = (await runWithArtifacts(t, await jobNamed(ctx, p.id, 'build'), [archive()])).id;
        const secret = (await runWithArtifacts(t, await jobNamed(ctx, p.id, 'secret'), [archive()])).id;
        publics[key] = { project, build, secret };
      }
    });
    after(() => t.close());

    it('case 91: DELETE …/jobs/J/artifacts: anonymous 401 and developer 403 keep both; maintainer 204 removes them (the log stays)', async () => {
      const del = (token: string | null) => t.api('DELETE', `/projects/${P.id}/jobs/${ids.victim}/artifacts`, { token });
      assert.equal((await del(null)).status, 401);
      assert.equal((await artifactRows(ctx, ids.victim)).length, 2);
      assert.equal((await del(cast.dev.token)).status, 403);
      assert.equal((await artifactRows(ctx, ids.victim)).length, 2);
      const ok = await del(cast.mnt.token);
      assert.equal(ok.status, 204);
      assert.equal(ok.text, '');
      assert.deepEqual(await artifactRows(ctx, ids.victim), []);
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.victim}/artifacts`)).status, 404);
      assert.equal((await del(cast.mnt.token)).status, 204, 'nothing left to delete is still 204');
    });

    it("case 92: while the project's artifacts' size is recounted, DELETE …/artifacts (job and project) → 409 and both remain", async () => {
      const other = await privateProject(t, cast);
      const p = await pushPipeline(t, other, { '.gitlab-ci.yml': SIMPLE });
      const job = await runWithArtifacts(t, await jobNamed(ctx, p.id, 'build'), [archive(), metadata]);
      const recount = await holdArtifactsSizeRecount(t, other.id);
      try {
        for (const path of [`/projects/${other.id}/jobs/${job.id}/artifacts`, `/projects/${other.id}/artifacts`]) {
          const res = await t.api('DELETE', path, { token: cast.mnt.token });
          assert.deepEqual([res.status, res.body], [409, STATS_REFRESH_CONFLICT], path);
          // Permissions come first: a developer is still 403.
          assert.equal((await t.api('DELETE', path, { token: cast.dev.token })).status, 403, path);
        }
        assert.equal((await artifactRows(ctx, job.id)).filter((a) => a.fileType !== 'trace').length, 2);
      } finally {
        await recount.finish();
      }
      assert.equal((await t.api('DELETE', `/projects/${other.id}/jobs/${job.id}/artifacts`, { token: cast.mnt.token })).status, 204);
      assert.deepEqual((await artifactRows(ctx, job.id)).filter((a) => a.fileType !== 'trace'), []);
    });

    it('case 93: DELETE /projects/P/artifacts: anonymous 401, developer 403, maintainer 202', async () => {
      const other = await privateProject(t, cast);
      const p = await pushPipeline(t, other, { '.gitlab-ci.yml': SIMPLE });
      const old = await runWithArtifacts(t, await jobNamed(ctx, p.id, 'build'), [archive()]);
      // A failed pipeline is nobody's latest successful one: its artifacts may all go.
      await runWithArtifacts(t, await jobNamed(ctx, p.id, 'secret'), [archive()], 'failed');
      const del = (token: string | null) => t.api('DELETE', `/projects/${other.id}/artifacts`, { token });
      assert.equal((await del(null)).status, 401);
      assert.equal((await del(cast.dev.token)).status, 403);
      const ok = await del(cast.mnt.token);
      assert.equal(ok.status, 202);
      assert.deepEqual(ok.body, { message: '202 Accepted' });
      for (let i = 0; i < 100 && (await artifactRows(ctx, old.id)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await artifactRows(ctx, old.id), []);
    });

    it('cases 94–96, 103: a single file: public + public builds → 200 to anyone; builds not public → 403; private → 404; non-public artifacts → 403 to anonymous and guests', async () => {
      const file = (project: any, job: number, token: string | null = null) => get(`/projects/${project.id}/jobs/${job}/artifacts/${GIF_PATH}`, token);
      assert.equal((await file(publics.builds.project, publics.builds.build)).status, 200);
      const forbidden = await file(publics.nobuilds.project, publics.nobuilds.build);
      assert.equal(forbidden.status, 403);
      assert.deepEqual(await json(forbidden), { message: '403 Forbidden' });
      const hidden = await file(P, ids.J);
      assert.equal(hidden.status, 404);
      assert.deepEqual(await json(hidden), { message: '404 Project Not Found' });
      assert.equal((await file(publics.builds.project, publics.builds.secret)).status, 403, 'case 95');
      assert.equal((await file(publics.builds.project, publics.builds.secret, cast.gst.token)).status, 403, 'case 103: not a member either');
    });

    it('case 96: a developer gets the file: bytes, type from the extension, attachment, nosniff', async () => {
      const res = await get(`/projects/${P.id}/jobs/${ids.J}/artifacts/${GIF_PATH}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/gif');
      assert.equal(res.headers.get('content-disposition'), 'attachment; filename="banana_sample.gif"');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(await bytesOf(res), GIF);
      const html = await get(`/projects/${P.id}/jobs/${ids.J}/artifacts/index.html`);
      assert.match(html.headers.get('content-disposition') ?? '', /^attachment;/);
      assert.equal((await bytesOf(await get(`/projects/${P.id}/jobs/${ids.J}/artifacts/dir%20with%20space/f.txt`))).toString(), 'spaced');
      assert.equal((await bytesOf(await get(`/projects/${P.id}/jobs/${ids.J}/artifacts/${encodeURIComponent('ünïcode.txt')}`))).toString(), 'utf8');
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.J}/artifacts/other_artifacts_0.1.2`)).status, 404, 'a directory is not a file');
    });

    it('case 97: an archive expired 7 days ago is still served by path while its pipeline is the latest successful one on the ref; else 404', async () => {
      const past = new Date(Date.now() - 7 * 86_400_000).toISOString();
      await ctx.store.jobArtifacts.clearExpiry(ids.latestBuild);
      const rows = await artifactRows(ctx, ids.latestBuild);
      await ctx.store.jobArtifacts.deleteByIds(rows.map((r) => r.id));
      await ctx.store.jobArtifacts.insert({ ...rows[0], expireAt: past });
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.latestBuild}/artifacts/${GIF_PATH}`)).status, 200);
      const oldRows = await artifactRows(ctx, ids.old);
      await ctx.store.jobArtifacts.deleteByIds(oldRows.map((r) => r.id));
      await ctx.store.jobArtifacts.insert({ ...oldRows[0], expireAt: past });
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.old}/artifacts/${GIF_PATH}`)).status, 404);
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.old}/artifacts`)).status, 200, 'E12 does not check expiry');
      const shown = await t.api('GET', `/projects/${P.id}/jobs/${ids.old}`, { token: cast.dev.token });
      assert.equal(Object.hasOwn(shown.body, 'artifacts_file'), false, 'an expired archive is not shown as artifacts_file');
    });

    it('cases 98, 104: no archive → 404 on every download route', async () => {
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.plain}/artifacts/some/artifact`)).status, 404);
      const res = await get(`/projects/${P.id}/jobs/${ids.plain}/artifacts`);
      assert.equal(res.status, 404);
      assert.deepEqual(await json(res), { message: '404 Not Found' });
    });

    it('case 99: the archive by job id: 200, binary, GitLab\'s Content-Disposition, and a zip unzip accepts', async () => {
      const res = await get(`/projects/${P.id}/jobs/${ids.J}/artifacts`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-transfer-encoding'), 'binary');
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.equal(res.headers.get('content-disposition'), "attachment; filename=\"ci_build_artifacts.zip\"; filename*=UTF-8''ci_build_artifacts.zip");
      const body = await bytesOf(res);
      assert.deepEqual(body, ZIP);
      const file = path.join(os.tmpdir(), `conveyor-artifacts-${process.pid}.zip`);
      fs.writeFileSync(file, body);
      try {
        execFileSync('unzip', ['-tq', file]);
      } finally {
        fs.rmSync(file, { force: true });
      }
      const range = await get(`/projects/${P.id}/jobs/${ids.J}/artifacts`, cast.dev.token, { Range: 'bytes=10-19' });
      assert.equal(range.status, 206);
      assert.equal(range.headers.get('content-range'), `bytes 10-19/${ZIP.length}`);
      assert.deepEqual(await bytesOf(range), ZIP.subarray(10, 20));
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.J}/artifacts`, cast.dev.token, { Range: `bytes=${ZIP.length}-` })).status, 416);
    });

    it('case 100: a job token from another project: refused until that project is on the allowlist (or the scope is off)', async () => {
      const O = await privateProject(t, cast);
      const po = await pushPipeline(t, O, { '.gitlab-ci.yml': SIMPLE });
      const { token } = await startWithToken(ctx, await jobNamed(ctx, po.id, 'build'));
      const download = () => fetch(`${t.apiUrl}/projects/${P.id}/jobs/${ids.J}/artifacts`, { headers: { 'JOB-TOKEN': token } });
      const refused = await download();
      assert.equal(refused.status, 403);
      assert.deepEqual(await json(refused), { message: `403 Forbidden - Authentication by CI/CD job token not allowed from ${O.path_with_namespace} to ${P.path_with_namespace}.` });
      const added = await t.api('POST', `/projects/${P.id}/job_token_scope/allowlist`, { token: cast.mnt.token, body: { target_project_id: O.id } });
      assert.equal(added.status, 201, added.text);
      assert.deepEqual(added.body, { source_project_id: P.id, target_project_id: O.id });
      assert.equal((await t.api('POST', `/projects/${P.id}/job_token_scope/allowlist`, { token: cast.mnt.token, body: { target_project_id: O.id } })).status, 400);
      assert.equal((await t.api('POST', `/projects/${P.id}/job_token_scope/allowlist`, { token: cast.dev.token, body: { target_project_id: O.id } })).status, 403);
      const list = await t.api('GET', `/projects/${P.id}/job_token_scope/allowlist`, { token: cast.mnt.token });
      assert.deepEqual(list.body.map((p: any) => p.id), [P.id, O.id]);
      const ok = await download();
      assert.equal(ok.status, 200);
      assert.deepEqual(await bytesOf(ok), ZIP);
      assert.equal((await fetch(`${t.apiUrl}/projects/${P.id}/jobs/${ids.J}/artifacts?job_token=${token}`)).status, 200, 'job_token parameter');
      assert.equal((await t.api('DELETE', `/projects/${P.id}/job_token_scope/allowlist/${O.id}`, { token: cast.mnt.token })).status, 204);
      assert.equal((await download()).status, 403);
      assert.equal((await t.api('PATCH', `/projects/${P.id}/job_token_scope`, { token: cast.mnt.token, body: { enabled: false } })).status, 204);
      assert.deepEqual((await t.api('GET', `/projects/${P.id}/job_token_scope`, { token: cast.mnt.token })).body, { inbound_enabled: false, outbound_enabled: false });
      assert.equal((await download()).status, 200);
      await t.api('PATCH', `/projects/${P.id}/job_token_scope`, { token: cast.mnt.token, body: { enabled: true } });
      assert.equal((await fetch(`${t.apiUrl}/projects/${P.id}/jobs/${ids.J}/artifacts`, { headers: { 'JOB-TOKEN': 'glcbt-nope' } })).status, 401);
      // A running job of P itself needs no allowlist; artifacts:access none stays closed to it.
      const own = await startWithToken(ctx, await jobNamed(ctx, (await pushPipeline(t, P, { '.gitlab-ci.yml': SIMPLE }, 'tokens')).id, 'build'));
      assert.equal((await fetch(`${t.apiUrl}/projects/${P.id}/jobs/${ids.J}/artifacts`, { headers: { 'JOB-TOKEN': own.token } })).status, 200);
      assert.equal((await fetch(`${t.apiUrl}/projects/${P.id}/jobs/${ids.hidden}/artifacts`, { headers: { 'JOB-TOKEN': own.token } })).status, 403);
    });

    it('case 101: anonymous on a private project → 404 on every download route', async () => {
      for (const p of [`/jobs/${ids.J}/artifacts`, `/jobs/${ids.J}/artifacts/${GIF_PATH}`, '/jobs/artifacts/main/download?job=build', `/jobs/artifacts/main/raw/${GIF_PATH}?job=build`]) {
        assert.equal((await get(`/projects/${P.id}${p}`, null)).status, 404, p);
      }
    });

    it('artifacts:access: developer (public: false) needs Developer; none is closed to everyone, administrators included', async () => {
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.secret}/artifacts`, cast.rep.token)).status, 403);
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.secret}/artifacts`, cast.dev.token)).status, 200);
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.secret}/artifacts/${GIF_PATH}`, cast.rep.token)).status, 403);
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.J}/artifacts`, cast.rep.token)).status, 200);
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.J}/artifacts`, cast.gst.token)).status, 403);
      assert.equal((await get(`/projects/${P.id}/jobs/${ids.J}/artifacts`, cast.stranger.token)).status, 404);
      for (const token of [cast.dev.token, cast.mnt.token, null]) {
        assert.equal((await get(`/projects/${P.id}/jobs/${ids.hidden}/artifacts`, token ?? undefined)).status, 403);
      }
    });

    it('case 105: the archive by ref and job name', async () => {
      const dl = (ref: string, job: string, token: string | null = cast.rep.token) => get(`/projects/${P.id}/jobs/artifacts/${ref}/download?job=${job}`, token);
      assert.equal((await dl('main', 'build', null)).status, 404);
      assert.equal((await dl('main', 'build', cast.gst.token)).status, 403);
      const tail = await dl('TAIL', 'build');
      assert.equal(tail.status, 404);
      assert.deepEqual(await json(tail), { message: '404 Not found' });
      assert.equal((await dl('main', 'NOBUILD')).status, 404);
      const main = await dl('main', 'build');
      assert.equal(main.status, 200);
      assert.equal(main.headers.get('content-disposition'), "attachment; filename=\"latest.zip\"; filename*=UTF-8''latest.zip");
      assert.deepEqual(await bytesOf(main), ZIP);
      for (const ref of ['improve/awesome', 'improve%2Fawesome']) {
        const res = await dl(ref, 'build');
        assert.equal(res.status, 200, ref);
        assert.match(res.headers.get('content-disposition') ?? '', /branch\.zip/);
      }
      // Only the newest successful pipeline counts, unless recent ones may be searched.
      assert.equal((await dl('main', 'victim')).status, 404);
      assert.equal((await dl('main', 'keeper')).status, 404);
      const recent = await dl('main', 'keeper&search_recent_successful_pipelines=true');
      assert.equal(recent.status, 200, 'found in an older successful pipeline');
      assert.match(recent.headers.get('content-disposition') ?? '', /a\.zip/);
    });

    it('case 106: a single file by ref and job name', async () => {
      const raw = (project: any, ref: string, file: string, job = 'build', token: string | null = null) => get(`/projects/${project.id}/jobs/artifacts/${ref}/raw/${file}?job=${job}`, token);
      const ok = await raw(publics.builds.project, 'main', GIF_PATH);
      assert.equal(ok.status, 200);
      assert.deepEqual(await bytesOf(ok), GIF);
      assert.match(ok.headers.get('content-disposition') ?? '', /^inline; filename="banana_sample.gif"/, 'a safe type shows inline');
      const html = await raw(publics.builds.project, 'main', 'index.html');
      assert.match(html.headers.get('content-disposition') ?? '', /^attachment;/, 'HTML is never inline');
      const nobuilds = await raw(publics.nobuilds.project, 'main', GIF_PATH);
      assert.equal(nobuilds.status, 403);
      assert.ok(Object.hasOwn(await json(nobuilds), 'message'));
      assert.equal((await raw(publics.builds.project, 'main', GIF_PATH, 'secret')).status, 403);
      const priv = await raw(P, 'main', GIF_PATH);
      assert.equal(priv.status, 404);
      assert.ok(Object.hasOwn(await json(priv), 'message'));
      assert.equal((await raw(P, 'main', GIF_PATH, 'build', cast.dev.token)).status, 200);
      assert.equal((await raw(P, 'improve/awesome', GIF_PATH, 'build', cast.dev.token)).status, 200);
      assert.equal((await raw(P, 'improve%2Fawesome', encodeURIComponent(GIF_PATH), 'build', cast.dev.token)).status, 200, "gitbeaker's encoding");
      assert.equal((await raw(P, 'nope', GIF_PATH, 'build', cast.dev.token)).status, 404);
      assert.equal((await raw(P, 'main', GIF_PATH, 'nope', cast.dev.token)).status, 404);
      assert.equal((await raw(P, 'main', 'missing.txt', 'build', cast.dev.token)).status, 404);
    });

    it('cases 107, 108: keep → 200 with artifacts_expire_at null; a job without artifacts → 404', async () => {
      const before = await t.api('GET', `/projects/${P.id}/jobs/${ids.keeper}`, { token: cast.dev.token });
      assert.equal(typeof before.body.artifacts_expire_at, 'string');
      const res = await t.api('POST', `/projects/${P.id}/jobs/${ids.keeper}/artifacts/keep`, { token: cast.dev.token });
      assert.equal(res.status, 200, res.text);
      assertJob(res.body);
      assert.equal(res.body.artifacts_expire_at, null);
      assert.equal(res.body.artifacts_file.filename, 'a.zip');
      assert.equal((await t.api('POST', `/projects/${P.id}/jobs/${ids.plain}/artifacts/keep`, { token: cast.dev.token })).status, 404);
      assert.equal((await t.api('POST', `/projects/${P.id}/jobs/${ids.keeper}/artifacts/keep`, { token: cast.rep.token })).status, 403);
      assert.equal((await t.api('POST', `/projects/${P.id}/jobs/${ids.keeper}/artifacts/keep`, { token: null })).status, 401);
    });

    it('cases 109, 110 and path traversal: NUL or invalid UTF-8 → 400; `..`, absolute and backslash paths → 400; encoded dots are names → 404; job missing → 400', async () => {
      for (const bad of ['a%00b', 'a%FFb', '..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd', '%2Fetc%2Fpasswd', '..%5C..%5Cwin.ini', 'dist/..%2F..%2Fx']) {
        assert.equal(await rawGet(`/projects/${P.id}/jobs/${ids.J}/artifacts/${bad}`), 400, `job route: ${bad}`);
        assert.equal(await rawGet(`/projects/${P.id}/jobs/artifacts/main/raw/${bad}?job=build`), 400, `ref route: ${bad}`);
      }
      assert.deepEqual(await json(await get(`/projects/${P.id}/jobs/${ids.J}/artifacts/a%00b`)), { message: '400 Bad request' });
      assert.equal(await rawGet(`/projects/${P.id}/jobs/${ids.J}/artifacts/%252e%252e/etc/passwd`), 404);
      assert.equal(await rawGet(`/projects/${P.id}/jobs/${ids.J}/artifacts/../../../etc/passwd`), 400);
      assert.equal((await get(`/projects/${P.id}/jobs/artifacts/main%00/download?job=build`)).status, 400);
      const missing = await get(`/projects/${P.id}/jobs/artifacts/main/download`);
      assert.equal(missing.status, 400);
      assert.deepEqual(await json(missing), { error: 'job is missing' });
    });

    it('the Job entity follows the records: artifacts_file, artifacts (archive and metadata), artifacts_expire_at', async () => {
      const res = await t.api('GET', `/projects/${P.id}/jobs/${ids.J}`, { token: cast.dev.token });
      assertJob(res.body);
      assert.deepEqual(res.body.artifacts_file, { filename: 'ci_build_artifacts.zip', size: ZIP.length });
      assert.deepEqual(res.body.artifacts.map((a: any) => [a.file_type, a.file_format, a.filename]), [['archive', 'zip', 'ci_build_artifacts.zip'], ['metadata', 'gzip', 'metadata.gz']]);
      assert.ok(Math.abs(Date.parse(res.body.artifacts_expire_at) - (Date.now() + 86_400_000)) < 300_000);
    });

    it("artifacts_expire_at is the job's own: still the past date once the sweeper removed the archive (case 50 checks erase clears it)", async () => {
      const other = await privateProject(t, cast);
      const p = await pushPipeline(t, other, { '.gitlab-ci.yml': SIMPLE });
      // A failed pipeline is nobody's latest successful one, so its expired archive is swept.
      const job = await runWithArtifacts(t, await jobNamed(ctx, p.id, 'build'), [archive('a.zip', '1 sec')], 'failed');
      await runWithArtifacts(t, await jobNamed(ctx, p.id, 'secret'), [], 'failed');
      const expireAt = (await artifactRows(ctx, job.id)).find((a) => a.fileType === 'archive')!.expireAt!;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expireAt) - Date.now() + 50)));
      await sweepExpiredArtifacts(ctx);
      assert.equal((await artifactRows(ctx, job.id)).some((a) => a.fileType === 'archive'), false, 'swept');
      const shown = (await t.api('GET', `/projects/${other.id}/jobs/${job.id}`, { token: cast.mnt.token })).body;
      assertJob(shown);
      assert.equal(shown.artifacts_expire_at, expireAt);
      assert.equal(shown.artifacts_file, undefined);
      assert.equal(shown.artifacts.some((a: any) => a.file_type === 'archive'), false);
      const listed = (await t.api('GET', `/projects/${other.id}/jobs`, { token: cast.mnt.token })).body.find((j: any) => j.id === job.id);
      assert.equal(listed.artifacts_expire_at, expireAt);
    });
  });
}
