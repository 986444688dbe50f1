import { matchesExpression } from '../expression/index.js';
import { compileRegexLiteral } from '../expression/regex.js';
import type { PipelineContext, PolicySpec } from '../types.js';
import { anyPathMatches } from './globs.js';
import type { RuleFacts } from './rules.js';

/** `only`'s default when a job uses neither `rules` nor `only`. */
export const DEFAULT_ONLY: PolicySpec = { refs: ['branches', 'tags'] };

/** The special words `only:refs` understands, each a test of the pipeline. */
const REF_KEYWORDS: Record<string, (ctx: PipelineContext) => boolean> = {
  branches: (ctx) => !ctx.tag && ctx.source !== 'merge_request_event',
  tags: (ctx) => ctx.tag,
  api: (ctx) => ctx.source === 'api',
  external: (ctx) => ctx.source === 'external',
  pipelines: (ctx) => ctx.source === 'pipeline',
  pushes: (ctx) => ctx.source === 'push',
  schedules: (ctx) => ctx.source === 'schedule',
  triggers: (ctx) => ctx.source === 'trigger',
  web: (ctx) => ctx.source === 'web',
  merge_requests: (ctx) => ctx.source === 'merge_request_event',
  chat: (ctx) => ctx.source === 'chat',
  external_pull_requests: (ctx) => ctx.source === 'external_pull_request_event',
};

function refMatches(pattern: string, ctx: PipelineContext): boolean {
  // `branch@group/project` limits a ref to one project; Conveyor compiles one project's config at a time.
  const ref = pattern.includes('@') ? pattern.slice(0, pattern.lastIndexOf('@')) : pattern;
  const keyword = REF_KEYWORDS[ref];
  if (keyword) return keyword(ctx);
  if (ref.length > 1 && ref.startsWith('/') && /\/[a-z]*$/.test(ref.slice(1))) {
    const compiled = compileRegexLiteral(ref);
    return compiled.ok && compiled.regex.test(ctx.ref);
  }
  return ref === ctx.ref;
}

/** A policy matches when every key it names has at least one condition that holds (GitLab's rule for both only and except). */
function policyMatches(policy: PolicySpec, ctx: PipelineContext, facts: RuleFacts): boolean {
  if (policy.refs && !policy.refs.some((r) => refMatches(r, ctx))) return false;
  if (policy.variables && !policy.variables.some((v) => safeMatch(v, facts.variables))) return false;
  if (policy.changes && facts.changedPaths !== null && !anyPathMatches(policy.changes, facts.changedPaths)) return false;
  if (policy.kubernetes) return false;
  return true;
}

function safeMatch(expression: string, variables: ReadonlyMap<string, string>): boolean {
  try {
    return matchesExpression(expression, variables);
  } catch {
    return false;
  }
}

export function onlyExceptAllows(only: PolicySpec | null, except: PolicySpec | null, ctx: PipelineContext, facts: RuleFacts): boolean {
  const effectiveOnly = only ?? DEFAULT_ONLY;
  const onlyWithDefaultRefs = effectiveOnly.refs ? effectiveOnly : { ...effectiveOnly, refs: DEFAULT_ONLY.refs };
  if (!policyMatches(onlyWithDefaultRefs, ctx, facts)) return false;
  if (except && Object.keys(except).length > 0 && policyMatches(except, ctx, facts)) return false;
  return true;
}
