import { isHash, type Hash } from '../deep-merge.js';
import { Problems } from '../problems.js';
import type { JobDefinition } from '../types.js';
import { parseArtifacts } from './artifacts.js';
import { parseCache } from './cache.js';
import { parseImage, parseServices } from './image.js';
import { checkAllowFailureType, checkStartIn, checkWhen, parseAllowFailure, parseCoverage, parseTags } from './job-checks.js';
import { parseEnvironment, parseParallel, parseTrigger } from './job-extras.js';
import { parseNeeds } from './needs.js';
import { parsePolicy } from './policy.js';
import { parseRetry, parseTimeout } from './retry-timeout.js';
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
/** Of `default:`, a bridge inherits only what Processable declares `inherit: true`. */
const BRIDGE_DEFAULT_KEYS = ['interruptible'];

function parseInherit(inherit: unknown, path: string, problems: Problems): { variables: boolean | string[]; defaults: boolean | string[] } {
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
export function applyDefaults(job: Hash, defaults: Hash, inheritDefault: boolean | string[], keys: readonly string[] = DEFAULT_KEYS): Hash {
  if (inheritDefault === false) return job;
  const out: Hash = { ...job };
  for (const key of keys) {
    if (out[key] !== undefined || defaults[key] === undefined) continue;
    if (Array.isArray(inheritDefault) && !inheritDefault.includes(key)) continue;
    out[key] = defaults[key];
  }
  return out;
}

/** Ruby's `blank?`, which `validates :script, presence: true` applies to the raw value. */
const blank = (v: unknown) =>
  v === undefined || v === null || v === false || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0) || (isHash(v) && Object.keys(v).length === 0);

/**
 * The job entry's own validations (Processable's, then Job's or Bridge's), in GitLab's order.
 * Messages are "jobs:<name> <attribute> ..." — no colon before the attribute.
 */
function ownChecks(raw: Hash, path: string, isBridge: boolean, problems: Problems): void {
  for (const pair of [['script', 'trigger'], ['run', 'trigger']]) {
    const present = Object.keys(raw).filter((k) => pair.includes(k));
    if (present.length > 1) problems.error(path, `config these keys cannot be used together: ${present.join(', ')}`);
  }
  if (raw.rules !== undefined && raw.rules !== null) {
    const withRules = Object.keys(raw).filter((k) => ['only', 'except', 'start_in'].includes(k) && raw[k] !== null);
    if (withRules.length > 0) problems.error(path, `config key may not be used with \`rules\`: ${withRules.join(', ')}`);
    if (!Array.isArray(raw.rules)) problems.error(`${path} rules`, 'should be an array containing hashes and arrays of hashes');
  }
  if (raw.resource_group !== undefined && raw.resource_group !== null && typeof raw.resource_group !== 'string') {
    problems.error(`${path} resource group`, 'should be a string');
  }
  checkKeys(raw, isBridge ? BRIDGE_KEYS : JOB_KEYS, path, problems);
  if (!isBridge && raw.script !== undefined && raw.run !== undefined) problems.error(path, 'config these keys cannot be used together: script, run');
  if (!isBridge && raw.run === undefined && blank(raw.script)) problems.error(`${path} script`, "can't be blank");
}

/** Job's `dependencies` type check (own-level, before allow_failure's). */
function checkDependenciesType(raw: Hash, path: string, problems: Problems): void {
  const deps = raw.dependencies;
  if (deps !== undefined && deps !== null && !(Array.isArray(deps) && deps.every((d) => typeof d === 'string'))) {
    problems.error(`${path} dependencies`, 'should be an array of strings');
  }
}

/** Job's composed check: with both, every dependency must also be a (same-pipeline) need. */
function checkDependenciesInNeeds(raw: Hash, path: string, problems: Problems): void {
  const needs = Array.isArray(raw.needs) ? raw.needs : isHash(raw.needs) ? [raw.needs] : null;
  if (!Array.isArray(raw.dependencies) || raw.dependencies.length === 0 || !needs) return;
  const jobNeeds = needs.filter((n) => typeof n === 'string' || (isHash(n) && n.job !== undefined && n.pipeline === undefined && n.project === undefined));
  if (jobNeeds.length === 0) {
    if (needs.some((n) => isHash(n) && n.pipeline !== undefined)) problems.error(`${path} needs`, 'corresponding to dependencies must be from the same pipeline');
    return;
  }
  const names = jobNeeds.map((n) => (isHash(n) ? String(n.job) : String(n)));
  const missing = raw.dependencies.map(String).filter((d) => !names.includes(d));
  if (missing.length > 0) problems.error(`${path} dependencies`, `the ${missing.join(', ')} should be part of needs`);
}

/**
 * Turns one resolved job hash into a JobDefinition, reporting problems as GitLab does: the entry's own
 * validations first, and only when they pass, those of its keywords (an invalid Configurable entry
 * composes no children, so their errors never show).
 */
export function parseJob(name: string, raw: Hash, index: number, defaults: Hash, problems: Problems): JobDefinition {
  const path = `jobs:${name}`;
  // GitLab's classification (Entry::Jobs.find_type): `script`/`run` makes a job, `trigger` or `needs` a bridge, else nothing.
  const isJob = raw.script !== undefined || raw.run !== undefined;
  const isBridge = !isJob && (raw.trigger !== undefined || raw.needs !== undefined);

  // An unmatched entry is the Jobs node's error (jobs-entry.ts); nothing of it is validated here.
  const own = isJob || isBridge ? problems : new Problems();
  const before = own.errors.length;
  ownChecks(raw, path, isBridge, own);
  const when = checkWhen(raw.when, path, own, isBridge);
  if (!isBridge) checkDependenciesType(raw, path, own);
  checkAllowFailureType(raw.allow_failure, path, own, isBridge);
  const startIn = isBridge ? null : checkStartIn(raw, when, path, own);
  if (!isBridge) checkDependenciesInNeeds(raw, path, own);
  if (isBridge && raw.trigger === undefined) own.error(path, 'config should contain either a trigger or a needs:pipeline');
  const children = own === problems && own.errors.length === before ? problems : new Problems();

  const inherit = parseInherit(raw.inherit, path, children);
  const value = applyDefaults(raw, defaults, inherit.defaults, isBridge ? BRIDGE_DEFAULT_KEYS : DEFAULT_KEYS);
  const stageValue = value.stage ?? 'test';
  if (typeof stageValue !== 'string') children.error(`${path}:stage`, 'config should be a string');
  const only = parsePolicy(raw.only, `${path}:only`, children);
  const except = parsePolicy(raw.except, `${path}:except`, children);
  const rules = raw.rules === undefined || raw.rules === null ? null : parseRules(raw.rules, `${path}:rules`, children, 'job');
  const variables = parseVariables(raw.variables, `${path}:variables`, children);
  const environment = parseEnvironment(raw.environment, `${path}:environment`, children);
  const interruptible = value.interruptible;
  if (interruptible !== undefined && interruptible !== null && typeof interruptible !== 'boolean') children.error(`${path}:interruptible`, 'config should be a boolean value');
  const before_script = parseScript(value.before_script ?? [], `${path}:before_script`, children);
  const script = parseScript(value.script ?? [], `${path}:script`, children);
  const after_script = parseScript(value.after_script ?? [], `${path}:after_script`, children);
  const hooks = isHash(value.hooks) ? Object.fromEntries(Object.entries(value.hooks).map(([k, v]) => [k, parseScript(v, `${path}:hooks:${k}`, children)])) : null;
  const cache = parseCache(value.cache, `${path}:cache`, children);
  const image = parseImage(value.image, `${path}:image`, children);
  const services = parseServices(value.services, `${path}:services`, children);
  const timeout = parseTimeout(value.timeout, `${path}:timeout`, children);
  const retry = parseRetry(value.retry, children);
  const tags = parseTags(value.tags, `${path}:tags`, children);
  const artifacts = parseArtifacts(value.artifacts, `${path}:artifacts`, children);
  const needs = parseNeeds(raw.needs, `${path}:needs`, children);
  const coverage = parseCoverage(raw.coverage, `${path}:coverage`, children);
  const trigger = parseTrigger(raw.trigger, `${path}:trigger`, children);
  const parallel = parseParallel(raw.parallel, `${path}:parallel`, children, isBridge);
  const allowFailure = parseAllowFailure(raw.allow_failure, path, children);

  return {
    name,
    index,
    kind: isBridge ? 'bridge' : 'build',
    stage: typeof stageValue === 'string' ? stageValue : 'test',
    script,
    before_script,
    after_script,
    image,
    services,
    tags,
    variables,
    inherit_variables: inherit.variables,
    when,
    start_in: startIn,
    allow_failure: allowFailure.allow,
    allow_failure_exit_codes: allowFailure.exitCodes,
    needs,
    dependencies: Array.isArray(raw.dependencies) ? raw.dependencies.map(String) : null,
    artifacts,
    cache,
    retry,
    timeout,
    resource_group: typeof raw.resource_group === 'string' ? raw.resource_group : null,
    interruptible: typeof interruptible === 'boolean' ? interruptible : null,
    environment,
    coverage,
    trigger,
    parallel,
    rules,
    only,
    except,
    id_tokens: isHash(value.id_tokens) ? value.id_tokens : null,
    hooks,
  };
}
