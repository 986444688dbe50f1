/**
 * The Jobs API over a big project: seeds one project with N jobs (default 1,000,000, in pipelines of 100)
 * straight through the store, then measures with autocannon (50 connections) the job list, one job, and a
 * keyset page near the start against one near the end, each beside a bare node:http server returning the
 * same bytes in the same run, the two measured in alternating rounds (figures: the median round's).
 *
 * Usage: node dist/bench/jobs.js [jobs] [seconds] [sqlite|postgres|both]
 *   BENCH_DATA_DIR=<dir>   SQLite only: keep the data folder and reuse an already seeded project next time.
 *   BENCH_DATABASE_URL=<postgres://...>  PostgreSQL only: use (and keep) this database instead of a throwaway one.
 *   BENCH_CONNECTIONS=<n>  autocannon connections (default 50).
 *   BENCH_ROUNDS=<n>       alternating rounds per scenario (default 5), seconds/n each.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { measure, measurePair, type Pair } from './alternating.js';
import { startBaseline } from './baseline.js';
import type { TestDialect } from '../test/helpers/databases.js';
import { seedJobs } from '../test/helpers/seed-jobs.js';
import { ROOT_TOKEN, startTestServer } from '../test/helpers/server.js';
import { runWithServerNodeFlags } from './server-flags.js';

runWithServerNodeFlags();

const jobCount = Number(process.argv[2] ?? 1_000_000);
const seconds = Number(process.argv[3] ?? 10);
const which = process.argv[4] ?? 'sqlite';
const dialects: TestDialect[] = which === 'both' ? ['sqlite', 'postgres'] : [which as TestDialect];
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const dataDir = process.env.BENCH_DATA_DIR;
const databaseUrl = process.env.BENCH_DATABASE_URL;
const PROJECT = 'bench-jobs';

const cursor = (id: number) => Buffer.from(JSON.stringify({ id: String(id), _kd: 'n' }), 'utf8').toString('base64url');

for (const dialect of dialects) {
  if (dataDir && dialect === 'sqlite') fs.mkdirSync(dataDir, { recursive: true });
  // The rate limit would turn the benchmark into a 429 benchmark.
  const t = await startTestServer(dialect, {
    dataDir: dialect === 'sqlite' ? dataDir : undefined,
    databaseUrl: dialect === 'postgres' ? databaseUrl : undefined,
    config: { jobsApiRateLimit: 0 },
  });
  try {
    const db = t.server.app.ctx.store.db;
    const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };
    let project = (await t.api('GET', `/projects/root%2F${PROJECT}`)).body;
    if (!project.id) project = (await t.api('POST', '/projects', { body: { name: PROJECT } })).body;
    const existing = await db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('project_id', '=', project.id).executeTakeFirstOrThrow();
    if (Number(existing.n) < jobCount) {
      const began = Date.now();
      const seeded = await seedJobs(db, {
        projectId: project.id,
        userId: 1,
        jobs: jobCount - Number(existing.n),
        progress: (n) => {
          if (n % 100_000 === 0) process.stderr.write(`  ${dialect}: ${n} jobs seeded (${((Date.now() - began) / 1000).toFixed(0)} s)\n`);
        },
      });
      console.log(`${dialect}: seeded ${jobCount - Number(existing.n)} jobs (ids ${seeded.firstJobId}..${seeded.lastJobId}) in ${((Date.now() - began) / 1000).toFixed(1)} s`);
      // Statistics (and PostgreSQL's visibility map for index-only scans) as a database in use would have them.
      if (dialect === 'postgres') await sql`VACUUM ANALYZE`.execute(db);
    }
    const bounds = await db
      .selectFrom('jobs')
      .select((eb) => [eb.fn.min('id').as('low'), eb.fn.max('id').as('high')])
      .where('project_id', '=', project.id)
      .executeTakeFirstOrThrow();
    const low = Number(bounds.low);
    const high = Number(bounds.high);
    const base = `/api/v4/projects/${project.id}/jobs`;
    const scenarios = [
      { name: 'GET /jobs?per_page=100', path: `${base}?per_page=100` },
      { name: 'GET /jobs/:job_id', path: `${base}/${Math.floor((low + high) / 2)}` },
      { name: 'keyset page 1 (100)', path: `${base}?pagination=keyset&per_page=100` },
      { name: 'keyset deep page (100)', path: `${base}?pagination=keyset&per_page=100&cursor=${cursor(low + 150)}` },
    ];
    const results = new Map<string, Pair>();
    for (const scenario of scenarios) {
      const sample = await fetch(t.url + scenario.path, { headers });
      const body = Buffer.from(await sample.arrayBuffer());
      if (sample.status !== 200) throw new Error(`${scenario.name}: ${sample.status} ${body.toString()}`);
      const copied: Record<string, string> = {};
      for (const name of ['content-type', 'x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages', 'link', 'x-request-id']) {
        const value = sample.headers.get(name);
        if (value !== null) copied[name] = value;
      }
      const baseline = await startBaseline(body, copied);
      // Warm both servers (JIT, connection pools, statement caches, page cache) before measuring.
      const load = { headers, connections };
      await measure(t.url + scenario.path, load, 2);
      await measure(baseline.url + scenario.path, load, 1);
      const { conveyor, bare, ratio } = await measurePair(t.url + scenario.path, baseline.url + scenario.path, load, seconds, ROUNDS);
      await baseline.close();
      results.set(scenario.name, { conveyor, bare, ratio });
      console.log(
        `${dialect.padEnd(8)} ${scenario.name.padEnd(24)} conveyor ${String(conveyor.rps).padStart(6)} req/s p50 ${conveyor.p50}ms p99 ${conveyor.p99}ms` +
          ` | node:http ${String(bare.rps).padStart(6)} req/s p50 ${bare.p50}ms p99 ${bare.p99}ms | ratio ${ratio.toFixed(2)} | ${body.length} bytes` +
          (conveyor.errors ? ` | ${conveyor.errors} errors` : ''),
      );
    }
    const list = results.get(scenarios[0].name)!;
    const single = results.get(scenarios[1].name)!;
    const first = results.get(scenarios[2].name)!;
    const deep = results.get(scenarios[3].name)!;
    const worstP99 = Math.max(...[...results.values()].map((r) => r.conveyor.p99));
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `${dialect.padEnd(8)} targets (${connections} connections, ${jobCount} jobs):` +
        ` single ${(single.ratio * 100).toFixed(0)}% of bare (>= 40%: ${verdict(single.ratio >= 0.4)});` +
        ` list ${(list.ratio * 100).toFixed(0)}% (>= 25%: ${verdict(list.ratio >= 0.25)});` +
        ` deep/first req/s ${(deep.conveyor.rps / first.conveyor.rps).toFixed(2)}, p50 ${deep.conveyor.p50}/${first.conveyor.p50} ms (within 1.2x: ${verdict(deep.conveyor.rps * 1.2 >= first.conveyor.rps)});` +
        ` worst p99 ${worstP99} ms (< 20 ms: ${verdict(worstP99 < 20)})`,
    );
  } finally {
    await t.close();
  }
}
