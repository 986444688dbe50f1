import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GitInputError } from '../../src/git/errors.js';
import { isNullSha, isValidBranchName, isValidRefName, requireCleanPath } from '../../src/git/refs.js';
import { gitCli } from '../helpers/git.js';

const REF_NAMES = [
  'refs/heads/main', 'refs/heads/feature/x', 'refs/heads/a.b', 'refs/heads/with-dash', 'refs/heads/ünïcode', 'refs/tags/v1.0',
  'main', 'refs/heads/.hidden', 'refs/heads/x.lock', 'refs/heads/a..b', 'refs/heads/a b', 'refs/heads/a~1', 'refs/heads/a^',
  'refs/heads/a:b', 'refs/heads/a?', 'refs/heads/a*', 'refs/heads/a[', 'refs/heads/a\\b', 'refs/heads/a@{1}', '@', 'refs/heads/',
  '/refs/heads/a', 'refs//heads/a', 'refs/heads/a.', 'refs/heads/a\tb', 'refs/heads/a\x7fb', 'refs/heads/@', 'refs/heads/a@b',
  'refs/heads/-dash', 'refs/heads/a/.b', 'refs/heads/$(id)', 'refs/heads/;rm', "refs/heads/'q'",
];

describe('ref names follow git check-ref-format', () => {
  it('agrees with the real command on valid and invalid names', async () => {
    for (const name of REF_NAMES) {
      const real = (await gitCli(['check-ref-format', name])).code === 0;
      assert.equal(isValidRefName(name), real, JSON.stringify(name));
    }
  });

  it('agrees with `check-ref-format --branch` on branch names', async () => {
    for (const name of ['main', 'feature/x', '-x', 'HEAD', 'a..b', 'a b', 'release/*', 'x.lock', 'ok.name']) {
      const real = (await gitCli(['check-ref-format', '--branch', name])).code === 0;
      assert.equal(isValidBranchName(name), real, name);
    }
  });

  it('knows the null sha in both hash sizes', () => {
    assert.equal(isNullSha('0'.repeat(40)), true);
    assert.equal(isNullSha('0'.repeat(64)), true);
    assert.equal(isNullSha('0'.repeat(39) + '1'), false);
    assert.equal(isNullSha('0'.repeat(41)), false);
  });

  it('accepts clean relative paths and refuses the rest', () => {
    for (const ok of ['a.txt', 'dir/sub/file.yml', '.gitlab-ci.yml', 'a..b', 'spaces in name']) assert.equal(requireCleanPath(ok), ok);
    for (const bad of ['', '/etc/passwd', '../x', 'a/../b', 'a/..', './a', 'a//b', 'a/', 'a\0b', '..']) {
      assert.throws(() => requireCleanPath(bad), GitInputError, JSON.stringify(bad));
    }
  });
});
