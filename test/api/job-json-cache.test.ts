import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { ServiceContext } from '../../src/services/context.js';
import { createPostgresDatabase, DIALECTS } from '../helpers/databases.js';
import { createProject } from '../helpers/fixtures.js';
import { seedJobs } from '../helpers/seed-jobs.js';
import { request, ROOT_TOKEN, shiftClocks, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Job lists and GET /jobs/:id keep the JSON of settled jobs between replies (entities/job-json-cache.ts).
 * Whatever changes (through the API, by SQL that bypasses the repository, in another server process), a
 * list must show what a fresh rendering shows: GET /jobs/:id of each job once the kept JSON is forgotten.
 */
/** The TypeScript files under `dir`, relative to the project. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

for (const dialect of DIALECTS) {
  describe(`Job lists with kept job JSON (${dialect})`, () => {
    let t: TestServer;
    let ctx: ServiceContext;
    let project: any;
    let ids: number[];
    /** PostgreSQL: a database of the test's own, so that a second server can join it. */
    let database: { url: string; drop(): Promise<void> } | undefined;

    async function list(base = t.apiUrl, path = `/projects/${project.id}/jobs?per_page=100`): Promise<{ text: string; jobs: any[] }> {
      const res = await fetch(base + path, { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } });
      assert.equal(res.status, 200);
      const text = await res.text();
      return { text, jobs: JSON.parse(text) };
    }

    /** Every listed job as a fresh GET /jobs/:id shows it (but the durations of unfinished jobs, which move between the two). */
    async function assertListShowsSingles(path?: string): Promise<any[]> {
      const { jobs } = await list(undefined, path);
      for (const server of t.servers) server.app.jobJson.clear();
      for (const job of jobs) {
        const single = (await t.api('GET', `/projects/${project.id}/jobs/${job.id}`)).body;
        for (const key of ['duration', 'queued_duration']) {
          if (job.finished_at === null && typeof job[key] === 'number') {
            assert.ok(Math.abs(single[key] - job[key]) < 5, `job ${job.id} ${key}`);
            single[key] = job[key];
          }
        }
        assert.deepEqual(job, single, `job ${job.id}`);
      }
      return jobs;
    }

    const listed = async (id: number) => (await list()).jobs.find((j) => j.id === id);

    before(async () => {
      database = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
      t = await startTestServer(dialect, { databaseUrl: database?.url });
      ctx = t.server.app.ctx;
      project = await createProject(t, { name: 'kept-json' });
      const seeded = await seedJobs(ctx.store.db, { projectId: project.id, userId: 1, jobs: 40, jobsPerPipeline: 10 });
      ids = [];
      for (let id = seeded.firstJobId; id <= seeded.lastJobId; id++) ids.push(id);
    });
    after(async () => {
      await t.close();
      await database?.drop();
    });

    it('answers the same bytes from kept JSON as from rendering, and each job as GET /jobs/:id does', async () => {
      const first = await list();
      const second = await list();
      assert.equal(first.jobs.length, 40);
      assert.equal(second.text, first.text);
      // One job: kept the first time, filled in the second.
      const one = await t.api('GET', `/projects/${project.id}/jobs/${ids[3]}`);
      assert.deepEqual((await t.api('GET', `/projects/${project.id}/jobs/${ids[3]}`)).body, one.body);
      await assertListShowsSingles();
      // The pipeline list of jobs keeps and fills in the same way.
      const pipelineId = first.jobs[0].pipeline.id;
      const ofPipeline = await list(undefined, `/projects/${project.id}/pipelines/${pipelineId}/jobs`);
      assert.deepEqual(ofPipeline.jobs, first.jobs.filter((j) => j.pipeline.id === pipelineId));
    });

    it('shows a change made through the API (play)', async () => {
      const manual = (await list()).jobs.filter((j) => j.status === 'manual');
      assert.ok(manual.length >= 2);
      assert.equal((await t.api('POST', `/projects/${project.id}/jobs/${manual[0].id}/play`)).status, 200);
      assert.equal((await listed(manual[0].id)).status, 'pending');
      await assertListShowsSingles();
    });

    it('shows a change the repository makes (it moves the lock_version)', async () => {
      const id = ids[4];
      await list();
      const before = await ctx.store.db.selectFrom('jobs').select('lock_version').where('id', '=', id).executeTakeFirstOrThrow();
      await ctx.store.jobs.update(id, { coverage: 12.5 });
      assert.equal((await listed(id)).coverage, 12.5);
      const after = await ctx.store.db.selectFrom('jobs').select('lock_version').where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(after.lock_version > before.lock_version);
      await assertListShowsSingles();
    });

    it('keeps names with multi-byte characters whole (the kept JSON is cut by bytes)', async () => {
      const id = ids[6];
      const name = 'déploiement ☃ 日本 \u{1F680} "quoted"';
      // Not a repository update: a test's own, moving lock_version as the repositories do.
      await ctx.store.db.updateTable('jobs').set({ name, lock_version: sql`lock_version + 1` }).where('id', '=', id).execute();
      assert.equal((await listed(id)).name, name);
      assert.equal((await listed(id)).name, name);
      assert.equal((await t.api('GET', `/projects/${project.id}/jobs/${id}`)).body.name, name);
      await assertListShowsSingles();
    });

    it('has no job updates outside the repositories that move the lock_version', () => {
      // Migrations run before any process keeps a rendering.
      const updaters = sourceFiles('src').filter((file) => !file.includes('/migrations/')).filter((file) => /updateTable\(\s*'jobs'|update\s+"?jobs"?\s+set/i.test(fs.readFileSync(file, 'utf8')));
      assert.deepEqual(updaters.sort(), ['src/store/job-artifacts-repository.ts', 'src/store/jobs-repository.ts']);
    });

    if (dialect === 'postgres') {
      it('shows a change made by SQL that bypasses the repository (the lock_version trigger)', async () => {
        const id = ids[5];
        await list();
        await ctx.store.db.updateTable('jobs').set({ name: 'renamed-by-sql', coverage: 42.5 }).where('id', '=', id).execute();
        const job = await listed(id);
        assert.equal(job.name, 'renamed-by-sql');
        assert.equal(job.coverage, 42.5);
        await assertListShowsSingles();
      });
    }

    it('fills in what a job links to afresh: its pipeline, its user and its artifacts', async () => {
      const id = ids[7];
      const before = await listed(id);
      await ctx.store.db.updateTable('pipelines').set({ status: 'failed' }).where('id', '=', before.pipeline.id).execute();
      await ctx.store.db.updateTable('users').set({ name: 'Renamed Root' }).where('id', '=', 1).execute();
      await ctx.store.db
        .insertInto('job_artifacts')
        .values({
          project_id: project.id, job_id: id, file_type: 'archive', file_format: 'zip', filename: 'artifacts.zip', size: 123, sha256: null,
          blob_key: 'kept-json/archive', expire_at: null, locked: 0, created_at: new Date().toISOString(),
        })
        .execute();
      const after = await listed(id);
      assert.equal(after.pipeline.status, 'failed');
      assert.equal(after.user.name, 'Renamed Root');
      assert.deepEqual(after.artifacts_file, { filename: 'artifacts.zip', size: 123 });
      assert.deepEqual(after.artifacts, [{ file_type: 'archive', size: 123, filename: 'artifacts.zip', file_format: 'zip' }]);
      await assertListShowsSingles();
    });

    it('keeps a commit with the job, and a job kept without its commit shows the commit once it is there', async () => {
      const id = ids[8];
      const before = await listed(id);
      assert.ok(before.commit);
      const row = await ctx.store.db.selectFrom('commits').selectAll().where('project_id', '=', project.id).where('sha', '=', before.commit.id).executeTakeFirstOrThrow();
      await ctx.store.db.deleteFrom('commits').where('id', '=', row.id).execute();
      await ctx.store.jobs.update(id, { coverage: 1 });
      assert.equal((await listed(id)).commit, null);
      await ctx.store.db.insertInto('commits').values(row).execute();
      assert.deepEqual((await listed(id)).commit, before.commit);
      await assertListShowsSingles();
    });

    it('follows a rename of the project into web_url', async () => {
      await list();
      const renamed = await t.api('PUT', `/projects/${project.id}`, { body: { path: 'kept-json-renamed' } });
      assert.equal(renamed.status, 200);
      const jobs = await assertListShowsSingles();
      assert.ok(jobs.every((j) => j.web_url.includes('/root/kept-json-renamed/-/jobs/')));
    });

    it('renders a running job every time: its duration moves with the clock', async () => {
      const id = ids[9];
      const started = new Date(Date.now() - 10_000).toISOString();
      await ctx.store.jobs.update(id, { status: 'running', startedAt: started, finishedAt: null });
      const now = await listed(id);
      const restore = shiftClocks(t, 60_000);
      try {
        const later = await listed(id);
        assert.ok(later.duration - now.duration >= 59, `${now.duration} -> ${later.duration}`);
      } finally {
        restore();
      }
      await assertListShowsSingles();
    });

    it("shows each job's own artifacts whether a page's ids are neighbours (one range) or far apart (a list)", async () => {
      const a = await createProject(t, { name: 'artifacts-a' });
      const b = await createProject(t, { name: 'artifacts-b' });
      const first = await seedJobs(ctx.store.db, { projectId: a.id, userId: 1, jobs: 10, jobsPerPipeline: 10 });
      const between = await seedJobs(ctx.store.db, { projectId: b.id, userId: 1, jobs: 10, jobsPerPipeline: 10 });
      const second = await seedJobs(ctx.store.db, { projectId: a.id, userId: 1, jobs: 10, jobsPerPipeline: 10 });
      const artifact = (projectId: number, jobId: number, filename: string) => ({
        project_id: projectId, job_id: jobId, file_type: 'archive', file_format: 'zip', filename, size: 7, sha256: null,
        blob_key: `kept-json/${jobId}`, expire_at: null, locked: 0, created_at: new Date().toISOString(),
      });
      await ctx.store.db
        .insertInto('job_artifacts')
        .values([artifact(a.id, first.firstJobId + 3, 'a-early.zip'), artifact(b.id, between.firstJobId + 3, 'b.zip'), artifact(a.id, second.firstJobId + 3, 'a-late.zip')])
        .execute();
      const files = (jobs: any[]) => Object.fromEntries(jobs.filter((j) => j.artifacts.length > 0).map((j) => [j.id, j.artifacts_file.filename]));
      const page = (await list(undefined, `/projects/${a.id}/jobs?per_page=100`)).jobs;
      assert.equal(page.length, 20);
      assert.deepEqual(files(page), { [first.firstJobId + 3]: 'a-early.zip', [second.firstJobId + 3]: 'a-late.zip' });
      // One job of each pipeline: ids ten apart.
      const name = page.find((j) => j.id === first.firstJobId + 3).name;
      const sparse = (await list(undefined, `/projects/${a.id}/jobs?name=${encodeURIComponent(name)}`)).jobs;
      assert.deepEqual(sparse.map((j) => j.id), [second.firstJobId + 3, first.firstJobId + 3]);
      assert.deepEqual(files(sparse), { [first.firstJobId + 3]: 'a-early.zip', [second.firstJobId + 3]: 'a-late.zip' });
    });

    if (dialect === 'postgres') {
      it('shows a change made by another server process on the same database', async () => {
        const other = await startTestServer('postgres', { databaseUrl: database!.url });
        try {
          const manual = (await list()).jobs.filter((j) => j.status === 'manual');
          await list(other.apiUrl);
          assert.equal((await request(other.apiUrl, 'POST', `/projects/${project.id}/jobs/${manual[0].id}/play`)).status, 200);
          assert.equal((await listed(manual[0].id)).status, 'pending');
          await assertListShowsSingles();
        } finally {
          await other.close();
        }
      });
    }
  });
}
