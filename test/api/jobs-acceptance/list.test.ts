/** §9 cases 1–20: GET /projects/:id/jobs. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServiceContext } from '../../../src/services/context.js';
import type { JobArtifact } from '../../../src/store/job-artifacts-repository.js';
import type { Job } from '../../../src/store/jobs-repository.js';
import type { Pipeline } from '../../../src/store/pipelines-repository.js';
import { DIALECTS } from '../../helpers/databases.js';
import { assertJob } from '../../helpers/entity-schemas.js';
import { addMember, createUser } from '../../helpers/fixtures.js';
import { jobNamed, pushPipeline } from '../../helpers/pipelines.js';
import { request, startTestServer, type TestServer } from '../../helpers/server.js';
import { addArtifacts, createCast, daysFromNow, DEVELOPER, linkUrl, OFFSET_HEADERS, privateProject, reload, run, start, type Cast } from './common.js';

/** J (tagged) then R (a later stage, so a higher id); a manual trigger job that never leaves `manual`. */
const CONFIG = `
stages: [build, test]
j:
  stage: build
  tags: [ruby, linux, docker]
  script: make
r:
  stage: test
  script: make test
trig:
  stage: test
  when: manual
  trigger:
    include: ci/child.yml
`;
const FILES = { 'ci/child.yml': 'child:\n  script: x\n', '.gitlab-ci.yml': CONFIG };

for (const dialect of DIALECTS) {
  describe(`Jobs API acceptance: GET /projects/:id/jobs (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let cast: Cast;
    let project: any;
    let pipeline: Pipeline;
    let J: Job;
    let R: Job;
    let jArtifacts: JobArtifact[];
    const list = (query = '', token: string | null = cast.dev.token) => t.api('GET', `/projects/${project.id}/jobs${query}`, { token });

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      cast = await createCast(t);
      project = await privateProject(t, cast);
      pipeline = await pushPipeline(t, project, FILES);
      J = await run(ctx, await jobNamed(ctx, pipeline.id, 'j'));
      R = await start(ctx, await jobNamed(ctx, pipeline.id, 'r'));
      assert.ok(R.id > J.id, 'R is newer than J');
      // J's artifacts expire in a day (Conveyor keeps the expiry on the archive row).
      jArtifacts = await addArtifacts(ctx, J, ['archive', 'metadata', 'trace', 'junit'], { expireAt: daysFromNow(1) });
      J = await reload(ctx, J.id);
      R = await reload(ctx, R.id);
      pipeline = (await ctx.store.pipelines.findById(pipeline.id))!;
    });
    after(() => t.close());

    it('case 1: developer lists jobs: 200 array with the 17.x offset headers (X-Total only as the documented extension, and then correct)', async () => {
      const res = await list();
      assert.equal(res.status, 200);
      assert.ok(Array.isArray(res.body));
      assertJob(res.body);
      for (const header of OFFSET_HEADERS) assert.notEqual(res.headers.get(header), null, `${header} present`);
      // GitLab 17 leaves X-Total out; Conveyor adds it when counting is cheap (docs/api-extensions.md). Clients accept both.
      const total = res.headers.get('x-total');
      if (total !== null) {
        assert.equal(Number(total), res.body.length);
        assert.equal(res.headers.get('x-total-pages'), '1');
      }
    });

    it("case 2: commit.id is the pipeline sha; artifacts_expire_at and sorted tag_list are J's", async () => {
      const res = await list();
      assertJob(res.body);
      assert.equal(res.body[0].commit.id, pipeline.sha);
      const j = res.body.find((item: any) => item.id === J.id);
      assert.ok(j, 'J listed');
      assert.equal(j.commit.id, pipeline.sha);
      assert.equal(j.artifacts_expire_at, jArtifacts.find((a) => a.fileType === 'archive')!.expireAt);
      assert.deepEqual(j.tag_list, [...J.tagList].sort());
      assert.deepEqual(j.tag_list, ['docker', 'linux', 'ruby']);
    });

    it('case 3: a job without artifacts has no artifacts_file key and artifacts = []', async () => {
      const res = await list();
      assertJob(res.body);
      const r = res.body.find((item: any) => item.id === R.id);
      assert.ok(r, 'R listed');
      assert.equal(Object.hasOwn(r, 'artifacts_file'), false);
      assert.deepEqual(r.artifacts, []);
    });

    it('case 4: a job with archive, metadata, log and junit shows artifacts_file and one artifacts entry per row', async () => {
      const res = await list();
      assertJob(res.body);
      const j = res.body.find((item: any) => item.id === J.id);
      const archive = jArtifacts.find((a) => a.fileType === 'archive')!;
      assert.deepEqual(j.artifacts_file, { filename: archive.filename, size: archive.size });
      const byType = (a: { file_type: string }, b: { file_type: string }) => a.file_type.localeCompare(b.file_type);
      assert.deepEqual(
        [...j.artifacts].sort(byType),
        jArtifacts.map((a) => ({ file_type: a.fileType, size: a.size, filename: a.filename, file_format: a.fileFormat })).sort(byType),
      );
    });

    it("case 5: [0].pipeline has the pipeline's id, ref, sha and status", async () => {
      const res = await list();
      assertJob(res.body);
      const p = res.body[0].pipeline;
      assert.deepEqual([p.id, p.ref, p.sha, p.status], [pipeline.id, pipeline.ref, pipeline.sha, pipeline.status]);
    });

    it('case 6: scope=pending → 200 array', async () => {
      const res = await list('?scope=pending');
      assert.equal(res.status, 200);
      assert.ok(Array.isArray(res.body));
      assertJob(res.body);
      assert.ok(res.body.every((item: any) => item.status === 'pending'));
    });

    it('case 7: scope[]=pending&scope[]=running → 200 array', async () => {
      const res = await list('?scope[]=pending&scope[]=running');
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.ok(res.body.every((item: any) => ['pending', 'running'].includes(item.status)));
      assert.deepEqual(res.body.map((item: any) => item.id), [R.id]);
    });

    it('case 8: scope[]=unknown&scope[]=running → 400 scope does not have a valid value', async () => {
      const res = await list('?scope[]=unknown&scope[]=running');
      assert.deepEqual([res.status, res.body], [400, { error: 'scope does not have a valid value' }]);
    });

    it('case 9: no credentials → 401', async () => {
      const res = await list('', null);
      assert.deepEqual([res.status, res.body], [401, { message: '401 Unauthorized' }]);
    });

    it('case 10: guest → 403', async () => {
      const res = await list('', cast.gst.token);
      assert.deepEqual([res.status, res.body], [403, { message: '403 Forbidden' }]);
    });

    it('case 11: per_page=1 → the running job R (newest first)', async () => {
      const res = await list('?per_page=1');
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.deepEqual(res.body.map((item: any) => item.id), [R.id]);
    });

    it('case 12: page=2&per_page=1 → J', async () => {
      const res = await list('?page=2&per_page=1');
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.deepEqual(res.body.map((item: any) => item.id), [J.id]);
    });

    it('case 13: keyset per_page=1 → R with a cursor Link; following it → J and no Link', async () => {
      const first = await list('?pagination=keyset&per_page=1');
      assert.equal(first.status, 200);
      assertJob(first.body);
      assert.deepEqual(first.body.map((item: any) => item.id), [R.id]);
      assert.match(first.headers.get('link') ?? '', /cursor=/);
      const next = linkUrl(first.headers, 'next');
      assert.ok(next, 'rel="next" link');
      const second = await t.api('GET', next, { token: cast.dev.token });
      assert.equal(second.status, 200);
      assertJob(second.body);
      assert.deepEqual(second.body.map((item: any) => item.id), [J.id]);
      assert.equal(second.headers.get('link'), null);
    });

    it('case 14: keyset with scope[]=success → only J, no Link', async () => {
      const res = await list('?pagination=keyset&scope[]=success');
      assert.equal(res.status, 200);
      assertJob(res.body);
      assert.deepEqual(res.body.map((item: any) => item.id), [J.id]);
      assert.equal(res.headers.get('link'), null);
    });

    it('case 15: keyset ordered by name asc → 405', async () => {
      const res = await list('?pagination=keyset&per_page=1&order_by=name&sort=asc');
      assert.deepEqual([res.status, res.body], [405, { error: 'Keyset pagination is not yet available for this type of request' }]);
    });

    it('case 16: keyset replies do not carry the offset header set', async () => {
      const res = await list('?pagination=keyset&per_page=1');
      assert.equal(res.status, 200);
      for (const header of ['x-total', 'x-total-pages', 'x-page', 'x-per-page', 'x-next-page', 'x-prev-page']) {
        assert.equal(res.headers.get(header), null, `${header} absent`);
      }
    });

    it('case 17: past the rate limit (GitLab default: 600 per minute and user) → 429 with message.error', async () => {
      // A user of their own, so the other cases' requests do not count against the window.
      const busy = await createUser(t);
      await addMember(t, project.id, busy.id, DEVELOPER);
      const LIMIT = 600;
      // Limits are counted per process (docs/architecture.md), so the window is filled on one of them.
      const list = (query: string, token: string) => request(`${t.server.url}/api/v4`, 'GET', `/projects/${project.id}/jobs${query}`, { token });
      for (let sent = 0; sent < LIMIT; sent += 25) {
        const batch = await Promise.all(Array.from({ length: Math.min(25, LIMIT - sent) }, () => list('?per_page=1', busy.token)));
        assert.ok(batch.every((res) => res.status === 200), `requests ${sent + 1}–${sent + batch.length} are allowed`);
      }
      const limited = await list('?per_page=1', busy.token);
      assert.deepEqual([limited.status, limited.body], [429, { message: { error: 'This endpoint has been requested too many times. Try again later.' } }]);
      assert.equal(limited.headers.get('retry-after'), null, 'no Retry-After on this path');
      // Per user: someone else is still served.
      assert.equal((await list('?per_page=1', cast.dev.token)).status, 200);
    });

    it('case 18: per_page=0 → 400; per_page=500 → at most 100 items and X-Per-Page: 100', async () => {
      const zero = await list('?per_page=0');
      assert.deepEqual([zero.status, zero.body], [400, { error: 'per_page has a value not allowed' }]);
      const big = await list('?per_page=500');
      assert.equal(big.status, 200);
      assertJob(big.body);
      assert.ok(big.body.length <= 100);
      assert.equal(big.headers.get('x-per-page'), '100');
    });

    it('case 19: unknown project → 404 Project Not Found; with scope=bogus → 400 (validation first)', async () => {
      const missing = await t.api('GET', '/projects/999999/jobs', { token: cast.dev.token });
      assert.deepEqual([missing.status, missing.body], [404, { message: '404 Project Not Found' }]);
      const bogus = await t.api('GET', '/projects/999999/jobs?scope=bogus', { token: cast.dev.token });
      assert.deepEqual([bogus.status, bogus.body], [400, { error: 'scope does not have a valid value' }]);
    });

    it('case 20: bridges are never listed; retried jobs are', async () => {
      const res = await list('?per_page=100');
      assertJob(res.body);
      const trig = await jobNamed(ctx, pipeline.id, 'trig');
      assert.equal(trig.type, 'bridge');
      assert.ok(!res.body.some((item: any) => item.id === trig.id), 'the trigger job is not listed');
      // A second project with a retried job (failed, then retried by a developer).
      const other = await privateProject(t, cast);
      const p2 = await pushPipeline(t, other, FILES);
      const failed = await run(ctx, await jobNamed(ctx, p2.id, 'j'), 'failed');
      const retry = await t.api('POST', `/projects/${other.id}/jobs/${failed.id}/retry`, { token: cast.dev.token });
      assert.equal(retry.status, 201, retry.text);
      assertJob(retry.body);
      const jobs = await t.api('GET', `/projects/${other.id}/jobs?per_page=100`, { token: cast.dev.token });
      assert.equal(jobs.status, 200);
      assertJob(jobs.body);
      const ids = jobs.body.map((item: any) => item.id);
      assert.ok(ids.includes(failed.id), 'the retried job is listed');
      assert.ok(ids.includes(retry.body.id), 'its successor is listed');
      assert.equal(jobs.body.filter((item: any) => item.name === 'j').length, 2);
      assert.ok(!jobs.body.some((item: any) => item.name === 'trig'), 'no bridges');
    });
  });
}
