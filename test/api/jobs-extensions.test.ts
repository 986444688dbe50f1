import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { ServiceContext } from '../../src/services/context.js';
import type { Pipeline } from '../../src/store/pipelines-repository.js';
import { DIALECTS } from '../helpers/databases.js';
import { addMember, createProject, createUser } from '../helpers/fixtures.js';
import { jobNamed, jobsOf, pushPipeline } from '../helpers/pipelines.js';
import { seedJobs } from '../helpers/seed-jobs.js';
import { request, ROOT_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

/** Beyond-GitLab extensions of the Jobs API (docs/api-extensions.md). */

function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(', ')) {
    const m = part.match(/^<([^>]+)>; rel="([^"]+)"$/);
    if (m) out[m[2]] = m[1];
  }
  return out;
}

const CONFIG = `
stages: [build, test, deploy]
compile:
  stage: build
  script: make
lint:
  stage: build
  script: make lint
unit:
  stage: test
  script: make test
deploy:
  stage: deploy
  needs: []
  when: manual
  script: deploy
`;

const T0 = Date.parse('2024-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

for (const dialect of DIALECTS) {
  describe(`Jobs API extensions (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let dev: { id: number; token: string };
    let reporter: { id: number; token: string };
    /** 3 pipelines × 5 seeded jobs on main, 1 × 5 on `stable`; pipeline k starts at T0 + k minutes. */
    let small: any;
    /** COUNT_LIMIT + 1 seeded jobs: too many to count. */
    let big: any;
    let bigIds: { first: number; last: number };

    before(async () => {
      t = await startTestServer(dialect);
      ctx = t.server.app.ctx;
      dev = await createUser(t);
      reporter = await createUser(t);
      small = await createProject(t);
      big = await createProject(t);
      for (const p of [small, big]) {
        await addMember(t, p.id, dev.id, 30);
        await addMember(t, p.id, reporter.id, 20);
      }
      await seedJobs(ctx.store.db, { projectId: small.id, userId: 1, jobs: 15, jobsPerPipeline: 5, start: new Date(T0) });
      await seedJobs(ctx.store.db, { projectId: small.id, userId: 1, jobs: 5, jobsPerPipeline: 5, ref: 'stable', start: new Date(T0 + 10 * 60_000) });
      const seeded = await seedJobs(ctx.store.db, { projectId: big.id, userId: 1, jobs: 10_001, jobsPerPipeline: 100, start: new Date(T0) });
      bigIds = { first: seeded.firstJobId, last: seeded.lastJobId };
    });
    after(() => t.close());

    describe('X-Total on the project job list', () => {
      it('counts up to 10,000 matching jobs and sends rel="last" with X-Total', async () => {
        const res = await t.api('GET', `/projects/${small.id}/jobs?per_page=8&page=2`, { token: reporter.token });
        assert.equal(res.status, 200);
        assert.equal(res.body.length, 8);
        assert.equal(res.headers.get('x-total'), '20');
        assert.equal(res.headers.get('x-total-pages'), '3');
        const rel = links(res.headers.get('link'));
        assert.deepEqual(Object.keys(rel).sort(), ['first', 'last', 'next', 'prev']);
        assert.match(rel.last, /[?&]page=3(&|$)/);
        const last = await t.api('GET', rel.last, { token: reporter.token });
        assert.equal(last.body.length, 4);
        assert.equal(last.headers.get('x-next-page'), '');
        assert.equal(links(last.headers.get('link')).last, rel.last);
      });

      it('counts what the filters select, and says one page for none', async () => {
        const failed = await t.api('GET', `/projects/${small.id}/jobs?scope[]=failed&scope[]=canceled`);
        assert.equal(failed.headers.get('x-total'), String(failed.body.length));
        assert.ok(failed.body.every((j: any) => ['failed', 'canceled'].includes(j.status)));
        const none = await t.api('GET', `/projects/${small.id}/jobs?scope=running`);
        assert.deepEqual([none.body, none.headers.get('x-total'), none.headers.get('x-total-pages')], [[], '0', '1']);
        assert.ok(links(none.headers.get('link')).last);
      });

      it('leaves X-Total, X-Total-Pages and rel="last" out past 10,000 jobs, every time', async () => {
        for (let i = 0; i < 2; i++) {
          const res = await t.api('GET', `/projects/${big.id}/jobs?per_page=100&page=3`);
          assert.equal(res.status, 200);
          assert.equal(res.body.length, 100);
          assert.equal(res.body[0].id, bigIds.last - 200);
          assert.equal(res.headers.get('x-total'), null);
          assert.equal(res.headers.get('x-total-pages'), null);
          assert.deepEqual(Object.keys(links(res.headers.get('link'))).sort(), ['first', 'next', 'prev']);
          assert.equal(res.headers.get('x-next-page'), '4');
        }
        // A filter narrowing the same project is counted again.
        const narrow = await t.api('GET', `/projects/${big.id}/jobs?created_before=${at(60_000)}`);
        assert.equal(narrow.headers.get('x-total'), '100');
      });

      it('sends no count with keyset pagination, as before', async () => {
        const res = await t.api('GET', `/projects/${small.id}/jobs?pagination=keyset&per_page=5`);
        assert.equal(res.headers.get('x-total'), null);
        assert.deepEqual(Object.keys(links(res.headers.get('link'))), ['next']);
      });
    });

    describe('list filters', () => {
      const ids = (res: { body: any[] }) => res.body.map((j: any) => j.id);
      const sortedDesc = (list: number[]) => list.every((id, i) => i === 0 || list[i - 1] > id);

      it('filters by name and ref', async () => {
        // Seeded names: build 1/5, build 2/5, test 3/5, test 4/5, deploy 5/5 in each pipeline.
        const byName = await t.api('GET', `/projects/${small.id}/jobs?name=${encodeURIComponent('build 2/5')}`);
        assert.equal(byName.status, 200);
        assert.equal(byName.body.length, 4);
        assert.ok(byName.body.every((j: any) => j.name === 'build 2/5'));
        const stable = await t.api('GET', `/projects/${small.id}/jobs?ref=stable`);
        assert.equal(stable.body.length, 5);
        assert.ok(stable.body.every((j: any) => j.ref === 'stable' && j.pipeline.ref === 'stable'));
        const both = await t.api('GET', `/projects/${small.id}/jobs?ref=stable&name=${encodeURIComponent('build 2/5')}`);
        assert.equal(both.body.length, 1);
        assert.deepEqual((await t.api('GET', `/projects/${small.id}/jobs?ref=nope`)).body, []);
        assert.deepEqual((await t.api('GET', `/projects/${small.id}/jobs?name=`)).body, []);
      });

      it('filters by creation and update time, bounds excluded', async () => {
        // Pipeline k's job j was created at T0 + k min + j ms; finished ones were updated 30 s later.
        const after1 = await t.api('GET', `/projects/${small.id}/jobs?created_after=${at(60_000)}&per_page=100`);
        assert.equal(after1.status, 200);
        assert.equal(after1.body.length, 14, 'the job created exactly at the bound is left out');
        assert.ok(after1.body.every((j: any) => Date.parse(j.created_at) > T0 + 60_000));
        assert.ok(sortedDesc(ids(after1)));
        const window = await t.api('GET', `/projects/${small.id}/jobs?created_after=${at(59_000)}&created_before=${at(60_003)}`);
        assert.deepEqual(window.body.map((j: any) => j.created_at), [at(60_002), at(60_001), at(60_000)]);
        const offset = await t.api('GET', `/projects/${small.id}/jobs?created_after=${encodeURIComponent('2024-01-01T01:00:59.000+01:00')}`);
        assert.equal(offset.body.length, after1.body.length + 1, 'a zone offset is converted, not compared as text');
        const updated = await t.api('GET', `/projects/${small.id}/jobs?updated_after=${at(30_000)}&updated_before=${at(60_000)}`);
        assert.ok(updated.body.length > 0);
        assert.ok(updated.body.every((j: any) => j.pipeline.id === updated.body[0].pipeline.id && j.finished_at !== null));
        const all = await t.api('GET', `/projects/${small.id}/jobs?updated_before=2030-01-01T00:00:00Z&created_after=2000-01-01T00:00:00Z&per_page=100`);
        assert.equal(all.body.length, 20);
        const invalid = await t.api('GET', `/projects/${small.id}/jobs?created_after=yesterday`);
        assert.deepEqual([invalid.status, invalid.body], [400, { error: 'created_after is invalid' }]);
      });

      it('gives the same answers whether a time filter is narrow or wide (both plans)', async () => {
        // Narrow: a few ids from the time index. Wide (over 10,000 matches): the id index, tested row by row.
        const wide = await t.api('GET', `/projects/${big.id}/jobs?created_after=2000-01-01T00:00:00Z&per_page=100&page=2`);
        assert.deepEqual(ids(wide), Array.from({ length: 100 }, (_, i) => bigIds.last - 100 - i));
        const narrow = await t.api('GET', `/projects/${big.id}/jobs?created_after=${at(60_000 * 50)}&created_before=${at(60_000 * 50 + 3)}`);
        assert.deepEqual(ids(narrow), [bigIds.first + 5002, bigIds.first + 5001]);
        // Wide on creation, narrow on update: only the first pipeline's unfinished jobs (skipped, manual) qualify.
        const mixed = await t.api('GET', `/projects/${big.id}/jobs?created_after=2000-01-01T00:00:00Z&updated_before=${at(30_000)}&per_page=100`);
        assert.equal(mixed.body.length, 20);
        assert.ok(mixed.body.every((j: any) => j.id <= bigIds.first + 99 && ['skipped', 'manual'].includes(j.status)));
        assert.ok(sortedDesc(ids(mixed)));
        const keyset = await t.api('GET', `/projects/${big.id}/jobs?pagination=keyset&per_page=2&created_before=${at(3)}`);
        assert.deepEqual(ids(keyset), [bigIds.first + 2, bigIds.first + 1]);
        const next = await t.api('GET', links(keyset.headers.get('link')).next);
        assert.deepEqual(ids(next), [bigIds.first]);
      });

      it('sorts ascending with sort=asc', async () => {
        const asc = await t.api('GET', `/projects/${small.id}/jobs?sort=asc&per_page=4`);
        const desc = await t.api('GET', `/projects/${small.id}/jobs?sort=desc&per_page=100`);
        assert.deepEqual(ids(asc), ids(desc).slice(-4).reverse());
        const bad = await t.api('GET', `/projects/${small.id}/jobs?sort=sideways`);
        assert.deepEqual([bad.status, bad.body], [400, { error: 'sort does not have a valid value' }]);
      });

      it('has the indexes the filters need, and SQLite takes a narrow window from its time index', async () => {
        const db = ctx.store.db;
        const names = dialect === 'sqlite'
          ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'jobs'`.execute(db)).rows
          : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'jobs'`.execute(db)).rows;
        const have = new Set(names.map((r) => r.name));
        for (const index of ['jobs_project_id', 'jobs_project_status_id', 'jobs_project_name_id', 'jobs_project_ref_id', 'jobs_project_created_at_id', 'jobs_project_updated_at_id']) {
          assert.ok(have.has(index), index);
        }
        if (dialect !== 'sqlite') return;
        const plan = await sql<{ detail: string }>`explain query plan
          select * from jobs where project_id = ${big.id} and type = 'build'
            and id in (select id from jobs where project_id = ${big.id} and created_at > ${at(0)} and created_at < ${at(5)})
          order by id desc limit 21`.execute(db);
        assert.match(plan.rows.map((r) => r.detail).join(' | '), /COVERING INDEX jobs_project_created_at_id/);
      });
    });

    describe('Range on the job log', () => {
      it('answers 416 with the size for a range of the empty log, 200 without Range', async () => {
        const jobId = bigIds.first;
        const url = `${t.apiUrl}/projects/${big.id}/jobs/${jobId}/trace`;
        const whole = await fetch(url, { headers: { 'PRIVATE-TOKEN': reporter.token } });
        assert.equal(whole.status, 200);
        assert.equal(whole.headers.get('accept-ranges'), 'bytes');
        assert.equal(whole.headers.get('content-range'), null);
        assert.equal(await whole.text(), '');
        for (const range of ['bytes=5-', 'bytes=0-', 'bytes=-10']) {
          const res = await fetch(url, { headers: { 'PRIVATE-TOKEN': reporter.token, Range: range } });
          assert.equal(res.status, 416, range);
          assert.equal(res.headers.get('content-range'), 'bytes */0');
          assert.equal(await res.text(), '');
        }
        const malformed = await fetch(url, { headers: { 'PRIVATE-TOKEN': reporter.token, Range: 'bytes=z-' } });
        assert.equal(malformed.status, 200, 'an unreadable Range is ignored');
        const unauthorized = await fetch(url, { headers: { Range: 'bytes=5-' } });
        assert.equal(unauthorized.status, 401, 'authentication comes first');
      });
    });

    describe('bulk cancel', () => {
      let project: any;
      let pipeline: Pipeline;
      before(async () => {
        project = await createProject(t);
        await addMember(t, project.id, dev.id, 30);
        await addMember(t, project.id, reporter.id, 20);
        pipeline = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG });
      });

      it('checks its parameters first: exactly one of job_ids and scope', async () => {
        const cases: Array<[unknown, string]> = [
          [{}, 'job_ids, scope are missing, exactly one parameter must be provided'],
          [{ job_ids: [1], scope: ['pending'] }, 'job_ids, scope are mutually exclusive'],
          [{ job_ids: ['x'] }, 'job_ids is invalid'],
          [{ job_ids: [0] }, 'job_ids is invalid'],
          [{ job_ids: [] }, 'job_ids is empty'],
          [{ job_ids: Array.from({ length: 101 }, (_, i) => i + 1) }, 'job_ids is expected to have length less than or equal to 100'],
          [{ scope: ['pending', 'bogus'] }, 'scope does not have a valid value'],
        ];
        for (const [body, error] of cases) {
          const res = await t.api('POST', `/projects/${project.id}/jobs/cancel`, { token: dev.token, body });
          assert.deepEqual([res.status, res.body], [400, { error }], JSON.stringify(body));
        }
        assert.deepEqual((await t.api('POST', '/projects/999999/jobs/cancel', { token: dev.token, body: { scope: ['pending'] } })).body, { message: '404 Project Not Found' });
        assert.equal((await t.api('POST', `/projects/${project.id}/jobs/cancel`, { token: null, body: { scope: ['pending'] } })).status, 401);
      });

      it('refuses reporters like the single cancel, and changes nothing', async () => {
        const compile = await jobNamed(ctx, pipeline.id, 'compile');
        const single = await t.api('POST', `/projects/${project.id}/jobs/${compile.id}/cancel`, { token: reporter.token });
        const bulk = await t.api('POST', `/projects/${project.id}/jobs/cancel`, { token: reporter.token, body: { job_ids: [compile.id] } });
        assert.deepEqual([bulk.status, bulk.body], [single.status, single.body]);
        assert.equal(bulk.status, 403);
        assert.equal((await jobNamed(ctx, pipeline.id, 'compile')).status, 'pending');
      });

      it('is all or nothing: a job of another project makes it 404 and cancels none', async () => {
        const compile = await jobNamed(ctx, pipeline.id, 'compile');
        const res = await t.api('POST', `/projects/${project.id}/jobs/cancel`, { token: dev.token, body: { job_ids: [compile.id, bigIds.first] } });
        assert.deepEqual([res.status, res.body], [404, { message: '404 Not found' }]);
        assert.equal((await jobNamed(ctx, pipeline.id, 'compile')).status, 'pending');
      });

      it('cancels the given jobs in the given order, from a form body, and returns them (201)', async () => {
        const compile = await jobNamed(ctx, pipeline.id, 'compile');
        const lint = await jobNamed(ctx, pipeline.id, 'lint');
        const res = await t.api('POST', `/projects/${project.id}/jobs/cancel`, {
          token: dev.token,
          rawBody: `job_ids[]=${lint.id}&job_ids[]=${compile.id}&job_ids[]=${lint.id}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(res.body.map((j: any) => [j.id, j.status]), [[lint.id, 'canceled'], [compile.id, 'canceled']]);
        assert.ok(res.body[0].finished_at);
        assert.equal(res.body[0].pipeline.id, pipeline.id);
        const again = await t.api('POST', `/projects/${project.id}/jobs/cancel?job_ids[]=${compile.id}`, { token: dev.token });
        assert.deepEqual([again.status, again.body.map((j: any) => j.status)], [201, ['canceled']], 'finished jobs come back unchanged');
        // The pipeline was processed in the same transaction: it no longer waits for the canceled jobs.
        assert.notEqual((await t.api('GET', `/projects/${project.id}/pipelines/${pipeline.id}`)).body.status, 'pending');
      });

      it('cancels what the list shows for the scope, newest first', async () => {
        const fresh = await pushPipeline(t, project, { '.gitlab-ci.yml': CONFIG }, 'feature');
        const none = await t.api('POST', `/projects/${project.id}/jobs/cancel`, { token: dev.token, body: { scope: 'running' } });
        assert.deepEqual([none.status, none.body], [201, []]);
        const selected = await t.api('GET', `/projects/${project.id}/jobs?scope[]=pending&scope[]=created&per_page=100`, { token: dev.token });
        assert.ok(selected.body.length >= 3);
        const res = await t.api('POST', `/projects/${project.id}/jobs/cancel`, { token: dev.token, body: { scope: ['pending', 'created'] } });
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(res.body.map((j: any) => j.id), selected.body.map((j: any) => j.id), 'what the list shows for that scope, newest first');
        assert.ok(res.body.every((j: any) => j.status === 'canceled'));
        const jobs = await jobsOf(ctx, fresh.id);
        assert.equal(jobs.find((j) => j.name === 'deploy')!.status, 'manual', 'manual jobs were not in the scope');
        assert.ok(jobs.filter((j) => j.name !== 'deploy').every((j) => j.status === 'canceled'));
      });

      it('cancels at most 100 jobs per call', async () => {
        const many = await createProject(t);
        const seeded = await seedJobs(ctx.store.db, { projectId: many.id, userId: 1, jobs: 101, status: 'manual' });
        const first = await t.api('POST', `/projects/${many.id}/jobs/cancel`, { body: { scope: ['manual'] } });
        assert.equal(first.status, 201, first.text);
        assert.equal(first.body.length, 100);
        assert.deepEqual([first.body[0].id, first.body[99].id], [seeded.lastJobId, seeded.firstJobId + 1]);
        assert.ok(first.body.every((j: any) => j.status === 'canceled'));
        const rest = await t.api('POST', `/projects/${many.id}/jobs/cancel`, { body: { scope: ['manual'] } });
        assert.deepEqual(rest.body.map((j: any) => [j.id, j.status]), [[seeded.firstJobId, 'canceled']]);
      });

      it('applies protected-branch rules per job, like the single cancel', async () => {
        const guarded = await createProject(t);
        await addMember(t, guarded.id, dev.id, 30);
        const running = await pushPipeline(t, guarded, { '.gitlab-ci.yml': CONFIG });
        assert.equal((await t.api('POST', `/projects/${guarded.id}/protected_branches`, { body: { name: 'main', push_access_level: 40, merge_access_level: 40 } })).status, 201);
        const compile = await jobNamed(ctx, running.id, 'compile');
        const single = await t.api('POST', `/projects/${guarded.id}/jobs/${compile.id}/cancel`, { token: dev.token });
        const bulk = await t.api('POST', `/projects/${guarded.id}/jobs/cancel`, { token: dev.token, body: { scope: ['pending'] } });
        assert.deepEqual([bulk.status, bulk.body], [single.status, single.body]);
        assert.equal(bulk.status, 403);
        assert.equal((await jobNamed(ctx, running.id, 'compile')).status, 'pending');
        const asRoot = await t.api('POST', `/projects/${guarded.id}/jobs/cancel`, { token: ROOT_TOKEN, body: { scope: ['pending'] } });
        assert.equal(asRoot.status, 201);
        assert.ok(asRoot.body.length >= 2 && asRoot.body.every((j: any) => j.status === 'canceled'));
      });
    });
  });

  describe(`Jobs API rate limit (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let project: any;
    let other: { id: number; token: string };
    before(async () => {
      t = await startTestServer(dialect, { config: { jobsApiRateLimit: 3 } });
      ctx = t.server.app.ctx;
      project = await createProject(t);
      other = await createUser(t);
      await addMember(t, project.id, other.id, 20);
    });
    after(() => t.close());
    // Limits are counted per process (docs/architecture.md): these requests all go to one.
    const api: TestServer['api'] = (method, p, options) => request(`${t.server.url}/api/v4`, method, p, options);

    it('allows the configured number of list requests per user and minute, then 429 as GitLab words it', async () => {
      const now = ctx.clock.now().getTime();
      for (let i = 1; i <= 3; i++) {
        const res = await api('GET', `/projects/${project.id}/jobs`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('ratelimit-limit'), '3');
        assert.equal(res.headers.get('ratelimit-remaining'), String(3 - i));
        const reset = Number(res.headers.get('ratelimit-reset'));
        assert.ok(reset >= Math.floor(now / 1000) + 59 && reset <= Math.ceil(now / 1000) + 61, `reset ${reset}`);
      }
      const limited = await api('GET', `/projects/${project.id}/jobs`);
      assert.deepEqual([limited.status, limited.body], [429, { message: { error: 'This endpoint has been requested too many times. Try again later.' } }]);
      assert.equal(limited.headers.get('ratelimit-remaining'), '0');
      assert.equal(limited.headers.get('retry-after'), null);
      // Per user; other endpoints are not limited; parameter errors are not counted.
      assert.equal((await api('GET', `/projects/${project.id}/jobs`, { token: other.token })).status, 200);
      assert.equal((await api('GET', `/projects/${project.id}/pipelines`)).status, 200);
      assert.equal((await api('GET', `/projects/${project.id}/jobs?scope=bogus`, { token: other.token })).status, 400);
      assert.equal((await api('GET', `/projects/${project.id}/jobs`, { token: other.token })).headers.get('ratelimit-remaining'), '1');
      // Anonymous callers get 401 before any counting.
      assert.equal((await api('GET', `/projects/${project.id}/jobs`, { token: null })).status, 401);
    });

    it('opens a new window a minute after the first request', async () => {
      const clock = ctx.clock;
      try {
        ctx.clock = { now: () => new Date(Date.now() + 61_000) };
        const res = await api('GET', `/projects/${project.id}/jobs`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('ratelimit-remaining'), '2');
      } finally {
        ctx.clock = clock;
      }
    });
  });
}
