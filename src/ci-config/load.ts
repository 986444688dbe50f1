import { isHash, type Hash } from './deep-merge.js';
import { mergeVariables } from './evaluate/variables.js';
import { resolveExtends } from './extends.js';
import { resolveIncludes } from './includes.js';
import { parseJob } from './keywords/job.js';
import { parseRules } from './keywords/rules.js';
import { checkKeys } from './keywords/shape.js';
import { parseVariables } from './keywords/variables.js';
import { Problems } from './problems.js';
import { resolveReferences } from './references.js';
import type { ConfigFiles, JobDefinition, LoadResult, PipelineContext } from './types.js';
import { loadYaml } from './yaml-loader.js';
import { validateJobGraph } from './job-graph.js';

export const DEFAULT_STAGES = ['build', 'test', 'deploy'];
/** Root keys that are not jobs. The legacy globals (image, services, ...) act as `default:`. */
const LEGACY_DEFAULTS = ['image', 'services', 'cache', 'before_script', 'after_script'];
const RESERVED = ['stages', 'variables', 'default', 'workflow', 'include', ...LEGACY_DEFAULTS];
const DEFAULT_ALLOWED = ['after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout'];

function stagesOf(config: Hash, problems: Problems): string[] {
  if (config.stages === undefined) return ['.pre', ...DEFAULT_STAGES, '.post'];
  const list = flattenStrings(config.stages);
  if (list === null) {
    problems.error('stages', 'config should be an array of strings or a nested array of strings up to 10 levels deep');
    return ['.pre', ...DEFAULT_STAGES, '.post'];
  }
  return ['.pre', ...list.filter((s) => s !== '.pre' && s !== '.post'), '.post'].filter((s, i, all) => all.indexOf(s) === i);
}

function flattenStrings(value: unknown, depth = 0): string[] | null {
  if (typeof value === 'string' || typeof value === 'number') return [String(value)];
  if (!Array.isArray(value) || depth > 10) return null;
  const out: string[] = [];
  for (const item of value) {
    const inner = flattenStrings(item, depth + 1);
    if (inner === null) return null;
    out.push(...inner);
  }
  return out;
}

/**
 * Reads a `.gitlab-ci.yml` into validated job definitions: YAML, includes, `!reference`, `extends`,
 * `default:`, then every keyword's checks and the static job-graph checks. Collects all errors.
 */
export async function loadConfig(text: string, files: ConfigFiles, ctx: PipelineContext): Promise<LoadResult> {
  const problems = new Problems();
  const invalid = (): LoadResult => ({ status: 'invalid', errors: problems.errors, warnings: problems.warnings });
  if (text.trim() === '') {
    problems.plain('Please provide content of .gitlab-ci.yml');
    return invalid();
  }
  const parsed = loadYaml(text);
  if (!parsed.ok) {
    problems.plain(parsed.error);
    return invalid();
  }
  if (!isHash(parsed.value)) {
    problems.plain('Invalid configuration format');
    return invalid();
  }
  const facts = {
    variables: mergeVariables(ctx.predefinedVariables, ctx.projectVariables, ctx.pipelineVariables),
    changedPaths: ctx.changedPaths,
    files: (await files.list?.()) ?? null,
  };
  const included = await resolveIncludes(parsed.value, files, facts, problems);
  if (!problems.ok) return invalid();
  // GitLab's order: includes, then `extends`, then `!reference`.
  const extended = resolveExtends(included.config, problems);
  const config = resolveReferences(extended, problems);
  if (!problems.ok) return invalid();

  const stages = stagesOf(config, problems);
  const variables = parseVariables(config.variables, 'variables', problems);
  const defaults: Hash = {};
  for (const key of LEGACY_DEFAULTS) if (config[key] !== undefined) defaults[key] = config[key];
  if (config.default !== undefined) {
    if (!isHash(config.default)) problems.error('default', 'config should be a hash');
    else {
      checkKeys(config.default, DEFAULT_ALLOWED, 'default', problems);
      for (const key of LEGACY_DEFAULTS) {
        if (config[key] !== undefined && config.default[key] !== undefined) problems.plain(`${key} is defined in top-level and \`default:\` entry`);
      }
      Object.assign(defaults, config.default);
    }
  }
  let workflowRules = null;
  let workflowName: string | null = null;
  if (config.workflow !== undefined) {
    if (!isHash(config.workflow)) problems.error('workflow', 'config should be a hash');
    else {
      checkKeys(config.workflow, ['rules', 'name', 'auto_cancel'], 'workflow', problems);
      if (config.workflow.rules !== undefined && !Array.isArray(config.workflow.rules)) problems.error('workflow:rules', "config can't be blank");
      if (config.workflow.rules !== undefined) workflowRules = parseRules(config.workflow.rules, 'workflow:rules', problems, 'workflow');
      if (config.workflow.name !== undefined) {
        if (typeof config.workflow.name !== 'string' || config.workflow.name.length > 255) problems.error('workflow:name', 'config must be a string of at most 255 characters');
        else workflowName = config.workflow.name;
      }
    }
  }

  const jobs: JobDefinition[] = [];
  let index = 0;
  for (const [name, value] of Object.entries(config)) {
    if (RESERVED.includes(name) || name.startsWith('.')) continue;
    if (!isHash(value)) {
      problems.error(`jobs ${name}`, 'config should implement the script:, run:, or trigger: keyword');
      continue;
    }
    if (name.length > 255) problems.error(`jobs:${name}`, 'name is too long (maximum is 255 characters)');
    jobs.push(parseJob(name, value, index++, defaults, problems));
  }
  if (jobs.length === 0 && problems.ok) problems.error('jobs', 'config should contain at least one visible job');
  validateJobGraph(jobs, stages, problems);
  if (!problems.ok) return invalid();
  const auto = isHash(config.workflow) && isHash(config.workflow.auto_cancel) ? config.workflow.auto_cancel : null;
  return {
    status: 'loaded',
    config: {
      stages,
      jobs,
      variables,
      workflowRules,
      workflowName,
      workflowAutoCancel: auto as { on_new_commit?: string; on_job_failure?: string } | null,
      includes: included.includes,
      merged: config,
      warnings: problems.warnings,
    },
  };
}
