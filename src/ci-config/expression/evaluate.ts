import type { BinaryNode, ExpressionNode } from './ast.js';
import { ExpressionError } from './errors.js';
import { CompiledRegex, compileRegexLiteral, unescapeSlashes } from './regex.js';
import { isPresent, isTruthy, toText, valuesEqual, type Value } from './values.js';

export type Variables = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** The statement's verdict, as GitLab's Statement#truthful?. */
export function evaluateExpression(node: ExpressionNode, variables: Variables): boolean {
  return isPresent(evaluateValue(node, variables));
}

/** The raw value GitLab's Statement#evaluate would produce, before `present?` judges it. */
export function evaluateValue(node: ExpressionNode, variables: Variables): Value {
  return evaluateNode(node, lookupIn(variables));
}

type Lookup = (name: string) => string | null;

function lookupIn(variables: Variables): Lookup {
  // Duck-typed so any ReadonlyMap works; a record's values are strings, never functions.
  if (isMap(variables)) return (name) => variables.get(name) ?? null;
  // Own properties only: a variable called `constructor` must not find Object.prototype's.
  const record = variables as Readonly<Record<string, string>>;
  return (name) => (Object.hasOwn(record, name) ? (record[name] ?? null) : null);
}

function isMap(variables: Variables): variables is ReadonlyMap<string, string> {
  return typeof (variables as { get?: unknown }).get === 'function';
}

function evaluateNode(node: ExpressionNode, lookup: Lookup): Value {
  switch (node.type) {
    case 'variable':
      return lookup(node.name);
    case 'string':
      return node.value;
    case 'null':
      return null;
    case 'pattern': {
      const compiled = compileRegexLiteral(node.literal);
      if (!compiled.ok) throw new ExpressionError(`invalid regular expression: ${compiled.reason}`, node.position);
      return compiled.regex;
    }
    case 'binary':
      return evaluateBinary(node, lookup);
  }
}

function evaluateBinary(node: BinaryNode, lookup: Lookup): Value {
  const left = evaluateNode(node.left, lookup);
  switch (node.operator) {
    // Ruby's && and || return an operand and short-circuit.
    case '&&':
      return isTruthy(left) ? evaluateNode(node.right, lookup) : left;
    case '||':
      return isTruthy(left) ? left : evaluateNode(node.right, lookup);
    case '==':
      return valuesEqual(left, evaluateNode(node.right, lookup));
    case '!=':
      return !valuesEqual(left, evaluateNode(node.right, lookup));
    // NotMatches is Matches negated in every branch, the nil pattern included.
    case '=~':
      return matches(node, left, evaluateNode(node.right, lookup));
    case '!~':
      return !matches(node, left, evaluateNode(node.right, lookup));
  }
}

/** Lexeme::Matches#evaluate. */
function matches(node: BinaryNode, left: Value, right: Value): boolean {
  // `return false unless regexp`: an undefined pattern variable never matches.
  if (right === null || right === false) return false;
  if (right === true) {
    // GitLab fails here with a NoMethodError; an error the caller can report is kinder.
    throw new ExpressionError(`right operand of '${node.operator}' is a boolean, not a regular expression`, node.position);
  }
  const text = toText(left);
  if (right instanceof CompiledRegex) return right.test(text);
  // Pattern.build_and_evaluate: variables and strings are plain strings, and a
  // string shaped like /regex/flags that compiles becomes a pattern...
  const compiled = compileRegexLiteral(unescapeSlashes(right));
  if (compiled.ok) return compiled.regex.test(text);
  // ...while any other string stays a String, whose #scan(text) finds the
  // left-hand text *inside* it: a substring test with the operands reversed.
  return right.includes(text);
}
