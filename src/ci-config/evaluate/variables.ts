/** `$VAR`, `${VAR}` and `%VAR%` replaced from `variables`; unknown variables become empty, as GitLab expands them. */
export function expandVariables(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/g, (match, braced, bare, percent) => {
    if (match === '$$') return '$';
    const name = braced ?? bare ?? percent;
    return variables.get(name) ?? '';
  });
}

/** Later sources win: predefined < yaml < project < pipeline, as GitLab orders them. */
export function mergeVariables(...sources: Array<Record<string, string> | ReadonlyMap<string, string> | undefined>): Map<string, string> {
  const out = new Map<string, string>();
  for (const source of sources) {
    if (!source) continue;
    const entries = source instanceof Map ? source.entries() : Object.entries(source);
    for (const [key, value] of entries) out.set(key, value);
  }
  return out;
}

/** ExpandVariables.expand_existing: like expandVariables, but a variable that is not defined stays as written (runner tags). */
export function expandExisting(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/g, (match, braced, bare, percent) => {
    return variables.get(braced ?? bare ?? percent) ?? match;
  });
}

/**
 * Gitlab::Ci::Variables::Helpers.merge_variables: `(current + new).group_by(key).map(&:last)` —
 * a key keeps the position where it first appeared and takes the last value given.
 */
export function mergeYamlVariables<T extends { key: string }>(...lists: T[][]): T[] {
  const byKey = new Map<string, T>();
  for (const list of lists) for (const variable of list) byKey.set(variable.key, variable);
  return [...byKey.values()];
}
