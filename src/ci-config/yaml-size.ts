/**
 * GitLab's Gitlab::Utils::DeepSize: the loaded value is walked (aliases counted every time they are
 * used, so an alias bomb is caught without being expanded) adding up Ruby's memory size of each
 * object; over the size limit, or nested deeper than the depth limit, the file is "too big".
 * Ruby's ObjectSpace.memsize_of is approximated for 64-bit Ruby.
 */
export const MAX_YAML_SIZE = 2 * 1024 * 1024;
export const MAX_YAML_DEPTH = 100;

const SLOT = 40;

function memsize(value: unknown): number {
  if (typeof value === 'string') return SLOT + (Buffer.byteLength(value) > 23 ? Buffer.byteLength(value) + 1 : 0);
  if (Array.isArray(value)) return SLOT + (value.length > 3 ? 8 * value.length : 0);
  if (value !== null && typeof value === 'object') {
    const n = Object.keys(value).length;
    return SLOT + (n === 0 ? 0 : n <= 8 ? 160 : 24 * n);
  }
  return 0;
}

export function tooBig(root: unknown, maxSize = MAX_YAML_SIZE, maxDepth = MAX_YAML_DEPTH): boolean {
  let size = 0;
  let depth = 0;
  const add = (value: unknown): boolean => {
    size += memsize(value);
    if (size > maxSize) return false;
    if (value === null || typeof value !== 'object') return true;
    if (++depth > maxDepth) return false;
    const children = Array.isArray(value) ? value : Object.entries(value).flatMap(([k, v]) => [k, v]);
    for (const child of children) if (!add(child)) return false;
    depth--;
    return true;
  };
  return !add(root);
}
