import { isValidBranchName } from '../../git/refs.js';

/**
 * A protected branch name: a branch name that may hold `*` wildcards. It must stay a valid branch name
 * once the wildcards are filled in, which also keeps newlines out of the patterns the hooks read.
 */
export function isValidBranchPattern(pattern: string): boolean {
  return pattern.length > 0 && pattern.length <= 255 && isValidBranchName(pattern.replaceAll('*', 'x'));
}

/** GitLab's RefMatcher: `*` matches any run of characters, `/` included; anything else matches exactly. */
export function matchesBranchPattern(pattern: string, branch: string): boolean {
  if (!pattern.includes('*')) return pattern === branch;
  const source = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, 's').test(branch);
}
