/**
 * Requests per second and latency of Conveyor's read endpoints against a bare node:http server
 * returning the same bytes, in the same run. Usage: node dist/bench/api.js [seconds] [sqlite|postgres]
 */
import { measure } from './alternating.js';
import { startBaseline } from './baseline.js';
import { DIALECTS, type TestDialect } from '../test/helpers/databases.js';
import { ROOT_TOKEN, startTestServer } from '../test/helpers/server.js';
import { runWithServerNodeFlags } from './server-flags.js';

runWithServerNodeFlags();

const seconds = Number(process.argv[2] ?? 5);
const dialects = (process.argv[3] ? [process.argv[3]] : DIALECTS) as TestDialect[];

for (const dialect of dialects) {
  const t = await startTestServer(dialect);
  try {
    const project = await t.api('POST', '/projects', { body: { name: 'bench' } });
    for (let i = 0; i < 40; i++) await t.api('POST', '/projects', { body: { name: `bench-${i}` } });
    const scenarios = [
      { name: 'GET /projects/:id', path: `/api/v4/projects/${project.body.id}` },
      { name: 'GET /projects/root%2Fbench', path: '/api/v4/projects/root%2Fbench' },
      { name: 'GET /projects?per_page=20', path: '/api/v4/projects?per_page=20' },
      { name: 'GET /user', path: '/api/v4/user' },
    ];
    for (const scenario of scenarios) {
      const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };
      const load = { headers, connections: 10 };
      const sample = await fetch(t.url + scenario.path, { headers });
      const body = Buffer.from(await sample.arrayBuffer());
      const copied: Record<string, string> = {};
      for (const name of ['content-type', 'x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages', 'link']) {
        const value = sample.headers.get(name);
        if (value !== null) copied[name] = value;
      }
      const baseline = await startBaseline(body, copied);
      // Warm both servers (JIT, connection pools, statement caches) before measuring.
      await measure(t.url + scenario.path, load, 1);
      const bare = await measure(baseline.url + scenario.path, load, seconds);
      const conveyor = await measure(t.url + scenario.path, load, seconds);
      await baseline.close();
      console.log(
        `${dialect.padEnd(8)} ${scenario.name.padEnd(30)} conveyor ${String(conveyor.rps).padStart(6)} req/s p50 ${conveyor.p50}ms p99 ${conveyor.p99}ms` +
          ` | node:http ${String(bare.rps).padStart(6)} req/s p50 ${bare.p50}ms | ratio ${(conveyor.rps / bare.rps).toFixed(2)} | ${body.length} bytes` +
          (conveyor.errors ? ` | ${conveyor.errors} errors` : ''),
      );
    }
  } finally {
    await t.close();
  }
}
