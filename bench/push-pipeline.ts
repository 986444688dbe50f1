/**
 * Push a commit whose `.gitlab-ci.yml` defines 300 jobs and time, from the moment `git push` returns,
 * until the pipeline and all its jobs exist. Usage: node dist/bench/push-pipeline.js [runs] [sqlite|postgres]
 */
import { largeConfig } from './ci-config.js';
import { DIALECTS, type TestDialect } from '../test/helpers/databases.js';
import { gitUrl, WorkTree } from '../test/helpers/git.js';
import { ROOT_TOKEN, startTestServer } from '../test/helpers/server.js';
import { runWithServerNodeFlags } from './server-flags.js';

runWithServerNodeFlags();

const runs = Number(process.argv[2] ?? 5);
const dialects = (process.argv[3] ? [process.argv[3]] : DIALECTS) as TestDialect[];
const config = largeConfig();

for (const dialect of dialects) {
  const t = await startTestServer(dialect);
  const project = (await t.api('POST', '/projects', { body: { name: 'bench-push' } })).body;
  const tree = await WorkTree.create();
  const remote = gitUrl(t.url, project.path_with_namespace, { username: 'root', token: ROOT_TOKEN });
  const store = t.server.app.ctx.store;
  const pushTimes: number[] = [];
  const createTimes: number[] = [];
  let jobCount = 0;
  for (let i = 0; i <= runs; i++) {
    await tree.commit('.gitlab-ci.yml', `${config}# run ${i}\n`, `run ${i}`);
    const before = (await store.pipelines.list({ projectId: project.id }, { kind: 'offset', offset: 0, limit: 1, countUpTo: null })).rows[0]?.id ?? 0;
    const pushStarted = performance.now();
    const push = await tree.git(['push', '--quiet', remote, 'HEAD:main']);
    if (push.code !== 0) throw new Error(push.stderr);
    const pushed = performance.now();
    for (;;) {
      const latest = (await store.pipelines.list({ projectId: project.id }, { kind: 'offset', offset: 0, limit: 1, countUpTo: null })).rows[0];
      if (latest && latest.id !== before && latest.status !== 'created') {
        jobCount = (await store.jobs.listByPipeline(latest.id)).length;
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    // The first run warms caches and the JIT; it is not counted.
    if (i > 0) {
      pushTimes.push(pushed - pushStarted);
      createTimes.push(performance.now() - pushed);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(0);
  console.log(`${dialect.padEnd(8)} git push ${median(pushTimes)} ms; push response → pipeline with ${jobCount} jobs processed: median ${median(createTimes)} ms, max ${Math.max(...createTimes).toFixed(0)} ms (${runs} runs)`);
  tree.remove();
  await t.close();
}
