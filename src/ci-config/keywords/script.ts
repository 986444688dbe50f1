import type { Problems } from '../problems.js';

const MAX_NESTING = 10;

// GitLab's Commands entry accepts only strings (validate_string: String or Symbol): `- 10` is an error.
function flatten(value: unknown, depth: number): string[] | null {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || depth > MAX_NESTING) return null;
  const out: string[] = [];
  for (const item of value) {
    const inner = flatten(item, depth + 1);
    if (inner === null) return null;
    out.push(...inner);
  }
  return out;
}

/** `script`, `before_script`, `after_script`: a string or arrays of strings nested up to 10 deep, flattened. */
export function parseScript(value: unknown, path: string, problems: Problems): string[] {
  const lines = flatten(value, 1);
  if (lines === null) {
    problems.error(path, 'config should be a string or a nested array of strings up to 10 levels deep');
    return [];
  }
  return lines;
}
