import { deepMerge, type Hash } from './deep-merge.js';
import { expandVariables } from './evaluate/variables.js';
import { firstMatchingRule, type RuleFacts } from './evaluate/rules.js';
import { IncludeError, normalizeIncludes, type IncludeItem } from './include-entries.js';
import type { Problems } from './problems.js';
import type { ConfigFiles, IncludeEntry, IncludeRecord } from './types.js';
import { loadYaml } from './yaml-loader.js';

export { parseIncludeEntries } from './include-entries.js';

/** GitLab's default `ci_max_includes`: every included file counts, nested or repeated. */
export const MAX_INCLUDES = 150;

const UNSUPPORTED: Record<string, string> = {
  project: 'Including files from other projects (`include:project`) is not supported by Conveyor yet',
  remote: 'Remote includes (`include:remote`) are not supported by Conveyor: it does not fetch configuration over the network',
  template: 'GitLab CI templates (`include:template`) are not shipped with Conveyor',
  component: 'CI/CD components (`include:component`) are not supported by Conveyor',
  artifact: '`include:artifact` is only valid in `trigger:include` of a child pipeline',
};

interface IncludeState {
  files: ConfigFiles;
  facts: RuleFacts;
  records: IncludeRecord[];
  /** Files started so far: bounds the recursion of a file that includes itself. */
  started: number;
  allFiles: string[] | null;
}

/** Include rules (Filter): the first matching rule decides, `when: never` or no match leaves the file out. */
function passes(item: IncludeItem, facts: RuleFacts): boolean {
  if (item.rules === null) return true;
  const rule = firstMatchingRule(item.rules, facts);
  return rule !== null && rule.when !== 'never';
}

const stripSlashes = (path: string) => path.replace(/^\/+/, '');

/**
 * Repository#search_files_by_wildcard_path: `**` matches anything (slashes too), `*` anything but a
 * slash, the whole path anchored; leading slashes are dropped first.
 */
function wildcardMatcher(pattern: string): RegExp {
  const escaped = stripSlashes(pattern).replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*?').replace(/\u0000/g, '.*?')}$`);
}

/**
 * LocationExpander (a local path with `*` becomes every matching file, except the file doing the
 * including), then VariablesExpander.
 */
async function expand(entry: IncludeEntry, state: IncludeState, parent: string | null): Promise<IncludeEntry[]> {
  if (entry.type !== 'local') return [entry];
  if (!entry.path.includes('*')) return [{ ...entry, path: expandVariables(entry.path, state.facts.variables) }];
  state.allFiles ??= (await state.files.list?.()) ?? [];
  const matcher = wildcardMatcher(entry.path);
  return state.allFiles.filter((f) => matcher.test(f) && f !== parent).sort().map((path) => ({ ...entry, path }));
}

const locationOf = (entry: IncludeEntry): string =>
  entry.type === 'local' ? entry.path : entry.type === 'project' ? entry.project : entry.type === 'remote' ? entry.url : entry.type === 'template' ? entry.template : entry.type === 'component' ? entry.component : entry.artifact;

interface Pending {
  entry: IncludeEntry;
  error: string | null;
  content: Hash | null;
}

/** File::Base#validate_location! (and Conveyor's refusal of the kinds it cannot fetch). */
function locationError(entry: IncludeEntry): string | null {
  if (entry.type !== 'local') return `Included file \`${locationOf(entry)}\`: ${UNSUPPORTED[entry.type]}`;
  const path = stripSlashes(entry.path);
  return /.+\.(yml|yaml)$/i.test(path.split('/').pop() ?? '') ? null : `Included file \`${path}\` does not have YAML extension!`;
}

/** File::Local content checks, YAML, then its own includes (whose problems are raised at once). */
async function loadLocal(rawPath: string, state: IncludeState): Promise<{ error: string } | { content: Hash }> {
  const path = stripSlashes(rawPath);
  const text = await state.files.read(path);
  if (text === null) return { error: `Local file \`${path}\` does not exist!` };
  if (text.trim() === '') return { error: `Local file \`${path}\` is empty!` };
  const parsed = loadYaml(text);
  if (!parsed.ok) return { error: `\`${path}\`: ${parsed.error}` };
  const content = Object.keys(parsed.value as Hash).length === 0 ? {} : await withIncludes(parsed.value as Hash, state, path);
  if (Object.keys(content).length === 0) return { error: `Included file \`${path}\` does not have valid YAML syntax!` };
  return { content };
}

/**
 * External::Processor with Mapper::Verifier's order: every file of this level is counted (at most
 * MAX_INCLUDES in all) and its location checked, then each is loaded in turn; the first file with a
 * problem is reported. The included files are deep-merged in order, the including file on top.
 */
async function withIncludes(config: Hash, state: IncludeState, parent: string | null): Promise<Hash> {
  if (!('include' in config)) return config;
  const { include, ...own } = config;
  const items = normalizeIncludes(include, state.facts.variables).filter((item) => passes(item, state.facts));
  const pending: Pending[] = [];
  for (const item of items) {
    if (item.entry === null) throw new IncludeError(item.matchError as string);
    for (const entry of await expand(item.entry, state, parent)) {
      if (++state.started > MAX_INCLUDES) throw new IncludeError(`Maximum of ${MAX_INCLUDES} nested includes are allowed!`);
      if (entry.type === 'local') {
        state.records.push({ type: 'local', location: stripSlashes(entry.path), blob: null, raw: null, extra: {}, context_project: null, context_sha: null });
      }
      pending.push({ entry, error: locationError(entry), content: null });
    }
  }
  for (const file of pending) {
    if (file.error !== null || file.entry.type !== 'local') continue;
    const loaded = await loadLocal(file.entry.path, state);
    if ('error' in loaded) file.error = loaded.error;
    else file.content = loaded.content;
  }
  const failed = pending.find((f) => f.error !== null);
  if (failed) throw new IncludeError(failed.error as string);
  return deepMerge(pending.reduce<Hash>((merged, f) => deepMerge(merged, f.content ?? {}), {}), own);
}

/** Resolves `include:` recursively; the first problem ends it, as GitLab raises it. */
export async function resolveIncludes(root: Hash, files: ConfigFiles, facts: RuleFacts, problems: Problems): Promise<{ config: Hash; includes: IncludeRecord[] }> {
  const state: IncludeState = { files, facts, records: [], started: 0, allFiles: facts.files };
  try {
    return { config: await withIncludes(root, state, null), includes: state.records };
  } catch (error) {
    if (!(error instanceof IncludeError)) throw error;
    problems.plain(error.message);
    return { config: root, includes: state.records };
  }
}
