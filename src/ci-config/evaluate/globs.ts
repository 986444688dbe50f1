import picomatch from 'picomatch';

const cache = new Map<string, (path: string) => boolean>();

/**
 * Ruby's File.fnmatch with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB, as GitLab uses for
 * `changes`, `exists` and wildcard includes: `*` stays inside a folder, `**` crosses them, braces expand.
 */
export function globMatcher(pattern: string): (path: string) => boolean {
  let matcher = cache.get(pattern);
  if (!matcher) {
    matcher = picomatch(pattern.replace(/^\/+/, ''), { dot: true, nobrace: false, noextglob: false });
    if (cache.size > 5000) cache.clear();
    cache.set(pattern, matcher);
  }
  return matcher;
}

export function anyPathMatches(patterns: string[], paths: string[]): boolean {
  const matchers = patterns.map(globMatcher);
  return paths.some((path) => matchers.some((m) => m(path.replace(/^\/+/, ''))));
}
