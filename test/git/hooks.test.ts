import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HOOK_ENV } from '../../src/git/hooks.js';
import { GitRepository } from '../../src/git/repository.js';
import { gitOk, tempDir, WorkTree } from '../helpers/git.js';

/** The hooks on their own: a local push runs them with the variables the server would set. */
describe('receive hooks', () => {
  const dir = tempDir('conveyor-hooks-');
  const repo = new GitRepository(path.join(dir, '1.git'));
  let work: WorkTree;
  let base: string;

  const push = (args: string[], env: Record<string, string> = {}) => work.git(['push', '--porcelain', repo.path, ...args], env);
  const rules = (protectedBranches: string[], pushAllowed: string[], extra: Record<string, string> = {}) => ({
    [HOOK_ENV.protectedBranches]: protectedBranches.join('\n'),
    [HOOK_ENV.pushAllowed]: pushAllowed.join('\n'),
    ...extra,
  });

  before(async () => {
    await repo.init();
    work = await WorkTree.create();
    base = await work.commit('a.txt', '1');
    await gitOk(['push', '--quiet', repo.path, 'main'], { cwd: work.dir });
  });
  after(() => {
    work.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets pushes through when the server set nothing', async () => {
    await work.commit('a.txt', '2');
    assert.equal((await push(['main'])).code, 0);
  });

  it('refuses a protected branch to a pusher without the level, in GitLab\'s words', async () => {
    await work.commit('a.txt', '3');
    const refused = await push(['main'], rules(['main'], []));
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /GitLab: You are not allowed to push code to protected branches on this project\./);
    const accepted = await push(['main'], rules(['main'], ['main']));
    assert.equal(accepted.code, 0, accepted.stderr);
  });

  it('matches wildcards across slashes, and lets any matching rule that allows win', async () => {
    const refused = await push(['HEAD:refs/heads/release/1.0/hotfix'], rules(['release/*'], []));
    assert.match(refused.stderr, /You are not allowed to create protected branches on this project\./);
    const allowed = await push(['HEAD:refs/heads/release/1.0/hotfix'], rules(['release/*', 'release/1.0/*'], ['release/1.0/*']));
    assert.equal(allowed.code, 0, allowed.stderr);
    const unrelated = await push(['HEAD:refs/heads/releases'], rules(['release/*'], []));
    assert.equal(unrelated.code, 0, 'release/* does not match releases');
  });

  it('refuses force pushes unless allowed, and deleting protected or default branches', async () => {
    await gitOk(['push', '--quiet', repo.path, `${base}:refs/heads/stable`], { cwd: work.dir });
    await gitOk(['checkout', '--quiet', '-b', 'rewrite', base], { cwd: work.dir });
    await work.commit('b.txt', 'diverged');
    await gitOk(['push', '--quiet', repo.path, 'HEAD:refs/heads/stable'], { cwd: work.dir });
    await gitOk(['reset', '--quiet', '--hard', base], { cwd: work.dir });
    await work.commit('c.txt', 'other history');
    const forced = await push(['--force', 'HEAD:refs/heads/stable'], rules(['stable'], ['stable']));
    assert.match(forced.stderr, /GitLab: You are not allowed to force push code to a protected branch on this project\./);
    const allowedForce = await push(['--force', 'HEAD:refs/heads/stable'], rules(['stable'], ['stable'], { [HOOK_ENV.forcePushAllowed]: 'stable' }));
    assert.equal(allowedForce.code, 0, allowedForce.stderr);

    const deleteAllowed = await push([':refs/heads/stable'], rules(['stable'], ['stable']));
    assert.match(deleteAllowed.stderr, /GitLab: You can only delete protected branches using the web interface\./);
    const deleteRefused = await push([':refs/heads/stable'], rules(['stable'], []));
    assert.match(deleteRefused.stderr, /You are not allowed to delete protected branches from this project\./);
    const deleteDefault = await push([':refs/heads/main'], { [HOOK_ENV.defaultBranch]: 'main' });
    assert.match(deleteDefault.stderr, /GitLab: The default branch of a project cannot be deleted\./);
    assert.ok(await repo.resolveRef('main'));
  });

  it('reports accepted updates and push options to the file the server names', async () => {
    const report = path.join(dir, 'report.txt');
    const head = (await gitOk(['rev-parse', 'HEAD'], { cwd: work.dir })).trim();
    const result = await push(['-o', 'ci.skip', '-o', 'ci.variable=A=1 2', 'HEAD:refs/heads/reported', 'HEAD:refs/tags/t1'], { [HOOK_ENV.pushReport]: report });
    assert.equal(result.code, 0, result.stderr);
    const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
    assert.deepEqual(lines, [
      'option ci.skip',
      'option ci.variable=A=1 2',
      `update ${'0'.repeat(40)} ${head} refs/heads/reported`,
      `update ${'0'.repeat(40)} ${head} refs/tags/t1`,
    ]);
  });
});
