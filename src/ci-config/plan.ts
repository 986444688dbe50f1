import { firstMatchingRule, type RuleFacts } from './evaluate/rules.js';
import { onlyExceptAllows } from './evaluate/only-except.js';
import { expandExisting, expandVariables, mergeVariables, mergeYamlVariables } from './evaluate/variables.js';
import { MAX_NEEDS } from './keywords/needs.js';
import type { JobRuleSpec } from './keywords/rules.js';
import { matrixNeedNames, matrixVariables, parallelInstances, type ParallelInstance } from './parallel.js';
import type { JobDefinition, JobSpec, LoadedConfig, NeedSpec, PipelineContext, PlanResult, When, YamlVariable } from './types.js';

export const FILTERED_BY_WORKFLOW = 'Pipeline filtered out by workflow rules.';
/** Chain::Populate's message when no job is left (failure reason `filtered_by_rules`). */
export const NO_JOBS =
  'Pipeline will not run for the selected trigger. The rules configuration prevented any jobs from being added to the pipeline.';

const asMap = (vars: YamlVariable[]) => new Map(vars.map((v) => [v.key, v.value]));

function inheritedGlobals(globals: YamlVariable[], inherit: boolean | string[]): YamlVariable[] {
  if (inherit === true) return globals;
  if (inherit === false) return [];
  return globals.filter((v) => inherit.includes(v.key));
}

interface Decision {
  when: Exclude<When, 'never'>;
  allowFailure: boolean;
  exitCodes: number[] | null;
  startIn: string | null;
  variables: YamlVariable[];
  needs: NeedSpec[] | null;
  interruptible: boolean | null;
}

/**
 * Rules (first match wins) or only/except decide whether a job runs and with what `when`.
 * `allow_failure` starts from the job entry's `ignored?` — the job's own value, else true only for a
 * job-level `when: manual` — and a matching rule's `allow_failure` replaces it (dropping exit codes).
 */
function decide(job: JobDefinition, variables: YamlVariable[], ctx: PipelineContext, facts: RuleFacts, workflowRules: boolean): Decision | null {
  const allowFailure = job.allow_failure ?? job.when === 'manual';
  if (job.rules) {
    const rule = firstMatchingRule(job.rules, facts) as JobRuleSpec | null;
    if (!rule) return null;
    const when = rule.when ?? job.when;
    if (when === 'never') return null;
    return {
      when,
      allowFailure: rule.allow_failure ?? allowFailure,
      exitCodes: rule.allow_failure === undefined ? job.allow_failure_exit_codes : null,
      startIn: rule.start_in ?? null,
      variables: mergeYamlVariables(variables, rule.variables ?? []),
      // Rules::Result#build_attributes only replaces the needs when the rule lists some.
      needs: rule.needs && rule.needs.length > 0 ? rule.needs : job.needs,
      interruptible: rule.interruptible ?? job.interruptible,
    };
  }
  if (!onlyExceptAllows(job.only, job.except, ctx, facts, workflowRules)) return null;
  if (job.when === 'never') return null;
  return { when: job.when, allowFailure, exitCodes: job.allow_failure_exit_codes, startIn: job.start_in, variables, needs: job.needs, interruptible: job.interruptible };
}

/** The Normalizer's view of a name: a parallel job's name stands for all its instances. */
function expandedNames(name: string, definitions: Map<string, JobDefinition>): string[] {
  const definition = definitions.get(name);
  return definition ? (parallelInstances(definition)?.map((i) => i.name) ?? [name]) : [name];
}

/**
 * Needs name definitions, expanded like dependencies (or to the matrix instances the need selects);
 * then, as Seed::Build#needs_errors does, each non-optional need must be in the pipeline.
 */
function resolveNeeds(job: JobSpec, needs: NeedSpec[] | null, definitions: Map<string, JobDefinition>, present: Set<string>, errors: string[]): NeedSpec[] | null {
  if (needs === null) return null;
  const expanded = needs.flatMap((need) => {
    const names = need.parallel ? matrixNeedNames(need.name, need.parallel.matrix) : expandedNames(need.name, definitions);
    return names.map((name) => ({ name, artifacts: need.artifacts, optional: need.optional }));
  });
  if (expanded.length > MAX_NEEDS) {
    errors.push(`${job.name}: one job can only need ${MAX_NEEDS} others, but you have listed ${expanded.length}. See needs keyword documentation for more details`);
    return expanded;
  }
  const out: NeedSpec[] = [];
  for (const need of expanded) {
    if (present.has(need.name)) out.push(need);
    else if (!need.optional) {
      errors.push(
        `'${job.name}' job needs '${need.name}' job, but '${need.name}' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional.`,
      );
    }
  }
  return out;
}

/** One seeded job: a definition (or one of its parallel instances) the rules let in. */
function seedJob(job: JobDefinition, instance: ParallelInstance | null, decision: Decision, config: LoadedConfig, ctx: PipelineContext, definitions: Map<string, JobDefinition>): JobSpec {
  const expandWith = mergeVariables(ctx.predefinedVariables, asMap(decision.variables), ctx.projectVariables, ctx.pipelineVariables);
  const { rules: _r, only: _o, except: _e, parallel: _p, inherit_variables: _i, ...definition } = job;
  void _r; void _o; void _e; void _p; void _i;
  const environment = job.environment
    ? { ...job.environment, name: expandVariables(job.environment.name, expandWith), ...(job.environment.url ? { url: expandVariables(job.environment.url, expandWith) } : {}) }
    : null;
  // Object.assign, not a spread into this long literal: V8 builds the latter ~50x slower.
  return Object.assign(definition, {
    name: instance?.name ?? job.name,
    base_name: job.name,
    stage_idx: config.stages.indexOf(job.stage),
    when: decision.when,
    allow_failure: decision.allowFailure,
    allow_failure_exit_codes: decision.exitCodes,
    start_in: decision.startIn,
    interruptible: decision.interruptible,
    variables: decision.variables,
    needs: null,
    dependencies: job.dependencies === null ? null : job.dependencies.flatMap((d) => expandedNames(d, definitions)),
    // Seed::Build#evaluate_runner_tags uses expand_existing: unknown variables stay as written.
    tags: job.tags.map((t) => expandExisting(t, expandWith)),
    resource_group: job.resource_group === null ? null : expandVariables(job.resource_group, expandWith),
    environment,
    parallel: instance ? { index: instance.index, total: instance.total, ...(instance.matrix ? { matrix: instance.matrix } : {}) } : null,
  }) as JobSpec;
}

/**
 * Applies the pipeline's facts to a loaded config: workflow rules, then for each job — and each of its
 * parallel instances, whose matrix values its rules can see — rules or only/except, then needs
 * resolution. Returns the jobs the pipeline holds, in stage order.
 */
export function planPipeline(config: LoadedConfig, ctx: PipelineContext, files: string[] | null): PlanResult {
  const base = mergeVariables(ctx.predefinedVariables, asMap(config.variables), ctx.projectVariables, ctx.pipelineVariables);
  const facts = (vars: Map<string, string>): RuleFacts => ({ variables: vars, changedPaths: ctx.changedPaths, files });
  let globals = config.variables;
  if (config.workflowRules) {
    const rule = firstMatchingRule(config.workflowRules, facts(base));
    if (!rule || rule.when === 'never') return { status: 'filtered', message: FILTERED_BY_WORKFLOW };
    globals = mergeYamlVariables(globals, rule.variables ?? []);
  }
  const definitions = new Map(config.jobs.map((j) => [j.name, j]));
  const jobs: JobSpec[] = [];
  const pendingNeeds = new Map<JobSpec, NeedSpec[] | null>();
  for (const job of config.jobs) {
    for (const instance of parallelInstances(job) ?? [null]) {
      const jobVariables = mergeYamlVariables(inheritedGlobals(globals, job.inherit_variables), job.variables, instance ? matrixVariables(instance) : []);
      const vars = mergeVariables(ctx.predefinedVariables, asMap(jobVariables), ctx.projectVariables, ctx.pipelineVariables);
      const decision = decide(job, jobVariables, ctx, facts(vars), config.workflowRules !== null);
      if (!decision) continue;
      const spec = seedJob(job, instance, decision, config, ctx, definitions);
      jobs.push(spec);
      pendingNeeds.set(spec, decision.needs);
    }
  }
  jobs.sort((a, b) => a.stage_idx - b.stage_idx || a.index - b.index);
  const named = mergeVariables(ctx.predefinedVariables, asMap(globals), ctx.projectVariables, ctx.pipelineVariables);
  const present = new Set(jobs.map((j) => j.name));
  const errors: string[] = [];
  for (const job of jobs) job.needs = resolveNeeds(job, pendingNeeds.get(job) ?? null, definitions, present, errors);
  // Chain::Seed reports all seed errors as one message, joined by newlines.
  if (errors.length > 0) return { status: 'invalid', errors: [errors.join('\n')], warnings: config.warnings };
  if (jobs.length === 0) return { status: 'invalid', errors: [NO_JOBS], warnings: config.warnings };
  return {
    status: 'created',
    pipeline: {
      stages: config.stages,
      jobs,
      // Chain::PopulateMetadata expands the name with the root variables as the workflow rule left them.
      workflow: { name: config.workflowName === null ? null : expandVariables(config.workflowName, named), variables: globals, auto_cancel: config.workflowAutoCancel },
      variables: globals,
      warnings: config.warnings,
    },
  };
}
