import { isHash, type Hash } from '../deep-merge.js';
import { parseDuration } from '../duration.js';
import { Problems } from '../problems.js';
import type { JobDefinition, When } from '../types.js';
import { parseArtifacts } from './artifacts.js';
import { parseCache } from './cache.js';
import { parseImage, parseServices } from './image.js';
import { parseEnvironment, parseParallel, parseRetry, parseTimeout, parseTrigger } from './job-extras.js';
import { parseNeeds } from './needs.js';
import { parsePolicy } from './policy.js';
import { parseRules } from './rules.js';
import { parseScript } from './script.js';
import { checkKeys, stringList } from './shape.js';
import { parseVariables } from './variables.js';

export const DEFAULT_KEYS = [
  'after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout',
] as const;

/** GitLab 17's Processable keys, shared by jobs and bridges. */
const PROCESSABLE_KEYS = [
  'extends', 'stage', 'only', 'except', 'rules', 'variables', 'inherit', 'allow_failure', 'when', 'needs', 'resource_group',
  'environment', 'interruptible',
];
const JOB_KEYS = [
  ...PROCESSABLE_KEYS, 'tags', 'script', 'image', 'services', 'start_in', 'artifacts', 'cache', 'dependencies', 'before_script',
  'after_script', 'hooks', 'coverage', 'retry', 'parallel', 'timeout', 'release', 'id_tokens', 'publish', 'pages',
  'manual_confirmation', 'run', 'secrets',
];
const BRIDGE_KEYS = [...PROCESSABLE_KEYS, 'trigger', 'parallel'];

const JOB_WHEN: When[] = ['on_success', 'on_failure', 'always', 'manual', 'delayed'];
const BRIDGE_WHEN: When[] = ['on_success', 'on_failure', 'always', 'manual'];
const MAX_TAGS = 50;
const ONE_WEEK = 604_800;

function parseAllowFailure(value: unknown, path: string, problems: Problems, bridge: boolean): { allow: boolean | null; exitCodes: number[] | null } {
  if (value === undefined || value === null) return { allow: null, exitCodes: null };
  if (typeof value === 'boolean') return { allow: value, exitCodes: null };
  if (!bridge && isHash(value)) {
    checkKeys(value, ['exit_codes'], `${path}:allow_failure`, problems);
    const codes = Array.isArray(value.exit_codes) ? value.exit_codes : [value.exit_codes];
    if (value.exit_codes === undefined || codes.some((c) => !Number.isInteger(c))) {
      problems.error(`${path}:allow_failure exit codes`, 'should be an array of integers or an integer');
      return { allow: null, exitCodes: null };
    }
    return { allow: false, exitCodes: codes as number[] };
  }
  problems.error(`${path} allow failure`, bridge ? 'should be a boolean value' : 'should be a hash or a boolean value');
  return { allow: null, exitCodes: null };
}

function parseInheritVariables(inherit: unknown, path: string, problems: Problems): { variables: boolean | string[]; defaults: boolean | string[] } {
  if (inherit === undefined || inherit === null) return { variables: true, defaults: true };
  if (!isHash(inherit)) {
    problems.error(`${path}:inherit`, 'config should be a hash');
    return { variables: true, defaults: true };
  }
  checkKeys(inherit, ['default', 'variables'], `${path}:inherit`, problems);
  const read = (value: unknown, key: string): boolean | string[] => {
    if (value === undefined) return true;
    if (typeof value === 'boolean') return value;
    return stringList(value, `${path}:inherit:${key}`, problems, 'config should be a boolean value or an array of strings');
  };
  return { variables: read(inherit.variables, 'variables'), defaults: read(inherit.default, 'default') };
}

/** Fills keys the job leaves out from `default:`, as `inherit:default` allows (the job's own value always wins). */
export function applyDefaults(job: Hash, defaults: Hash, inheritDefault: boolean | string[]): Hash {
  if (inheritDefault === false) return job;
  const out: Hash = { ...job };
  for (const key of DEFAULT_KEYS) {
    if (out[key] !== undefined || defaults[key] === undefined) continue;
    if (Array.isArray(inheritDefault) && !inheritDefault.includes(key)) continue;
    out[key] = defaults[key];
  }
  return out;
}

/** Turns one resolved job hash into a JobDefinition, reporting every problem under `jobs:<name>`. */
export function parseJob(name: string, raw: Hash, index: number, defaults: Hash, problems: Problems): JobDefinition {
  const path = `jobs:${name}`;
  const inherit = parseInheritVariables(raw.inherit, path, problems);
  // GitLab's classification: `script`/`run` makes a job, `trigger` (or bare `needs`) a bridge.
  const isBridge = raw.script === undefined && raw.run === undefined && (raw.trigger !== undefined || raw.needs !== undefined);
  const value = isBridge ? raw : applyDefaults(raw, defaults, inherit.defaults);
  if (raw.script !== undefined && raw.trigger !== undefined) problems.error(path, 'config these keys cannot be used together: script, trigger');
  else checkKeys(raw, isBridge ? BRIDGE_KEYS : JOB_KEYS, path, problems);
  if (isBridge && raw.trigger === undefined) problems.error(path, 'config should contain either a trigger or a needs:pipeline');
  if (!isBridge && raw.script !== undefined && parseScript(raw.script, `${path}:script`, new Problems()).length === 0 && raw.run === undefined) {
    problems.error(path, "script can't be blank");
  }
  const stageValue = raw.stage ?? 'test';
  if (typeof stageValue !== 'string') problems.error(`${path}:stage`, 'config should be a string');

  const allowedWhen = isBridge ? BRIDGE_WHEN : JOB_WHEN;
  const when = (raw.when ?? 'on_success') as When;
  if (raw.when !== undefined && !allowedWhen.includes(raw.when as When)) problems.error(`${path} when`, `should be one of: ${allowedWhen.join(', ')}`);
  let startIn: string | null = null;
  if (raw.start_in !== undefined && raw.rules === undefined) {
    const seconds = typeof raw.start_in === 'string' ? parseDuration(raw.start_in) : null;
    if (when !== 'delayed') problems.error(`${path} start in`, 'must be blank');
    else if (seconds === null) problems.error(`${path} start in`, 'should be a duration');
    else if (seconds >= ONE_WEEK) problems.error(`${path} start in`, 'should not exceed the limit');
    else startIn = raw.start_in as string;
  } else if (when === 'delayed' && raw.rules === undefined) problems.error(`${path} start in`, 'should be a duration');

  const withRules = ['only', 'except', 'start_in'].filter((key) => raw.rules !== undefined && raw[key] !== undefined);
  if (withRules.length > 0) problems.error(path, `config key may not be used with \`rules\`: ${withRules.join(', ')}`);

  const allowFailure = parseAllowFailure(raw.allow_failure, path, problems, isBridge);
  let coverage: string | null = null;
  if (raw.coverage !== undefined) {
    if (typeof raw.coverage !== 'string' || !/^\/.+\/[a-z]*$/.test(raw.coverage)) problems.error(`${path}:coverage`, 'config must be a regular expression with re2 syntax');
    else coverage = raw.coverage.slice(1, raw.coverage.lastIndexOf('/'));
  }
  if (Array.isArray(raw.dependencies) && Array.isArray(raw.needs)) {
    const needNames = raw.needs.map((n) => (isHash(n) ? String(n.job) : String(n)));
    const missing = raw.dependencies.map(String).filter((d) => !needNames.includes(d));
    if (missing.length > 0) problems.error(`${path} dependencies`, `the ${missing.join(', ')} should be part of needs`);
  }
  const tags = stringList(value.tags, `${path}:tags`, problems, 'config should be an array of strings');
  if (tags.length >= MAX_TAGS) problems.error(`${path}:tags`, `config must be less than the limit of ${MAX_TAGS} tags`);
  if (isBridge && typeof raw.parallel === 'number') problems.error(`${path}:parallel`, 'config cannot use "parallel: <number>".');
  const interruptible = value.interruptible;
  if (interruptible !== undefined && typeof interruptible !== 'boolean') problems.error(`${path}:interruptible`, 'config should be a boolean value');
  if (raw.resource_group !== undefined && typeof raw.resource_group !== 'string') problems.error(`${path} resource group`, 'should be a string');
  if (raw.dependencies !== undefined && !Array.isArray(raw.dependencies)) problems.error(`${path} dependencies`, 'should be an array of strings');

  return {
    name,
    index,
    kind: isBridge ? 'bridge' : 'build',
    stage: typeof stageValue === 'string' ? stageValue : 'test',
    script: parseScript(value.script ?? [], `${path}:script`, problems),
    before_script: parseScript(value.before_script ?? [], `${path}:before_script`, problems),
    after_script: parseScript(value.after_script ?? [], `${path}:after_script`, problems),
    image: parseImage(value.image, `${path}:image`, problems),
    services: parseServices(value.services, `${path}:services`, problems),
    tags,
    variables: parseVariables(raw.variables, `${path}:variables`, problems),
    inherit_variables: inherit.variables,
    when,
    start_in: startIn,
    allow_failure: allowFailure.allow,
    allow_failure_exit_codes: allowFailure.exitCodes,
    needs: parseNeeds(raw.needs, `${path}:needs`, problems),
    dependencies: Array.isArray(raw.dependencies) ? stringList(raw.dependencies, `${path} dependencies`, problems, 'should be an array of strings') : null,
    artifacts: parseArtifacts(value.artifacts, `${path}:artifacts`, problems),
    cache: parseCache(value.cache, `${path}:cache`, problems),
    retry: parseRetry(value.retry, `${path}:retry`, problems),
    timeout: parseTimeout(value.timeout, `${path}:timeout`, problems),
    resource_group: typeof raw.resource_group === 'string' ? raw.resource_group : null,
    interruptible: typeof interruptible === 'boolean' ? interruptible : null,
    environment: parseEnvironment(raw.environment, `${path}:environment`, problems),
    coverage,
    trigger: parseTrigger(raw.trigger, `${path}:trigger`, problems),
    parallel: parseParallel(raw.parallel, `${path}:parallel`, problems),
    rules: raw.rules === undefined ? null : parseRules(raw.rules, `${path}:rules`, problems, 'job'),
    only: parsePolicy(raw.only, `${path}:only`, problems),
    except: parsePolicy(raw.except, `${path}:except`, problems),
    id_tokens: isHash(value.id_tokens) ? value.id_tokens : null,
    hooks: isHash(value.hooks) ? Object.fromEntries(Object.entries(value.hooks).map(([k, v]) => [k, parseScript(v, `${path}:hooks:${k}`, problems)])) : null,
  };
}
