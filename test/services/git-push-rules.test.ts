import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidBranchPattern, matchesBranchPattern } from '../../src/services/repositories/branch-patterns.js';
import { firstDefaultBranch, parsePushReport } from '../../src/services/repositories/push-report.js';

const NULL = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('protected branch patterns', () => {
  it('match exactly, or with * across any characters including slashes', () => {
    assert.equal(matchesBranchPattern('main', 'main'), true);
    assert.equal(matchesBranchPattern('main', 'main2'), false);
    assert.equal(matchesBranchPattern('release/*', 'release/1.0/hotfix'), true);
    assert.equal(matchesBranchPattern('release/*', 'releases'), false);
    assert.equal(matchesBranchPattern('*-stable', 'v1-stable'), true);
    assert.equal(matchesBranchPattern('v1.*', 'v1x2'), false, 'dots are literal');
    assert.equal(matchesBranchPattern('*', 'anything/at/all'), true);
  });

  it('are valid branch names once the wildcards are filled in', () => {
    for (const ok of ['main', 'release/*', '*-stable', '*', 'feat/*/x']) assert.equal(isValidBranchPattern(ok), true, ok);
    for (const bad of ['', 'a b', 'a..b', '-x', 'a\nb', 'x.lock', 'a/', 'x'.repeat(256)]) assert.equal(isValidBranchPattern(bad), false, bad);
  });
});

describe('push reports', () => {
  it('reads options and updates, ignoring anything malformed', () => {
    const text = ['option ci.skip', 'option ci.variable=A=1 2', `update ${NULL} ${A} refs/heads/main`, `update ${A} ${NULL} refs/heads/old`, 'update x y z', 'junk', ''].join('\n');
    assert.deepEqual(parsePushReport(text), {
      pushOptions: ['ci.skip', 'ci.variable=A=1 2'],
      updates: [
        { ref: 'refs/heads/main', before: NULL, after: A },
        { ref: 'refs/heads/old', before: A, after: NULL },
      ],
    });
    assert.deepEqual(parsePushReport(''), { updates: [], pushOptions: [] });
  });

  it('choose the first default branch: the project\'s choice when pushed, else the first created branch', () => {
    const created = (name: string) => ({ ref: `refs/heads/${name}`, before: NULL, after: A });
    assert.equal(firstDefaultBranch([created('feature'), created('develop')], 'develop'), 'develop');
    assert.equal(firstDefaultBranch([created('feature'), created('develop')], 'main'), 'feature');
    assert.equal(firstDefaultBranch([{ ref: 'refs/tags/v1', before: NULL, after: A }], null), null);
    assert.equal(firstDefaultBranch([{ ref: 'refs/heads/x', before: A, after: B }], null), null);
  });
});
