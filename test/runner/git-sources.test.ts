import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Runner } from '../../src/runner/index.js';
import { projectPath, shortToken } from '../../src/runner/build-dirs.js';
import { FakeGitLab, jobPayload } from './fake-gitlab.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' },
  }).trim();
}

describe('runner: getting sources with git', () => {
  let gitlab: FakeGitLab;
  let runner: Runner;
  let root: string;
  let repoUrl: string;
  const shas: string[] = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-runner-git-'));
    const work = path.join(root, 'work');
    fs.mkdirSync(work);
    git(work, 'init', '-q', '-b', 'main');
    for (const n of [1, 2, 3]) {
      fs.writeFileSync(path.join(work, 'file.txt'), `version ${n}\n`);
      fs.writeFileSync(path.join(work, '.gitignore'), 'ignored.txt\n');
      git(work, 'add', '.');
      git(work, 'commit', '-q', '-m', `commit ${n}`);
      shas.push(git(work, 'rev-parse', 'HEAD'));
    }
    const bare = path.join(root, 'acme', 'demo.git');
    git(root, 'clone', '-q', '--bare', work, bare);
    repoUrl = `file://${bare}`;
    gitlab = await FakeGitLab.start();
    runner = new Runner({ url: gitlab.url, token: 'glrt-t1_gitsources', buildsDir: path.join(root, 'builds'), concurrent: 1, checkInterval: 50, cancelCheckInterval: 200 });
    runner.start();
  });

  after(async () => {
    await runner.stop();
    await gitlab.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const gitInfo = (sha: string, extra: object = {}) => ({ repo_url: repoUrl, ref: 'main', sha, ref_type: 'branch', refspecs: ['+refs/heads/main:refs/remotes/origin/main'], depth: 0, ...extra });

  async function run(script: string[], sha: string, variables: any[] = [], extra: object = {}, hooks: any[] = []) {
    const payload = { ...jobPayload({ script, git: gitInfo(sha, extra), variables }), hooks };
    gitlab.addJob(payload);
    const job = await gitlab.finished(payload.id);
    return { job, log: job.trace.toString() };
  }

  it('names build folders like gitlab-runner', () => {
    assert.equal(shortToken('glrt-t1_gitsources'), 'gitsourc');
    assert.equal(shortToken('glrt-abcdefghij'), 'abcdefgh');
    assert.equal(shortToken('legacy123456'), 'legacy12');
    assert.equal(projectPath({ id: 1, token: 't', git_info: { repo_url: 'http://gitlab-ci-token:x@h:8080/group/sub/proj.git' } }), 'group/sub/proj');
    assert.equal(projectPath({ id: 1, token: 't', git_info: { repo_url: 'http://h/a/../../etc.git' } }).includes('..'), false);
    assert.equal(projectPath({ id: 9, token: 't', job_info: { project_id: 4 } }), 'project-4');
  });

  it('fetches, checks out the sha and cleans untracked and ignored files on the next job', async () => {
    const first = await run(['cat file.txt', 'touch untracked.txt ignored.txt', 'git rev-parse HEAD'], shas[1]);
    assert.equal(first.job.final.state, 'success', first.log);
    assert.match(first.log, /Fetching changes\.\.\./);
    assert.match(first.log, /Created fresh repository\./);
    assert.match(first.log, new RegExp(`Checking out ${shas[1].slice(0, 8)} as detached HEAD \\(ref is main\\)`));
    assert.match(first.log, /\nversion 2\n/);
    assert.match(first.log, new RegExp(`\n${shas[1]}\n`));
    assert.match(first.log, /section_start:\d+:get_sources\r\x1b\[0K\x1b\[36;1mGetting source from Git repository/);

    const second = await run(['cat file.txt', 'test ! -e untracked.txt && test ! -e ignored.txt && echo clean'], shas[2]);
    assert.equal(second.job.final.state, 'success', second.log);
    assert.ok(!second.log.includes('Created fresh repository'), 'the fetch strategy reuses the checkout');
    assert.match(second.log, /\nversion 3\n/);
    assert.match(second.log, /Removing ignored\.txt\nRemoving untracked\.txt\n/);
    assert.match(second.log, /\nclean\n/);
  });

  it('honours GIT_DEPTH, GIT_STRATEGY=clone and GIT_CHECKOUT=false', async () => {
    const shallow = await run(['git rev-list --count HEAD', 'touch marker'], shas[2], [{ key: 'GIT_DEPTH', value: '1', public: true, masked: false }, { key: 'GIT_STRATEGY', value: 'clone', public: true, masked: false }]);
    assert.equal(shallow.job.final.state, 'success', shallow.log);
    assert.match(shallow.log, /Fetching changes with git depth set to 1\.\.\./);
    assert.match(shallow.log, /Created fresh repository\./);
    assert.match(shallow.log, /\n1\n/);

    const noCheckout = await run(['test ! -e file.txt && echo no-file'], shas[2], [
      { key: 'GIT_STRATEGY', value: 'clone', public: true, masked: false },
      { key: 'GIT_CHECKOUT', value: 'false', public: true, masked: false },
    ]);
    assert.equal(noCheckout.job.final.state, 'success', noCheckout.log);
    assert.match(noCheckout.log, /Skipping Git checkout/);
    assert.match(noCheckout.log, /\nno-file\n/);
  });

  it('runs hooks:pre_get_sources_script before the checkout and post_get_sources_script inside it', async () => {
    const hooked = await run(['echo script'], shas[0], [], {}, [
      { name: 'pre_get_sources_script', script: ['echo "pre in $(basename "$PWD")"'] },
      { name: 'post_get_sources_script', script: ['echo "post at $(git rev-parse HEAD)"'] },
    ]);
    assert.equal(hooked.job.final.state, 'success', hooked.log);
    assert.match(hooked.log, /\npre in acme\n[^]*Fetching changes[^]*\npost at [0-9a-f]{40}\n[^]*\nscript\n/);

    const failing = await run(['echo never'], shas[0], [], {}, [{ name: 'pre_get_sources_script', script: ['exit 5'] }]);
    assert.equal(failing.job.final.state, 'failed');
    assert.equal(failing.job.final.exit_code, 5);
    assert.ok(!failing.log.includes('Fetching changes'));
  });

  it('GIT_STRATEGY=empty gives an empty directory; an unknown sha fails the job in get_sources', async () => {
    const empty = await run(['ls -A | wc -l'], shas[2], [{ key: 'GIT_STRATEGY', value: 'empty', public: true, masked: false }]);
    assert.equal(empty.job.final.state, 'success', empty.log);
    assert.match(empty.log, /\n0\n/);

    const bad = await run(['echo never'], 'f'.repeat(40));
    assert.equal(bad.job.final.state, 'failed');
    assert.equal(bad.job.final.failure_reason, 'script_failure');
    assert.ok(bad.job.final.exit_code > 0);
    assert.ok(!bad.log.includes('\nnever\n'));
  });
});
