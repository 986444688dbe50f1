import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The example pipeline a new user sees run: build → test (two parallel jobs) → deploy (manual), with a coloured log. */
const EXAMPLE_CI = `stages: [build, test, deploy]

build:
  stage: build
  script:
    - echo "Building $CI_PROJECT_PATH at $CI_COMMIT_SHORT_SHA"
    - printf '\\033[32mgreen\\033[0m \\033[33myellow\\033[0m \\033[1;34mbold blue\\033[0m\\n'
    - mkdir -p dist && date > dist/build.txt
  artifacts:
    paths: [dist/]

test:
  stage: test
  parallel: 2
  script:
    - echo "Test shard $CI_NODE_INDEX of $CI_NODE_TOTAL"
    - test -d .

deploy:
  stage: deploy
  when: manual
  script:
    - echo "Deploying (play this job to run it)"
`;

const EXAMPLE_README = `# hello

An example project Conveyor made on its first start. Its \`.gitlab-ci.yml\` runs on the built-in runner:
build, then two parallel test jobs, then a manual deploy job.
`;

/**
 * Creates `root/hello` through the API and pushes its first commit over git, the way a user would, so
 * the push starts its pipeline. Skipped when a project of that name exists.
 */
export async function createExampleProject(url: string, rootToken: string): Promise<string | null> {
  const headers = { 'PRIVATE-TOKEN': rootToken, 'content-type': 'application/json' };
  const existing = await fetch(`${url}/api/v4/projects/root%2Fhello`, { headers });
  if (existing.status === 200) return null;
  const created = await fetch(`${url}/api/v4/projects`, { method: 'POST', headers, body: JSON.stringify({ name: 'hello', description: 'Conveyor example project' }) });
  if (created.status !== 201) throw new Error(`creating the example project answered ${created.status}`);
  const project = (await created.json()) as { web_url: string; path_with_namespace: string };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-example-'));
  try {
    fs.writeFileSync(path.join(dir, '.gitlab-ci.yml'), EXAMPLE_CI);
    fs.writeFileSync(path.join(dir, 'README.md'), EXAMPLE_README);
    const env = { ...process.env, GIT_AUTHOR_NAME: 'Conveyor', GIT_AUTHOR_EMAIL: 'conveyor@localhost', GIT_COMMITTER_NAME: 'Conveyor', GIT_COMMITTER_EMAIL: 'conveyor@localhost', GIT_TERMINAL_PROMPT: '0' };
    const git = (...args: string[]) => run('git', args, { cwd: dir, env });
    await git('init', '-q', '-b', 'main');
    await git('add', '.');
    await git('commit', '-q', '-m', 'Example pipeline');
    const remote = new URL(`${url}/${project.path_with_namespace}.git`);
    remote.username = 'root';
    remote.password = rootToken;
    await git('push', '-q', remote.toString(), 'HEAD:main');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return project.web_url;
}
