/**
 * The runner protocol under load (issue #6), each figure beside a bare node:http server where one applies:
 * 1. an idle `POST /jobs/request` (its `last_update` current, the server without long polling, so answered
 *    at once without a query) vs node:http answering the same 204 and headers, in alternating rounds
 *    (BENCH_ROUNDS, default 5; figures: the median round's);
 * 2. assignment throughput from a deep queue (N pending jobs seeded through the store; C clients taking
 *    jobs as fast as they are answered), for 8 and for 32 runners asking at once;
 * 3. `PATCH /jobs/:id/trace` ingest of 64 KiB chunks (C running jobs, each appending in order), likewise,
 *    in alternating rounds with node:http doing only the durable writes (bench/baseline.ts): that floor is
 *    the disk's, and this shared VM's disk changes speed from hour to hour.
 * Writes are durable before every answer, so throughput grows with concurrency (more writes share each
 * fsync); the targets are checked at 32 runners, a fleet that would need this throughput.
 * The clients of 2 and 3 run in a worker thread (runner-clients.ts), on the other core, as runners are other
 * machines; autocannon, which costs far less per request, stays in this thread for 1.
 *
 * Usage: node dist/bench/runner.js [sqlite|postgres|both] [queued jobs] [seconds]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { alternate, measure, measurePair, median } from './alternating.js';
import { startBaseline, startDurableTraceBaseline } from './baseline.js';
import type { ClientsResult, ClientsTask } from './runner-clients.js';
import type { TestDialect } from '../test/helpers/databases.js';
import { createRunner, RUNNER_INFO } from '../test/helpers/runners.js';
import { seedJobs } from '../test/helpers/seed-jobs.js';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { runWithServerNodeFlags } from './server-flags.js';

runWithServerNodeFlags();

const which = process.argv[2] ?? 'sqlite';
const dialects: TestDialect[] = which === 'both' ? ['sqlite', 'postgres'] : [which as TestDialect];
const queued = Number(process.argv[3] ?? 50_000);
const seconds = Number(process.argv[4] ?? 10);
const CLIENT_COUNTS = (process.env.BENCH_CLIENTS ?? '8,32').split(',').map(Number);
const TARGET_CLIENTS = 32;
const CHUNK = 64 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function idleRequests(t: TestServer, token: string): Promise<void> {
  const first = await fetch(`${t.apiUrl}/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  // What an idle gitlab-runner sends: its last X-GitLab-Last-Update, still current (the server runs with --long-poll 0).
  const body = JSON.stringify({ token, system_id: 's_bench', last_update: first.headers.get('x-gitlab-last-update'), info: RUNNER_INFO });
  const request = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body };
  const sample = await fetch(`${t.apiUrl}/jobs/request`, request);
  if (sample.status !== 204) throw new Error(`idle poll answered ${sample.status}`);
  const headers: Record<string, string> = {};
  for (const name of ['gitlab-ci-builds-polling', 'x-gitlab-last-update', 'x-request-id']) {
    const value = sample.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const baseline = await startBaseline(Buffer.alloc(0), headers);
  const load = { connections: 10, ...request };
  await measure(`${t.apiUrl}/jobs/request`, load, 2);
  const { conveyor: ours, bare, ratio } = await measurePair(`${t.apiUrl}/jobs/request`, `${baseline.url}/api/v4/jobs/request`, load, seconds, ROUNDS);
  await baseline.close();
  console.log(
    `${t.dialect.padEnd(8)} idle POST /jobs/request (204): conveyor ${ours.rps} req/s p99 ${ours.p99} ms` +
      ` | node:http ${bare.rps} req/s | ratio ${ratio.toFixed(2)} (>= 0.60: ${ratio >= 0.6 ? 'met' : 'NOT met'})` +
      (ours.errors ? ` | ${ours.errors} errors` : ''),
  );
}

/** Runs the clients in a worker thread (bench/runner-clients.ts) and answers what they did. */
function runClients(task: ClientsTask): Promise<ClientsResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./runner-clients.js', import.meta.url), { workerData: task });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

const verdict = (clients: number, met: boolean) => (clients === TARGET_CLIENTS ? (met ? 'met' : 'NOT met') : `target checked at ${TARGET_CLIENTS}`);

async function assignment(t: TestServer, token: string, clients: number): Promise<Array<{ id: number; token: string }>> {
  const result = await runClients({ kind: 'assign', apiUrl: t.apiUrl, clients, seconds, runnerToken: token, runnerInfo: RUNNER_INFO });
  const rate = result.taken.length / result.elapsedSeconds;
  console.log(
    `${t.dialect.padEnd(8)} assignment from a queue of ${queued}, ${clients} runners: ${result.taken.length} jobs in ${result.elapsedSeconds.toFixed(1)} s = ${Math.round(rate)} jobs/s` +
      ` (>= 1500 on SQLite: ${verdict(clients, rate >= 1500)})`,
  );
  return result.taken;
}

/**
 * Log ingest beside the durable floor (bench/baseline.ts: node:http writing each patch with O_DSYNC, nothing
 * else), in alternating rounds as the other figures, each round of both on jobs of its own (a resent offset
 * would be acknowledged without a write). Figures: the median round's.
 */
async function traceIngest(t: TestServer, takeJobs: (count: number) => Array<{ id: number; token: string }>, clients: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-bench-trace-'));
  const baseline = await startDurableTraceBaseline(dir);
  const each = Math.max(1, Math.round(seconds / ROUNDS));
  const trace = (apiUrl: string, jobs: Array<{ id: number; token: string }>) => runClients({ kind: 'trace', apiUrl, clients, seconds: each, jobs, chunkBytes: CHUNK });
  let rounds: Array<{ conveyor: ClientsResult; bare: ClientsResult }>;
  try {
    rounds = await alternate(
      ROUNDS,
      // Two jobs per client: spares for clients whose job's log fills up (100 MiB).
      () => trace(`${baseline.url}/api/v4`, takeJobs(clients * 2)),
      () => trace(t.apiUrl, takeJobs(clients * 2)),
    );
  } finally {
    await baseline.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rate = (result: ClientsResult) => result.bytes / result.elapsedSeconds / 1e6;
  const ours = median(rounds.map((r) => rate(r.conveyor)));
  const bare = median(rounds.map((r) => rate(r.bare)));
  const ratio = median(rounds.map((r) => rate(r.conveyor) / rate(r.bare)));
  const stored = rounds.reduce((sum, r) => sum + r.conveyor.bytes, 0);
  console.log(
    `${t.dialect.padEnd(8)} PATCH /trace 64 KiB chunks, ${clients} jobs at once: conveyor ${ours.toFixed(0)} MB/s` +
      ` | node:http + O_DSYNC writes ${bare.toFixed(0)} MB/s | ratio ${ratio.toFixed(2)} | ${(stored / 1e6).toFixed(0)} MB stored in ${ROUNDS} rounds` +
      ` (>= 150 MB/s: ${verdict(clients, ours >= 150)}), every chunk on disk before its 202`,
  );
}

for (const dialect of dialects) {
  const t = await startTestServer(dialect, { config: { longPollSeconds: 0 } });
  try {
    const idle = await createRunner(t, { tag_list: ['nothing-has-this-tag'], run_untagged: false });
    await idleRequests(t, idle.token);
    const worker = await createRunner(t, { tag_list: ['docker', 'linux'] });
    const project = (await t.api('POST', '/projects', { body: { name: `bench-queue-${Date.now()}` } })).body;
    await seedJobs(t.server.app.ctx.store.db, { projectId: project.id, userId: 1, jobs: queued, jobsPerPipeline: 100, status: 'pending' });
    const taken: Array<{ id: number; token: string }> = [];
    for (const clients of CLIENT_COUNTS) taken.push(...(await assignment(t, worker.token, clients)));
    let next = 0;
    const takeJobs = (count: number) => {
      if (next + count > taken.length) throw new Error(`the log benchmark needs ${count} more running jobs than assignment took`);
      next += count;
      return taken.slice(next - count, next);
    };
    for (const clients of CLIENT_COUNTS) await traceIngest(t, takeJobs, clients);
  } finally {
    await t.close();
  }
}
