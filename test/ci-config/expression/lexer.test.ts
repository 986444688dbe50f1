import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionError } from '../../../src/ci-config/expression/index.js';
import { MAX_TOKENS, tokenize } from '../../../src/ci-config/expression/lexer.js';

const texts = (source: string) => tokenize(source).map((t) => t.text);
const values = (source: string) => tokenize(source).map((t) => t.value);

describe('expression lexer (GitLab lexer_spec, lexeme/*_spec)', () => {
  it('ignores whitespace around tokens and records where each starts', () => {
    const tokens = tokenize('\t$VARIABLE  ==\n"text" ');
    assert.deepEqual(tokens.map((t) => [t.kind, t.position]), [['variable', 1], ['==', 12], ['string', 15]]);
  });

  it('splits complex statements like GitLab', () => {
    assert.deepEqual(texts('$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/'),
      ['$PRESENT_VARIABLE', '=~', '/my var/', '&&', '$EMPTY_VARIABLE', '=~', '/nope/']);
    assert.deepEqual(texts('($PRESENT_VARIABLE && (null || $EMPTY_VARIABLE == ""))'),
      ['(', '$PRESENT_VARIABLE', '&&', '(', 'null', '||', '$EMPTY_VARIABLE', '==', '""', ')', ')']);
    assert.deepEqual(texts('$A!=$B||$C!~/xy/'), ['$A', '!=', '$B', '||', '$C', '!~', '/xy/']);
  });

  it('reads $NAME with ASCII word characters only, and ${NAME} as an extension', () => {
    assert.deepEqual(values('$CI_COMMIT_REF_NAME ${CI_JOB_NAME} $1x'), ['CI_COMMIT_REF_NAME', 'CI_JOB_NAME', '1x']);
    assert.deepEqual(texts('$A==$B'), ['$A', '==', '$B']);
    assert.throws(() => tokenize('$ == "a"'), (e: ExpressionError) => e.position === 0);
    assert.throws(() => tokenize('${A'), /invalid variable reference/);
    assert.throws(() => tokenize('$é'), /invalid variable reference/);
  });

  it('reads both quote kinds, without escapes, ending at the first matching quote', () => {
    assert.deepEqual(values(`"some ' string" 'some " string' "" ''`), ["some ' string", 'some " string', '', '']);
    // GitLab's string lexeme knows no escapes: the backslash is kept and the next quote ends the string.
    assert.deepEqual(values('"a\\" "b"'), ['a\\', 'b']);
    assert.deepEqual(values(String.raw`'C:\path\n'`), [String.raw`C:\path\n`]);
    assert.deepEqual(values('"some string" "and another one"'), ['some string', 'and another one']);
  });

  it('rejects unterminated strings and strings spanning lines', () => {
    assert.throws(() => tokenize('$A == "open'), (e: ExpressionError) => e.position === 6 && /unterminated string/.test(e.message));
    assert.throws(() => tokenize('"a\nb"'), /unterminated string/);
  });

  it('scans patterns eagerly and honours \\/ (pattern_spec)', () => {
    assert.deepEqual(texts('/some .* / == $A'), ['/some .* /', '==', '$A']);
    assert.throws(() => tokenize('/some .* / pattern/'), (e: ExpressionError) => e.position === 11);
    assert.equal(tokenize('/some .* \\/ pattern/')[0]?.text, '/some .* \\/ pattern/');
    assert.equal(tokenize('/some numeric \\/$ pattern/')[0]?.text, '/some numeric \\/$ pattern/');
    assert.deepEqual(texts('/pattern/im'), ['/pattern/im']);
    assert.deepEqual(texts('/ab/ || /cd/i'), ['/ab/', '||', '/cd/i']);
  });

  it('takes only i, s, m and U as flags; anything after them is another lexeme', () => {
    assert.throws(() => tokenize('/pattern/x'), (e: ExpressionError) => e.position === 9 && /unknown lexeme "x"/.test(e.message));
  });

  it('needs at least two characters between pattern slashes, as GitLab\'s PATTERN does', () => {
    assert.throws(() => tokenize('//'), /malformed pattern/);
    assert.throws(() => tokenize('$A =~ /a/'), (e: ExpressionError) => e.position === 6);
  });

  it('reads null by prefix, like GitLab, so "nullable" leaves an unknown lexeme', () => {
    assert.deepEqual(texts('null==$A'), ['null', '==', '$A']);
    assert.throws(() => tokenize('nullable'), (e: ExpressionError) => e.position === 4);
  });

  it('reports unknown lexemes with their position', () => {
    assert.throws(() => tokenize('$V1 123 $V2'), (e: ExpressionError) => e.position === 4 && /unknown lexeme "123"/.test(e.message));
    assert.throws(() => tokenize('$INVALID = 1'), (e: ExpressionError) => e.position === 9);
    assert.throws(() => tokenize('$A\u00a0== "a"'), (e: ExpressionError) => e.position === 2);
    assert.throws(() => tokenize('$A & $B'), (e: ExpressionError) => e.position === 3);
  });

  it('caps the number of tokens the way Lexer::MAX_TOKENS does (99 pass, 100 do not)', () => {
    const statement = (tokens: number) => Array.from({ length: (tokens + 1) / 2 }, (_, i) => `$V${i}`).join(' && ');
    assert.equal(tokenize(statement(99)).length, 99);
    assert.equal(MAX_TOKENS, 100);
    assert.throws(() => tokenize(`${statement(99)} &&`), /too many tokens/);
  });
});
