/**
 * Scale-out (issue #9): job-list and runner-request throughput of 1, 2 and 3 `conveyor serve` processes on
 * one PostgreSQL database, one on SQLite beside them, and a bare node:http server answering the same bytes,
 * in one run. autocannon spreads its connections over the processes, as a round-robin load balancer would.
 * Every deployment gets a fresh database seeded alike (a project of N jobs to list, a queue of M pending jobs).
 *
 * Usage: node dist/bench/scale.js [seconds per measurement] [listed jobs] [pending jobs]
 *   BENCH_CONNECTIONS=<n>  autocannon connections (default 12: a multiple of 1, 2 and 3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { startBaseline } from './baseline.js';
import { openDatabase } from '../src/store/db.js';
import { startConveyorProcess, type ConveyorProcess } from '../test/helpers/cluster.js';
import { createPostgresDatabase } from '../test/helpers/databases.js';
import { RUNNER_INFO } from '../test/helpers/runners.js';
import { seedJobs } from '../test/helpers/seed-jobs.js';
import { request, ROOT_TOKEN } from '../test/helpers/server.js';

const seconds = Number(process.argv[2] ?? 8);
const listedJobs = Number(process.argv[3] ?? 20_000);
const pendingJobs = Number(process.argv[4] ?? 30_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 12);
const DEPLOYMENTS = [
  { name: 'sqlite ×1', postgres: false, processes: 1 },
  { name: 'postgres ×1', postgres: true, processes: 1 },
  { name: 'postgres ×2', postgres: true, processes: 2 },
  { name: 'postgres ×3', postgres: true, processes: 3 },
];

interface Load {
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}
interface Figures {
  rps: number;
  p99: number;
  status: Record<string, number>;
}

async function measure(urls: string[], pathname: string, load: Load, duration = seconds): Promise<Figures> {
  // autocannon takes several URLs and deals its connections out over them; its types know only one.
  const url = urls.map((u) => u + pathname) as unknown as string;
  const result = await autocannon({ url, connections, duration, ...load });
  const status: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) status[code] = stats?.count ?? 0;
  if (result.errors + result.timeouts > 0) status.errors = result.errors + result.timeouts;
  return { rps: Math.round(result.requests.average), p99: result.latency.p99, status };
}

const json = (token: string, extra: Record<string, unknown> = {}): Load => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ token, system_id: 's_bench', info: RUNNER_INFO, ...extra }),
});

/** Starts the processes, creates the project and runners through the API, then seeds rows through the store. */
async function deploy(deployment: (typeof DEPLOYMENTS)[number], dataDir: string, databaseUrl?: string) {
  const args = ['--long-poll', '0', '--jobs-api-rate-limit', '0'];
  const processes: ConveyorProcess[] = [];
  for (let i = 0; i < deployment.processes; i++) processes.push(await startConveyorProcess({ databaseUrl, dataDir, args }));
  const api = (method: string, p: string, body?: unknown) => request(`${processes[0].url}/api/v4`, method, p, { body });
  const listed = (await api('POST', '/projects', { name: 'bench-list' })).body;
  const queue = (await api('POST', '/projects', { name: 'bench-queue' })).body;
  const idle = (await api('POST', '/user/runners', { runner_type: 'instance_type', tag_list: ['nothing-has-this-tag'], run_untagged: false })).body;
  const worker = (await api('POST', '/user/runners', { runner_type: 'instance_type', tag_list: ['docker', 'linux'] })).body;
  const handle = openDatabase({ databaseUrl, dataDir, poolSize: 4 });
  try {
    await seedJobs(handle.db, { projectId: listed.id, userId: 1, jobs: listedJobs, jobsPerPipeline: 100 });
    await seedJobs(handle.db, { projectId: queue.id, userId: 1, jobs: pendingJobs, jobsPerPipeline: 100, status: 'pending' });
    if (databaseUrl) await sql`VACUUM ANALYZE`.execute(handle.db);
  } finally {
    await handle.close();
  }
  return { processes, urls: processes.map((p) => p.url), listPath: `/api/v4/projects/${listed.id}/jobs?per_page=100`, idle: idle.token as string, worker: worker.token as string };
}

/** The queue version every process answers with; processes agree once the runners' NOTIFYs have reached them all. */
async function sharedVersion(urls: string[], token: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const versions = await Promise.all(urls.map(async (url) => (await fetch(`${url}/api/v4/jobs/request`, json(token))).headers.get('x-gitlab-last-update')));
    if (versions[0] && versions.every((v) => v === versions[0])) return versions[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the processes never agreed on a queue version');
}

const rows: Array<{ name: string; list: Figures; idle: Figures; assign: Figures; load: number }> = [];
let baseline: { list: Figures; idle: Figures } | null = null;
const loadBefore = os.loadavg();

for (const deployment of DEPLOYMENTS) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-scale-'));
  const database = deployment.postgres ? await createPostgresDatabase() : null;
  const began = Date.now();
  const d = await deploy(deployment, dataDir, database?.url);
  process.stderr.write(`${deployment.name}: started and seeded in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  try {
    const listLoad: Load = { headers: { 'PRIVATE-TOKEN': ROOT_TOKEN } };
    const idleLoad = json(d.idle, { last_update: await sharedVersion(d.urls, d.idle) });
    if (!baseline) {
      const sample = await fetch(d.urls[0] + d.listPath, listLoad);
      const body = Buffer.from(await sample.arrayBuffer());
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'x-page', 'x-per-page', 'x-next-page', 'x-total', 'x-total-pages', 'link', 'x-request-id']) {
        const value = sample.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      const bareList = await startBaseline(body, headers);
      const bareIdle = await startBaseline(Buffer.alloc(0), { 'x-gitlab-last-update': 'v', 'gitlab-ci-builds-polling': 'yes' });
      await measure([bareList.url], d.listPath, listLoad, 1);
      baseline = { list: await measure([bareList.url], d.listPath, listLoad), idle: await measure([bareIdle.url], '/api/v4/jobs/request', idleLoad) };
      await Promise.all([bareList.close(), bareIdle.close()]);
    }
    // Warm every process (JIT, pools, statement and page caches) before measuring.
    await measure(d.urls, d.listPath, listLoad, 2);
    // Other work on the machine moves these figures more than anything measured here: each row says how busy it was.
    const load = os.loadavg()[0];
    const list = await measure(d.urls, d.listPath, listLoad);
    const idle = await measure(d.urls, '/api/v4/jobs/request', idleLoad);
    const assign = await measure(d.urls, '/api/v4/jobs/request', json(d.worker));
    rows.push({ name: deployment.name, list, idle, assign, load });
    process.stderr.write(`${deployment.name}: ${JSON.stringify({ list: list.status, idle: idle.status, assign: assign.status })}\n`);
  } finally {
    await Promise.all(d.processes.map((p) => p.stop()));
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const cell = (f: Figures, code: string) => `${String(Math.round((f.status[code] ?? 0) / seconds)).padStart(6)}/s p99 ${String(f.p99).padStart(4)} ms`;
console.log(`${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}); load average before ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${connections} connections, ${seconds} s each; list: ${listedJobs} jobs, per_page=100; assignment from ${pendingJobs} pending jobs`);
console.log(`${'deployment'.padEnd(12)} | ${'GET /jobs?per_page=100'.padEnd(22)} | ${'POST /jobs/request 201'.padEnd(22)} | ${'idle POST /jobs/request 204'.padEnd(22)} | load`);
console.log(`${'node:http'.padEnd(12)} | ${cell(baseline!.list, '200')} | ${'-'.padEnd(22)} | ${cell(baseline!.idle, '200')} |`);
for (const row of rows) console.log(`${row.name.padEnd(12)} | ${cell(row.list, '200')} | ${cell(row.assign, '201')} | ${cell(row.idle, '204')} | ${row.load.toFixed(1)}`);
const drained = rows.filter((row) => (row.assign.status['204'] ?? 0) > 0).map((row) => row.name);
if (drained.length > 0) console.log(`the queue ran dry during assignment on ${drained.join(', ')}: raise the pending jobs`);
