import { isHash } from '../deep-merge.js';
import { isValidExpression } from '../expression/index.js';
import { compileRegexLiteral, splitRegexLiteral } from '../expression/regex.js';
import type { Problems } from '../problems.js';
import type { PolicySpec } from '../types.js';
import { checkKeys } from './shape.js';

const REFS_MESSAGE = 'should be an array of strings or regular expressions using re2 syntax';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** `array_of_strings_or_regexps`: strings, and those shaped like `/re/flags` must compile. */
function validRefs(value: unknown): value is string[] {
  return isStrings(value) && value.every((ref) => splitRegexLiteral(ref) === null || compileRegexLiteral(ref).ok);
}

/**
 * `only:` / `except:` (Entry::Policy): an array of refs, or a hash of refs, variables, changes and
 * kubernetes. Anything else, a bare string included, is an unknown strategy.
 */
export function parsePolicy(value: unknown, path: string, problems: Problems): PolicySpec | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    if (!validRefs(value)) {
      problems.error(path, `config ${REFS_MESSAGE}`);
      return null;
    }
    return { refs: value };
  }
  if (!isHash(value)) {
    problems.error(path, 'has to be either an array of conditions or a hash');
    return null;
  }
  if (Object.keys(value).length === 0) problems.error(path, "config can't be blank");
  checkKeys(value, ['refs', 'variables', 'changes', 'kubernetes'], path, problems);
  const policy: PolicySpec = {};
  if (isStrings(value.variables)) {
    const invalid = value.variables.some((statement) => isValidExpression(statement) !== null);
    if (invalid) problems.error(`${path} variables`, 'invalid expression syntax');
  }
  if (value.refs !== undefined && value.refs !== null) {
    if (!validRefs(value.refs)) problems.error(`${path} refs`, REFS_MESSAGE);
    else policy.refs = value.refs;
  }
  if (value.kubernetes !== undefined && value.kubernetes !== null) {
    if (value.kubernetes !== 'active') problems.error(`${path} kubernetes`, `unknown value: ${String(value.kubernetes)}`);
    else policy.kubernetes = 'active';
  }
  if (value.variables !== undefined && value.variables !== null) {
    if (!isStrings(value.variables)) problems.error(`${path} variables`, 'should be an array of strings');
    else policy.variables = value.variables;
  }
  if (value.changes !== undefined && value.changes !== null) {
    if (!isStrings(value.changes)) problems.error(`${path} changes`, 'should be an array of strings');
    else policy.changes = value.changes;
  }
  return policy;
}
