import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidExpression, parseExpression } from '../../../src/ci-config/expression/index.js';
import { assertSyntaxError, inspect } from './helpers.js';

const tree = (source: string) => inspect(parseExpression(source));

describe('expression parser (GitLab parser_spec)', () => {
  const shapes: Array<[string, string]> = [
    ['$VAR1 == "123"', 'equals($VAR1, "123")'],
    ['$VAR1 == "123" == $VAR2', 'equals(equals($VAR1, "123"), $VAR2)'],
    ['$VAR', '$VAR'],
    ['"some value"', '"some value"'],
    ['null', 'null'],
    ['$VAR1 || $VAR2 && $VAR3', 'or($VAR1, and($VAR2, $VAR3))'],
    ['$VAR1 && $VAR2 || $VAR3', 'or(and($VAR1, $VAR2), $VAR3)'],
    ['$VAR1 && $VAR2 || $VAR3 && $VAR4', 'or(and($VAR1, $VAR2), and($VAR3, $VAR4))'],
    ['$VAR1 && ($VAR2 || $VAR3) && $VAR4', 'and(and($VAR1, or($VAR2, $VAR3)), $VAR4)'],
    ['$A =~ /ab/ && $B !~ /cd/i', 'and(matches($A, /ab/), not_matches($B, /cd/i))'],
  ];
  for (const [source, expected] of shapes) {
    it(`parses ${source}`, () => assert.equal(tree(source), expected));
  }

  it('binds && tighter than || and comparisons tighter than both', () => {
    assert.equal(tree('$A == "a" || $B == "b" && $C == "c"'), 'or(equals($A, "a"), and(equals($B, "b"), equals($C, "c")))');
    assert.equal(
      tree('$VAR1 == "a" || $VAR2 == "b" && $VAR3 == "c" || $VAR4 == "d" && $VAR5 == "e"'),
      'or(or(equals($VAR1, "a"), and(equals($VAR2, "b"), equals($VAR3, "c"))), and(equals($VAR4, "d"), equals($VAR5, "e")))',
    );
  });

  it('lets parentheses override precedence', () => {
    assert.equal(
      tree('(($VAR1 == "a" || $VAR2 == "b") && $VAR3 == "c" || $VAR4 == "d") && $VAR5 == "e"'),
      'and(or(and(or(equals($VAR1, "a"), equals($VAR2, "b")), equals($VAR3, "c")), equals($VAR4, "d")), equals($VAR5, "e"))',
    );
    assert.equal(tree('(("string" == ("test" && "string")))'), 'equals("string", and("test", "string"))');
  });

  it('unescapes \\/ in pattern literals as Lexeme::Pattern does', () => {
    assert.equal(tree('$A =~ /foo\\/bar/'), 'matches($A, /foo/bar/)');
  });

  it('rejects an empty statement', () => {
    assertSyntaxError('', 0, /empty expression/);
    assertSyntaxError('   ', 0, /empty expression/);
  });

  it('rejects operators missing an operand, pointing where one was expected', () => {
    assertSyntaxError('== "123"', 0, /missing left operand for '=='/);
    assertSyntaxError('$VAR ==', 7, /missing right operand for '=='/);
    assertSyntaxError('$A == == $B', 6, /missing right operand for '=='/);
    assertSyntaxError('$A && ($B ||)', 12, /missing right operand for '\|\|'/);
    assertSyntaxError('($A) && (|| $B)', 9, /missing left operand/);
  });

  it('rejects two values with no operator between them (trailing garbage)', () => {
    assertSyntaxError('$VAR "text"', 5, /expected an operator before "text"/);
    assertSyntaxError('$A == "a" "b"', 10);
    assertSyntaxError('$A == "a" ($B)', 10);
  });

  it('rejects unmatched parentheses (parser_spec table)', () => {
    assertSyntaxError('$VAR == (', 8, /unmatched '\('/);
    assertSyntaxError('$VAR2 == ("aa"', 9, /unmatched '\('/);
    assertSyntaxError('$VAR2 == ("aa"))', 15, /unmatched '\)'/);
    assertSyntaxError('$VAR2 == "aa")', 13, /unmatched '\)'/);
    assertSyntaxError('(($VAR2 == "aa")', 0, /unmatched '\('/);
    assertSyntaxError('($VAR2 == "aa"))', 15, /unmatched '\)'/);
    assertSyntaxError('()', 1, /empty parentheses/);
  });

  it('rejects an invalid literal pattern at parse time, with RE2\'s reason', () => {
    const error = assertSyntaxError('$A =~ / some ( thin/i', 6, /invalid regular expression/);
    assert.match(error.message, /missing closing \)/);
    assertSyntaxError('$A =~ /(?=ahead)/', 6, /invalid regular expression/);
    assertSyntaxError('$A =~ /(a)\\1/', 6, /invalid regular expression/);
  });

  it('returns frozen trees and reuses them for a repeated source', () => {
    const first = parseExpression('$CACHE_ME == "yes"');
    assert.equal(parseExpression('$CACHE_ME == "yes"'), first);
    assert.ok(Object.isFrozen(first));
  });

  it('reports validity the way Statement#valid? does', () => {
    assert.equal(isValidExpression('$CI_COMMIT_BRANCH == "main"'), null);
    assert.equal(isValidExpression('"some string"'), null);
    assert.equal(isValidExpression('$INVALID = 1'), 'unknown lexeme "=" at position 9');
    assert.match(isValidExpression('12345') ?? '', /unknown lexeme "12345" at position 0/);
    assert.match(isValidExpression('') ?? '', /empty expression/);
    assert.match(isValidExpression('$A =~ ($B == null)') ?? '', /boolean, not a regular expression at position 3/);
  });
});
