import { deepMerge, isHash, type Hash } from './deep-merge.js';
import { firstMatchingRule, type RuleFacts } from './evaluate/rules.js';
import { globMatcher } from './evaluate/globs.js';
import { expandVariables } from './evaluate/variables.js';
import { parseRules } from './keywords/rules.js';
import type { Problems } from './problems.js';
import type { ConfigFiles, IncludeEntry, IncludeRecord } from './types.js';
import { loadYaml } from './yaml-loader.js';

/** GitLab's limits on includes per pipeline and on how deep includes may nest. */
export const MAX_INCLUDES = 150;
const MAX_INCLUDE_DEPTH = 100;

const ACCESSORS = ['local', 'project', 'remote', 'template', 'artifact', 'component'];

const UNSUPPORTED: Record<string, string> = {
  project: 'Including files from other projects (`include:project`) is not supported by Conveyor yet',
  remote: 'Remote includes (`include:remote`) are not supported by Conveyor: it does not fetch configuration over the network',
  template: 'GitLab CI templates (`include:template`) are not shipped with Conveyor',
  component: 'CI/CD components (`include:component`) are not supported by Conveyor',
  artifact: '`include:artifact` is only valid in `trigger:include` of a child pipeline',
};

/** Reads one `include:` value (string, hash or list) into entries, reporting malformed ones. */
export function parseIncludeEntries(value: unknown, path: string, problems: Problems, allowArtifact = false): IncludeEntry[] {
  const items = Array.isArray(value) ? value : [value];
  const entries: IncludeEntry[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      entries.push(/^https?:\/\//.test(item) ? { type: 'remote', url: item } : { type: 'local', path: item });
      continue;
    }
    if (!isHash(item)) {
      problems.plain('Each include must be a hash or a string');
      continue;
    }
    const accessors = ACCESSORS.filter((key) => item[key] !== undefined && (allowArtifact || key !== 'artifact'));
    if (accessors.length === 0) {
      problems.plain(`\`${JSON.stringify(item)}\` does not have a valid subkey for include. Valid subkeys are: ${ACCESSORS.map((a) => `\`${a}\``).join(', ')}`);
      continue;
    }
    if (accessors.length > 1) {
      problems.plain(`Each include must use only one of: ${ACCESSORS.map((a) => `\`${a}\``).join(', ')}`);
      continue;
    }
    const rules = item.rules === undefined ? undefined : parseRules(item.rules, `${path}:rules`, problems, 'include');
    if (typeof item.local === 'string') entries.push({ type: 'local', path: item.local, rules });
    else if (typeof item.project === 'string') {
      const file = Array.isArray(item.file) ? item.file.map(String) : typeof item.file === 'string' ? [item.file] : [];
      if (file.length === 0) problems.error(path, 'config must specify the file where to fetch the config from');
      entries.push({ type: 'project', project: item.project, file, ref: typeof item.ref === 'string' ? item.ref : undefined });
    } else if (typeof item.remote === 'string') entries.push({ type: 'remote', url: item.remote });
    else if (typeof item.template === 'string') entries.push({ type: 'template', template: item.template });
    else if (typeof item.component === 'string') entries.push({ type: 'component', component: item.component });
    else if (allowArtifact && typeof item.artifact === 'string' && typeof item.job === 'string') {
      entries.push({ type: 'artifact', artifact: item.artifact, job: item.job });
    } else if (item.artifact !== undefined) problems.error(path, 'config must specify the job where to fetch the artifact from');
    else problems.plain(`Included file \`${JSON.stringify(Object.values(item)[0])}\` needs to be a string`);
  }
  return entries;
}

interface IncludeState {
  files: ConfigFiles;
  facts: RuleFacts;
  problems: Problems;
  records: IncludeRecord[];
  seen: Set<string>;
  allFiles: string[] | null;
}

function normalizeLocal(path: string): string {
  return path.replace(/^\/+/, '');
}

async function expandLocal(path: string, state: IncludeState): Promise<string[]> {
  if (!path.includes('*')) return [normalizeLocal(path)];
  if (state.allFiles === null) state.allFiles = (await state.files.list?.()) ?? [];
  const matches = globMatcher(normalizeLocal(path));
  return state.allFiles.filter((f) => matches(f)).sort();
}

/** Loads one included file and its own includes; returns its content merged under what includes it. */
async function loadIncluded(entry: IncludeEntry, state: IncludeState, depth: number): Promise<Hash[]> {
  if (entry.type !== 'local') {
    const location = entry.type === 'project' ? entry.project : entry.type === 'remote' ? entry.url : entry.type === 'template' ? entry.template : entry.type === 'component' ? entry.component : entry.artifact;
    state.problems.plain(`Included file \`${location}\`: ${UNSUPPORTED[entry.type]}`);
    return [];
  }
  if (entry.rules && !firstMatchingRule(entry.rules, state.facts)) return [];
  // A wildcard that matches nothing includes nothing, as in GitLab.
  const paths = await expandLocal(expandVariables(entry.path, state.facts.variables), state);
  const loaded: Hash[] = [];
  for (const path of paths) {
    if (state.seen.has(path)) continue;
    state.seen.add(path);
    if (state.records.length >= MAX_INCLUDES) {
      state.problems.plain(`Maximum of ${MAX_INCLUDES} nested includes are allowed!`);
      return loaded;
    }
    if (!/\.ya?ml$/.test(path)) {
      state.problems.plain(`Included file \`${path}\` does not have YAML extension!`);
      continue;
    }
    const text = await state.files.read(path);
    if (text === null) {
      state.problems.plain(`Local file \`${path}\` does not exist!`);
      continue;
    }
    state.records.push({ type: 'local', location: path, blob: null, raw: null, extra: {}, context_project: null, context_sha: null });
    if (text.trim() === '') {
      state.problems.plain(`Local file \`${path}\` is empty!`);
      continue;
    }
    const parsed = loadYaml(text);
    if (!parsed.ok) {
      state.problems.plain(`\`${path}\`: ${parsed.error}`);
      continue;
    }
    if (!isHash(parsed.value)) {
      state.problems.plain(`Included file \`${path}\` does not have valid YAML syntax!`);
      continue;
    }
    loaded.push(await withIncludes(parsed.value, state, depth + 1));
  }
  return loaded;
}

async function withIncludes(config: Hash, state: IncludeState, depth: number): Promise<Hash> {
  if (config.include === undefined) return config;
  if (depth > MAX_INCLUDE_DEPTH) {
    state.problems.plain(`Maximum of ${MAX_INCLUDE_DEPTH} nested includes are allowed!`);
    return config;
  }
  const { include, ...own } = config;
  let merged: Hash = {};
  for (const entry of parseIncludeEntries(include, 'include', state.problems)) {
    for (const content of await loadIncluded(entry, state, depth)) merged = deepMerge(merged, content);
  }
  // The including file wins over what it includes.
  return deepMerge(merged, own);
}

/** Resolves `include:` recursively: included files first, then the file that includes them on top. */
export async function resolveIncludes(
  root: Hash,
  files: ConfigFiles,
  facts: RuleFacts,
  problems: Problems,
): Promise<{ config: Hash; includes: IncludeRecord[] }> {
  const state: IncludeState = { files, facts, problems, records: [], seen: new Set(), allFiles: facts.files };
  const config = await withIncludes(root, state, 0);
  return { config, includes: state.records };
}
