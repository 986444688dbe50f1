import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitTitle, formatGitDate, parseCommitObject } from '../../src/git/commit-object.js';

describe('commit objects', () => {
  it('formats dates in the commit\'s own offset, as GitLab shows them', () => {
    assert.equal(formatGitDate(1450972274, '+0100'), '2015-12-24T16:51:14.000+01:00');
    assert.equal(formatGitDate(1450972274, '+0000'), '2015-12-24T15:51:14.000+00:00');
    assert.equal(formatGitDate(1450972274, '-0000'), '2015-12-24T15:51:14.000+00:00');
    assert.equal(formatGitDate(1450972274, '-0530'), '2015-12-24T10:21:14.000-05:30');
    assert.equal(formatGitDate(1450972274, '+1345'), '2015-12-25T05:36:14.000+13:45');
  });

  it('makes GitLab\'s title: first line, cut at a word before 100 characters', () => {
    assert.equal(commitTitle('Fix the thing\n\nLonger body'), 'Fix the thing');
    assert.equal(commitTitle('CRLF title\r\nbody'), 'CRLF title');
    assert.equal(commitTitle(''), 'No commit message');
    assert.equal(commitTitle('\n\n'), 'No commit message');
    const ninetyNine = 'x'.repeat(99);
    assert.equal(commitTitle(ninetyNine), ninetyNine);
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const title = commitTitle(words);
    assert.ok(title.endsWith('…') && title.length <= 81, title);
    assert.ok(words.startsWith(title.slice(0, -1)) && !title.slice(0, -1).endsWith(' '));
    assert.equal(commitTitle('y'.repeat(120)), `${'y'.repeat(80)}…`);
  });

  it('reads parents, identities and the message, skipping a signature\'s continuation lines', () => {
    const raw = [
      'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      'parent 1111111111111111111111111111111111111111',
      'parent 2222222222222222222222222222222222222222',
      'author Ada Lovelace <ada@example.com> 1450972274 +0100',
      'committer Grace <grace@example.com> 1450975874 -0800',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' author Not Me <no@example.com> 1 +0000',
      ' -----END PGP SIGNATURE-----',
      '',
      'Merge things',
      '',
      'Body line',
      '',
    ].join('\n');
    const commit = parseCommitObject('a'.repeat(40), Buffer.from(raw));
    assert.deepEqual(commit, {
      id: 'a'.repeat(40),
      short_id: 'aaaaaaaa',
      parent_ids: ['1'.repeat(40), '2'.repeat(40)],
      title: 'Merge things',
      message: 'Merge things\n\nBody line\n',
      author_name: 'Ada Lovelace',
      author_email: 'ada@example.com',
      authored_date: '2015-12-24T16:51:14.000+01:00',
      committer_name: 'Grace',
      committer_email: 'grace@example.com',
      committed_date: '2015-12-24T08:51:14.000-08:00',
    });
  });
});
