import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError, evaluateExpression, matchesExpression, parseExpression } from '../../../src/ci-config/expression/index.js';
import { splitRegexLiteral } from '../../../src/ci-config/expression/regex.js';

const m = (source: string, vars: Record<string, string> = {}) => matchesExpression(source, vars);

describe('=~ and !~ (GitLab matches_spec, not_matches_spec, pattern_spec)', () => {
  it('matches anywhere in the text unless anchored', () => {
    assert.equal(m('$A =~ /awesome.string$/', { A: 'my-awesome-string' }), true);
    assert.equal(m('$A =~ /something/', { A: 'my-string' }), false);
    assert.equal(m('$A =~ /^my/', { A: 'my-string' }), true);
    assert.equal(m('$A !~ /something/', { A: 'my-string' }), true);
  });

  it('matches an undefined or empty left side as ""', () => {
    assert.equal(m('$UNSET =~ /pattern/'), false);
    assert.equal(m('$UNSET !~ /pattern/'), true);
    assert.equal(m('$UNSET =~ /^$/'), true, 'nil.to_s is ""');
    assert.equal(m('$E =~ /^.*$/', { E: '' }), true);
    assert.equal(m('null =~ /^x?$/'), true);
  });

  it('never matches when the pattern side is undefined (=~ false, !~ true)', () => {
    assert.equal(m('$A =~ $UNSET', { A: 'x' }), false);
    assert.equal(m('$A !~ $UNSET', { A: 'x' }), true);
    assert.equal(m('$UNSET =~ null'), false);
    assert.equal(m('$UNSET !~ null'), true);
  });

  it('applies the i flag, and treats multi-line text per RE2', () => {
    const text = 'My awesome contents\n\nMy-text-string!\n';
    assert.equal(m('$T =~ /text-string/', { T: text }), true);
    assert.equal(m('$T =~ /TEXT-STRING/i', { T: text }), true);
    assert.equal(m('$T =~ /TEXT-STRING/', { T: text }), false);
    assert.equal(m('$T =~ /^My-text/', { T: text }), false, 'without m, ^ is the start of the text');
  });

  it('gives m and s their RE2 meanings (m: line anchors, s: dot matches newline)', () => {
    const T = 'first\nsecond';
    assert.equal(m('$T =~ /^second$/m', { T }), true);
    assert.equal(m('$T =~ /^second$/', { T }), false);
    assert.equal(m('$T =~ /first.second/', { T }), false);
    assert.equal(m('$T =~ /first.second/s', { T }), true);
    assert.equal(m('$T =~ /FIRST.SECOND/si', { T }), true);
  });

  it('gives U its RE2 meaning (ungreedy), which shows in equality of patterns only', () => {
    assert.equal(m('$T =~ /a+b/U', { T: 'aab' }), true);
    assert.equal(m('/ab/ == /ab/'), true);
    assert.equal(m('/ab/ == /ab/i'), false, 'patterns compare by their RE2 source, flags included');
  });

  it('keeps $ as end of text, not before a final newline (RE2, not Ruby)', () => {
    assert.equal(m('$T =~ /abc$/', { T: 'abc\n' }), false);
    assert.equal(m('$T =~ /abc$/', { T: 'xabc' }), true);
  });

  it('compiles a variable holding /regex/flags (a regex held in a variable)', () => {
    const vars = { BRANCH: 'Release-1.2', PATTERN: '/^release.*/i', STRICT: '/^release.*/' };
    assert.equal(m('$BRANCH =~ $PATTERN', vars), true);
    assert.equal(m('$BRANCH =~ $STRICT', vars), false);
    assert.equal(m('$BRANCH !~ $PATTERN', vars), false);
    assert.equal(m('$A =~ $P', { A: 'abcde', P: '/^ab.*/' }), true);
    assert.equal(m('$A =~ $P', { A: 'dfg', P: '/^ab.*/' }), false);
  });

  it('unescapes \\/ in a pattern held in a variable or a quoted string', () => {
    assert.equal(m('$PATH =~ $P', { PATH: 'a/path/x', P: '/path\\/x$/' }), true);
    assert.equal(m('$PATH =~ "/^a\\/path/"', { PATH: 'a/path/x' }), true);
  });

  it('falls back to GitLab\'s String#scan for a pattern variable that is not a regex: a reversed substring test', () => {
    // Pattern.build_and_evaluate returns the string itself, and "haystack".scan(text) looks for text inside it.
    const vars = { BRANCH: 'feature', LIST: 'main feature hotfix', BAD: '/release(/' };
    assert.equal(m('$BRANCH =~ $LIST', vars), true);
    assert.equal(m('$LIST =~ $BRANCH', vars), false);
    assert.equal(m('$BRANCH =~ "feat"', vars), false);
    assert.equal(m('"feat" =~ $BRANCH', vars), true);
    assert.equal(m('$BRANCH =~ $BAD', vars), false, 'an invalid regex in a variable is a plain string, not an error');
    assert.equal(m('"release(" =~ $BAD', vars), true);
  });

  it('splits a regex held in a variable like RubySyntax::PATTERN: first fitting line, body to its last slash', () => {
    assert.deepEqual(splitRegexLiteral('/a/b/im'), { body: 'a/b', flags: 'im' });
    assert.deepEqual(splitRegexLiteral('/pattern/x'), null);
    assert.deepEqual(splitRegexLiteral('notes\n/^v\\d+/i\nmore'), { body: '^v\\d+', flags: 'i' });
    assert.deepEqual(splitRegexLiteral('//'), { body: '', flags: '' });
    assert.deepEqual(splitRegexLiteral('/'), null);
  });

  it('refuses a boolean where a pattern is expected, as an evaluation error', () => {
    const node = parseExpression('$A =~ ($B == null)');
    assert.throws(
      () => evaluateExpression(node, { A: 'true' }),
      (error: unknown) => error instanceof ExpressionError && error.position === 3,
    );
    assert.equal(matchesExpression('$A =~ ($B == null)', { A: 'true' }), false);
  });

  it('runs catastrophic patterns in linear time', () => {
    // Exponential for a backtracking engine; RE2 answers at once. Only completion is asserted.
    const long = `${'a'.repeat(30_000)}!`;
    assert.equal(m('$T =~ /(a+)+$/', { T: long }), false);
    assert.equal(m('$T =~ /^(a|a)*$/', { T: long }), false);
    assert.equal(m('$T =~ /(x+x+)+y/', { T: 'x'.repeat(30_000) }), false);
    assert.equal(m('$T =~ $P', { T: long, P: '/^(a|aa)+$/' }), false);
  });
});
