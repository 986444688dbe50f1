import { GitInputError } from './errors.js';

export const NULL_SHA = '0000000000000000000000000000000000000000';

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

/** The all-zero id git uses for "no object": a ref's creation or deletion (SHA-1 or SHA-256). */
export function isNullSha(value: string): boolean {
  return /^0+$/.test(value) && (value.length === 40 || value.length === 64);
}

/**
 * `git check-ref-format` rules, checked here so hostile names are refused without spawning git.
 * test/git/refs.test.ts compares this with the real command.
 */
export function isValidRefName(name: string, options: { allowOneLevel?: boolean } = {}): boolean {
  if (name === '' || name === '@' || name.length > 1024) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (name.includes('..') || name.includes('//') || name.includes('@{')) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  const components = name.split('/');
  if (!options.allowOneLevel && components.length < 2) return false;
  return components.every((c) => !c.startsWith('.') && !c.endsWith('.lock'));
}

/** `git check-ref-format --branch`: a valid `refs/heads/<name>` that does not start with `-`. */
export function isValidBranchName(name: string): boolean {
  return !name.startsWith('-') && name !== 'HEAD' && isValidRefName(`refs/heads/${name}`);
}

export function requireObjectId(value: string): string {
  if (!isObjectId(value)) throw new GitInputError(`not an object id: ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}

export function requireBranchName(name: string): string {
  if (!isValidBranchName(name)) throw new GitInputError(`not a valid branch name: ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}

/**
 * A path inside a tree: relative, `/`-separated, no `.`/`..`/empty segment, no NUL. Git itself refuses
 * most of these, but a clean path is the caller's contract, so a bad one is an error, not a miss.
 */
export function requireCleanPath(filePath: string): string {
  const clean =
    filePath !== '' &&
    !filePath.includes('\0') &&
    !filePath.startsWith('/') &&
    filePath.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  if (!clean) throw new GitInputError(`not a clean relative path: ${JSON.stringify(filePath.slice(0, 200))}`);
  return filePath;
}
