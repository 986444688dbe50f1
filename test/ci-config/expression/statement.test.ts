import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CompiledRegex,
  evaluateExpression,
  evaluateValue,
  matchesExpression,
  parseExpression,
  type Value,
} from '../../../src/ci-config/expression/index.js';

// The fixture of GitLab's statement_spec.rb.
const variables = new Map([
  ['PRESENT_VARIABLE', 'my variable'],
  ['PATH_VARIABLE', 'a/path/variable/value'],
  ['FULL_PATH_VARIABLE', '/a/full/path/variable/value'],
  ['EMPTY_VARIABLE', ''],
]);

const value = (source: string): Value => evaluateValue(parseExpression(source), variables);

describe('expression evaluation (GitLab statement_spec #evaluate table)', () => {
  // Raw values, before `present?`: && and || hand back operands as Ruby does.
  const table: Array<[string, Value]> = [
    ['$PRESENT_VARIABLE == "my variable"', true],
    ['"my variable" == $PRESENT_VARIABLE', true],
    ['$PRESENT_VARIABLE == null', false],
    ['$EMPTY_VARIABLE == null', false],
    ['"" == $EMPTY_VARIABLE', true],
    ['$EMPTY_VARIABLE', ''],
    ['$UNDEFINED_VARIABLE == null', true],
    ['null == $UNDEFINED_VARIABLE', true],
    ['$PRESENT_VARIABLE', 'my variable'],
    ['$UNDEFINED_VARIABLE', null],
    ['$PRESENT_VARIABLE =~ /var.*e$/', true],
    ['$PRESENT_VARIABLE =~ /va\\r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /va\\/r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /^var.*/', false],
    ['$EMPTY_VARIABLE =~ /var.*/', false],
    ['$UNDEFINED_VARIABLE =~ /var.*/', false],
    ['$PRESENT_VARIABLE =~ /VAR.*/i', true],
    ['$PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/', true],
    ['$FULL_PATH_VARIABLE =~ /\\/path\\/variable\\/value$/', true],
    ['$PRESENT_VARIABLE != "my variable"', false],
    ['"my variable" != $PRESENT_VARIABLE', false],
    ['$PRESENT_VARIABLE != null', true],
    ['$EMPTY_VARIABLE != null', true],
    ['"" != $EMPTY_VARIABLE', false],
    ['$UNDEFINED_VARIABLE != null', false],
    ['null != $UNDEFINED_VARIABLE', false],
    ['$PRESENT_VARIABLE !~ /var.*e$/', false],
    ['$PRESENT_VARIABLE !~ /^var.*/', true],
    ['$PRESENT_VARIABLE !~ /^v\\ar.*/', true],
    ['$PRESENT_VARIABLE !~ /^v\\/ar.*/', true],
    ['$EMPTY_VARIABLE !~ /var.*/', true],
    ['$UNDEFINED_VARIABLE !~ /var.*/', true],
    ['$PRESENT_VARIABLE !~ /VAR.*/i', false],
    ['$PRESENT_VARIABLE && "string"', 'string'],
    ['$PRESENT_VARIABLE && $PRESENT_VARIABLE', 'my variable'],
    ['$PRESENT_VARIABLE && $EMPTY_VARIABLE', ''],
    ['$PRESENT_VARIABLE && null', null],
    ['"string" && $PRESENT_VARIABLE', 'my variable'],
    ['$EMPTY_VARIABLE && $PRESENT_VARIABLE', 'my variable'],
    ['null && $PRESENT_VARIABLE', null],
    ['$EMPTY_VARIABLE && "string"', 'string'],
    ['$EMPTY_VARIABLE && $EMPTY_VARIABLE', ''],
    ['"string" && $EMPTY_VARIABLE', ''],
    ['"string" && null', null],
    ['null && "string"', null],
    ['"string" && "string"', 'string'],
    ['null && null', null],
    ['$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/', false],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE', 'my variable'],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE != "nope"', true],
    ['$PRESENT_VARIABLE && $UNDEFINED_VARIABLE', null],
    ['$UNDEFINED_VARIABLE && $EMPTY_VARIABLE', null],
    ['$UNDEFINED_VARIABLE && $PRESENT_VARIABLE', null],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/ && $PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ && $PATH_VARIABLE =~ /path\\/variable/', false],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /bad\\/path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /bad\\/path\\/variable/', false],
    ['$PRESENT_VARIABLE =~ /my var/ || $EMPTY_VARIABLE =~ /nope/', true],
    ['$EMPTY_VARIABLE == "" || $PRESENT_VARIABLE', true],
    ['$PRESENT_VARIABLE != "nope" || $EMPTY_VARIABLE == ""', true],
    ['$PRESENT_VARIABLE && null || $EMPTY_VARIABLE == ""', true],
    ['$PRESENT_VARIABLE || $UNDEFINED_VARIABLE', 'my variable'],
    ['$UNDEFINED_VARIABLE || $PRESENT_VARIABLE', 'my variable'],
    ['$UNDEFINED_VARIABLE == null || $PRESENT_VARIABLE', true],
    ['$PRESENT_VARIABLE || $UNDEFINED_VARIABLE == null', 'my variable'],
    ['($PRESENT_VARIABLE)', 'my variable'],
    ['(($PRESENT_VARIABLE))', 'my variable'],
    ['(($PRESENT_VARIABLE && null) || $EMPTY_VARIABLE == "")', true],
    ['($PRESENT_VARIABLE) && (null || $EMPTY_VARIABLE == "")', true],
    ['("string" || "test") == "string"', true],
    ['(null || ("test" == "string"))', false],
    ['("string" == ("test" && "string"))', true],
    ['("string" == ("test" || "string"))', false],
    ['("string" == "test" || "string")', 'string'],
    ['("string" == ("string" || (("1" == "1") && ("2" == "3"))))', true],
  ];
  for (const [source, expected] of table) {
    it(`${source} evaluates to ${JSON.stringify(expected)}`, () => assert.equal(value(source), expected));
  }
});

describe('expression truthiness (GitLab statement_spec #truthful? table)', () => {
  const table: Array<[string, boolean]> = [
    ['$PRESENT_VARIABLE == "my variable"', true],
    ["$PRESENT_VARIABLE == 'no match'", false],
    ['$UNDEFINED_VARIABLE == null', true],
    ['$PRESENT_VARIABLE', true],
    ['$UNDEFINED_VARIABLE', false],
    ['$EMPTY_VARIABLE', false],
    ['$INVALID = 1', false],
    ['$PRESENT_VARIABLE =~ /var.*/', true],
    ['$UNDEFINED_VARIABLE =~ /var.*/', false],
    ['$PRESENT_VARIABLE !~ /var.*/', false],
    ['$UNDEFINED_VARIABLE !~ /var.*/', true],
  ];
  for (const [source, expected] of table) {
    it(`${source} is ${expected}`, () => assert.equal(matchesExpression(source, variables), expected));
  }
});

describe('expression semantics beyond the spec tables', () => {
  it('treats a variable alone as "present": set and not blank', () => {
    const vars = { SET: 'x', EMPTY: '', SPACES: ' \t ', ZERO: '0', FALSE: 'false' };
    assert.equal(matchesExpression('$SET', vars), true);
    assert.equal(matchesExpression('$EMPTY', vars), false);
    assert.equal(matchesExpression('$SPACES', vars), false, 'ActiveSupport: whitespace-only strings are blank');
    assert.equal(matchesExpression('$ZERO', vars), true);
    assert.equal(matchesExpression('$FALSE', vars), true, 'the string "false" is just a string');
    assert.equal(matchesExpression('$UNSET', vars), false);
  });

  it('distinguishes undefined from empty when comparing with null and ""', () => {
    const vars = { EMPTY: '' };
    assert.equal(matchesExpression('$EMPTY == null', vars), false);
    assert.equal(matchesExpression('$EMPTY == ""', vars), true);
    assert.equal(matchesExpression('$UNSET == null', vars), true);
    assert.equal(matchesExpression('$UNSET == ""', vars), false);
    assert.equal(matchesExpression('$UNSET != ""', vars), true);
    assert.equal(matchesExpression('null == null', vars), true);
  });

  it('uses Ruby truthiness inside && and ||: "" is truthy there but blank at the end', () => {
    const vars = { EMPTY: '', SET: 'x' };
    // "" || "x" is "" in Ruby, and "" is not present: the whole statement is false.
    assert.equal(evaluateValue(parseExpression('$EMPTY || $SET'), vars), '');
    assert.equal(matchesExpression('$EMPTY || $SET', vars), false);
    assert.equal(matchesExpression('$UNSET || $SET', vars), true);
    assert.equal(matchesExpression('$EMPTY && $SET', vars), true);
  });

  it('compares variables with variables', () => {
    const vars = { A: 'main', B: 'main', C: 'dev', E: '' };
    assert.equal(matchesExpression('$A == $B', vars), true);
    assert.equal(matchesExpression('$A != $C', vars), true);
    assert.equal(matchesExpression('$A == $C', vars), false);
    assert.equal(matchesExpression('$UNSET1 == $UNSET2', vars), true, 'nil == nil');
    assert.equal(matchesExpression('$E == $UNSET', vars), false, '"" is not nil');
    assert.equal(matchesExpression('${A} == $B', vars), true);
  });

  it('compares booleans with strings as "true"/"false" (compare_with_coercion)', () => {
    assert.equal(matchesExpression('($A == "x") == "true"', { A: 'x' }), true);
    assert.equal(matchesExpression('($A == "x") == "false"', { A: 'y' }), true);
    assert.equal(matchesExpression('($A == "x") == ($B == "y")', { A: 'x', B: 'y' }), true);
  });

  it('is case-sensitive for names and values', () => {
    assert.equal(matchesExpression('$branch == "main"', { BRANCH: 'main' }), false);
    assert.equal(matchesExpression('$BRANCH == "Main"', { BRANCH: 'main' }), false);
  });

  it('accepts plain records without reading inherited properties', () => {
    assert.equal(matchesExpression('$constructor', {}), false);
    assert.equal(matchesExpression('$toString == null', {}), true);
    const node = parseExpression('$CI_PIPELINE_SOURCE == "merge_request_event"');
    assert.equal(evaluateExpression(node, { CI_PIPELINE_SOURCE: 'merge_request_event' }), true);
    assert.equal(evaluateExpression(node, new Map([['CI_PIPELINE_SOURCE', 'push']])), false);
  });

  it('evaluates a lone pattern to a compiled regex, which is present', () => {
    assert.ok(value('/ab/') instanceof CompiledRegex);
    assert.equal(matchesExpression('/ab/', {}), true);
  });

  it('answers false from matchesExpression for statements that do not parse', () => {
    assert.equal(matchesExpression('$A ==', { A: 'x' }), false);
    assert.equal(matchesExpression('($A', { A: 'x' }), false);
  });
});
