import { CompiledRegex } from './regex.js';

/**
 * What a node evaluates to. GitLab evaluates to Ruby objects and only judges
 * the final one, so `&&`/`||` pass operands through rather than booleans:
 * `$A && $B` is the value of `$B`, and `($A || "x") == "x"` is meaningful.
 */
export type Value = string | null | boolean | CompiledRegex;

/** Ruby truthiness, used by `&&` and `||`: only nil and false are falsy, so "" is truthy. */
export function isTruthy(value: Value): boolean {
  return value !== null && value !== false;
}

/**
 * ActiveSupport's String#blank?, /\A[[:space:]]*\z/: Onigmo's Unicode
 * [[:space:]] is \t-\r, U+0085 and the Zs/Zl/Zp separators. Spelled out
 * because JavaScript's \s differs (it has U+FEFF, lacks U+0085).
 */
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/**
 * Statement#truthful? is `evaluate.present?`: nil, false and blank strings are
 * false, so a variable alone holds only when set to something non-blank —
 * a value of spaces counts as empty.
 */
export function isPresent(value: Value): boolean {
  if (value === null || value === false) return false;
  if (typeof value === 'string') return !BLANK.test(value);
  return true;
}

/**
 * LogicalOperator#compare_with_coercion: a boolean meets a string as "true" or
 * "false"; everything else is Ruby `==`, where nil equals only nil and two
 * patterns are equal when their sources are (UntrustedRegexp#==).
 */
export function valuesEqual(left: Value, right: Value): boolean {
  if (typeof left === 'boolean' && typeof right === 'string') return String(left) === right;
  if (typeof left === 'string' && typeof right === 'boolean') return left === String(right);
  if (left instanceof CompiledRegex && right instanceof CompiledRegex) return left.source === right.source;
  return left === right;
}

/** `text.to_s` on the left of `=~`: an undefined variable matches as "". */
export function toText(value: Value): string {
  if (value === null) return '';
  if (value instanceof CompiledRegex) return value.source;
  return String(value);
}
