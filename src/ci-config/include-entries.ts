import { isHash } from './deep-merge.js';
import { expandVariables } from './evaluate/variables.js';
import { parseRules } from './keywords/rules.js';
import { Problems } from './problems.js';
import type { IncludeEntry, RuleSpec } from './types.js';

/** The `include:` accessors, in the order GitLab's Matcher lists them. */
export const ACCESSORS = ['local', 'project', 'remote', 'template', 'artifact', 'component'];

/**
 * One include after GitLab's Normalizer, with its rules (for any kind of include). The Matcher runs
 * after the rules filter, so an include naming no or several accessors only fails if it is kept.
 */
export interface IncludeItem {
  entry: IncludeEntry | null;
  rules: RuleSpec[] | null;
  matchError: string | null;
}

/** A problem that GitLab raises (ending include processing) rather than collects. */
export class IncludeError extends Error {}

/** Gitlab::UrlSanitizer.valid?: a URL of an allowed scheme makes a string include remote. */
const isUrl = (text: string) => /^(https?|ssh|git):/i.test(text.trim());
const present = (v: unknown) => v !== undefined && v !== null && v !== '' && v !== false && !(Array.isArray(v) && v.length === 0);

/** Which accessor an include hash uses; GitLab's Matcher errors when none or several match. */
function accessorOf(item: Record<string, unknown>, allowArtifact: boolean): string {
  const found = ACCESSORS.filter((key) => present(item[key]) && (allowArtifact || key !== 'artifact'));
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    throw new IncludeError(`\`${JSON.stringify(item)}\` does not have a valid subkey for include. Valid subkeys are: ${ACCESSORS.map((a) => `\`${a}\``).join(', ')}`);
  }
  throw new IncludeError(`Each include must use only one of: ${ACCESSORS.map((a) => `\`${a}\``).join(', ')}`);
}

function entryOf(item: Record<string, unknown>, accessor: string, rules: RuleSpec[] | undefined): IncludeEntry {
  const location = item[accessor];
  if (typeof location !== 'string') throw new IncludeError(`Included file \`${String(location)}\` needs to be a string`);
  switch (accessor) {
    case 'local':
      return { type: 'local', path: location, ...(rules ? { rules } : {}) };
    case 'project': {
      const file = Array.isArray(item.file) ? item.file.map(String) : typeof item.file === 'string' ? [item.file] : [];
      return { type: 'project', project: location, file, ...(typeof item.ref === 'string' ? { ref: item.ref } : {}) };
    }
    case 'remote':
      return { type: 'remote', url: location };
    case 'template':
      return { type: 'template', template: location };
    case 'component':
      return { type: 'component', component: location };
    default:
      return { type: 'artifact', artifact: location, job: String(item.job ?? '') };
  }
}

/**
 * Reads an `include:` value (string, hash or list) like GitLab's Normalizer: a string is a remote URL or a
 * local path (variables expanded first, when given), a hash names exactly one accessor. Throws IncludeError.
 */
export function normalizeIncludes(value: unknown, variables: ReadonlyMap<string, string> | null, allowArtifact = false): IncludeItem[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item): IncludeItem => {
    if (typeof item === 'string') {
      const location = variables ? expandVariables(item, variables) : item;
      return { entry: isUrl(location) ? { type: 'remote', url: location } : { type: 'local', path: location }, rules: null, matchError: null };
    }
    if (!isHash(item)) throw new IncludeError('Each include must be a hash or a string');
    let rules: RuleSpec[] | null = null;
    if (item.rules !== undefined && item.rules !== null) {
      const problems = new Problems();
      rules = parseRules(item.rules, 'include:rules', problems, 'include');
      if (!problems.ok) throw new IncludeError(problems.errors[0]);
    }
    try {
      return { entry: entryOf(item, accessorOf(item, allowArtifact), rules ?? undefined), rules, matchError: null };
    } catch (error) {
      if (!(error instanceof IncludeError)) throw error;
      return { entry: null, rules, matchError: error.message };
    }
  });
}

/** `include:` entries of a `trigger:` (child pipeline), with problems reported under `path`. */
export function parseIncludeEntries(value: unknown, path: string, problems: Problems, allowArtifact = false): IncludeEntry[] {
  try {
    // A child pipeline's includes are expanded when that pipeline is created, not here.
    const items = normalizeIncludes(value, null, allowArtifact);
    const failed = items.find((i) => i.matchError !== null);
    if (failed) throw new IncludeError(failed.matchError as string);
    const entries = items.map((i) => i.entry as IncludeEntry);
    for (const entry of entries) {
      if (entry.type === 'project' && entry.file.length === 0) problems.error(path, 'config must specify the file where to fetch the config from');
      if (entry.type === 'artifact' && entry.job === '') problems.error(path, 'config must specify the job where to fetch the artifact from');
    }
    return entries;
  } catch (error) {
    if (!(error instanceof IncludeError)) throw error;
    problems.plain(error.message);
    return [];
  }
}
