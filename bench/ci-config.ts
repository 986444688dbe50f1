/**
 * Compile time of a 300-job `.gitlab-ci.yml` (extends chains, parallel:matrix, needs, rules) and
 * how fast a 10,000-line alias bomb is refused. Usage: node dist/bench/ci-config.js [runs]
 */
import { compilePipeline, type PipelineContext } from '../src/ci-config/index.js';

export function largeConfig(): string {
  const lines: string[] = ['stages: [build, test, deploy]', 'variables:', '  GLOBAL: "1"'];
  lines.push('.root:', '  image: node:20', '  tags: [docker]', '  variables: { LEVEL: root }', '  before_script: [npm ci]');
  lines.push('.middle:', '  extends: .root', '  variables: { LEVEL: middle }', '  retry: 1');
  lines.push('.leaf:', '  extends: .middle', '  artifacts: { paths: [dist/], expire_in: 1 week }', '  cache: { key: deps, paths: [node_modules/] }');
  for (let i = 0; i < 100; i++) lines.push(`build-${i}:`, '  extends: .leaf', '  stage: build', `  script: [make build-${i}]`);
  for (let i = 0; i < 150; i++) {
    lines.push(`test-${i}:`, '  extends: .leaf', '  stage: test', `  needs: [build-${i % 100}]`, `  script: [make test-${i}]`);
    if (i % 15 === 0) lines.push('  parallel:', '    matrix:', '      - NODE: ["18", "20"]', '        DB: [pg, sqlite]');
  }
  for (let i = 0; i < 50; i++) {
    lines.push(`deploy-${i}:`, '  stage: deploy', `  script: [deploy ${i}]`, `  needs: [test-${i}]`, '  rules:', '    - if: $CI_COMMIT_BRANCH == "main"', '      when: manual', '    - when: never');
  }
  return lines.join('\n') + '\n';
}

export function aliasBomb(lines = 10_000): string {
  const out = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < lines; i++) out.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(',')}]`);
  return out.join('\n') + '\n';
}

const ctx: PipelineContext = {
  ref: 'main', tag: false, source: 'push', sha: 'x'.repeat(40), commitMessage: '', changedPaths: null,
  predefinedVariables: { CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main' }, projectVariables: {}, pipelineVariables: {},
};
const files = { read: async () => null, list: async () => [] };

if (process.argv[1]?.endsWith('ci-config.js')) {
  const runs = Number(process.argv[2] ?? 50);
  const text = largeConfig();
  const first = await compilePipeline(text, files, ctx);
  if (first.status !== 'created') throw new Error(JSON.stringify(first));
  for (let i = 0; i < 5; i++) await compilePipeline(text, files, ctx);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await compilePipeline(text, files, ctx);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`300 job definitions (${first.pipeline.jobs.length} jobs after parallel, ${text.split('\n').length} lines): ` +
    `median ${times[Math.floor(runs / 2)].toFixed(1)} ms, p90 ${times[Math.floor(runs * 0.9)].toFixed(1)} ms, min ${times[0].toFixed(1)} ms`);
  const bomb = aliasBomb();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const refused = await compilePipeline(bomb, files, ctx);
  const elapsed = performance.now() - started;
  console.log(`alias bomb (${bomb.split('\n').length} lines, ${(bomb.length / 1024).toFixed(0)} KiB): ${refused.status}` +
    `${refused.status === 'invalid' ? ` "${refused.errors[0]}"` : ''} in ${elapsed.toFixed(0)} ms, heap +${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(0)} MB`);
}
