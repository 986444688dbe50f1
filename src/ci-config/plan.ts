import { firstMatchingRule, type RuleFacts } from './evaluate/rules.js';
import { onlyExceptAllows } from './evaluate/only-except.js';
import { expandVariables, mergeVariables } from './evaluate/variables.js';
import { overlayVariables } from './keywords/variables.js';
import { matrixVariables, parallelInstances, type ParallelInstance } from './parallel.js';
import type { JobDefinition, JobSpec, LoadedConfig, NeedSpec, PipelineContext, PlanResult, When, YamlVariable } from './types.js';

export const FILTERED_BY_WORKFLOW = 'Pipeline filtered out by workflow rules.';
export const NO_JOBS = 'The rules configuration prevented any jobs from being added to the pipeline.';

const asMap = (vars: YamlVariable[]) => new Map(vars.map((v) => [v.key, v.value]));

function inheritedGlobals(globals: YamlVariable[], inherit: boolean | string[]): YamlVariable[] {
  if (inherit === true) return globals;
  if (inherit === false) return [];
  return globals.filter((v) => inherit.includes(v.key));
}

interface Decision {
  when: Exclude<When, 'never'>;
  allowFailure: boolean;
  startIn: string | null;
  variables: YamlVariable[];
  needs: NeedSpec[] | null;
}

/** Rules (first match wins) or only/except decide whether a job runs and with what `when`. */
function decide(job: JobDefinition, variables: YamlVariable[], ctx: PipelineContext, facts: RuleFacts): Decision | null {
  if (job.rules) {
    const rule = firstMatchingRule(job.rules, facts);
    if (!rule) return null;
    const when = rule.when ?? job.when;
    if (when === 'never') return null;
    return {
      when,
      // Under rules, manual jobs no longer default to allow_failure: true (GitLab's documented difference).
      allowFailure: rule.allow_failure ?? job.allow_failure ?? false,
      startIn: rule.start_in ?? job.start_in,
      variables: overlayVariables(variables, rule.variables ?? []),
      needs: rule.needs ?? job.needs,
    };
  }
  if (!onlyExceptAllows(job.only, job.except, ctx, facts)) return null;
  if (job.when === 'never') return null;
  return {
    when: job.when,
    allowFailure: job.allow_failure ?? job.when === 'manual',
    startIn: job.start_in,
    variables,
    needs: job.needs,
  };
}

/** Needs name definitions; a parallel job's name stands for all its instances (or the matrix ones asked for). */
function resolveNeeds(job: JobSpec, needs: NeedSpec[] | null, instancesOf: Map<string, JobSpec[]>, errors: string[]): NeedSpec[] | null {
  if (needs === null) return null;
  const out: NeedSpec[] = [];
  for (const need of needs) {
    let targets = instancesOf.get(need.name) ?? [];
    if (need.parallel) {
      const wanted = need.parallel.matrix;
      targets = targets.filter((t) => wanted.some((row) => Object.entries(row).every(([k, v]) => (Array.isArray(v) ? v : [v]).includes(t.parallel?.matrix?.[k] ?? ''))));
    }
    if (targets.length === 0) {
      if (!need.optional) {
        errors.push(
          `'${job.name}' job needs '${need.name}' job, but '${need.name}' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional.`,
        );
      }
      continue;
    }
    for (const target of targets) out.push({ name: target.name, artifacts: need.artifacts, optional: need.optional });
  }
  return out;
}

/**
 * Applies the pipeline's facts to a loaded config: workflow rules, each job's rules or only/except,
 * `parallel` expansion and needs resolution. Returns the jobs the pipeline holds, in stage order.
 */
export function planPipeline(config: LoadedConfig, ctx: PipelineContext, files: string[] | null): PlanResult {
  const base = mergeVariables(ctx.predefinedVariables, asMap(config.variables), ctx.projectVariables, ctx.pipelineVariables);
  const facts = (vars: Map<string, string>): RuleFacts => ({ variables: vars, changedPaths: ctx.changedPaths, files });
  let globals = config.variables;
  if (config.workflowRules) {
    const rule = firstMatchingRule(config.workflowRules, facts(base));
    if (!rule || rule.when === 'never') return { status: 'filtered', message: FILTERED_BY_WORKFLOW };
    globals = overlayVariables(globals, rule.variables ?? []);
  }
  const jobs: JobSpec[] = [];
  const pendingNeeds = new Map<JobSpec, NeedSpec[] | null>();
  for (const job of config.jobs) {
    const jobVariables = overlayVariables(inheritedGlobals(globals, job.inherit_variables), job.variables);
    const vars = mergeVariables(ctx.predefinedVariables, asMap(jobVariables), ctx.projectVariables, ctx.pipelineVariables);
    const decision = decide(job, jobVariables, ctx, facts(vars));
    if (!decision) continue;
    const instances: Array<ParallelInstance | null> = parallelInstances(job) ?? [null];
    for (const instance of instances) {
      const variables = instance ? overlayVariables(decision.variables, matrixVariables(instance)) : decision.variables;
      const expandWith = mergeVariables(ctx.predefinedVariables, asMap(variables), ctx.projectVariables, ctx.pipelineVariables);
      const { rules: _r, only: _o, except: _e, parallel: _p, inherit_variables: _i, ...definition } = job;
      void _r; void _o; void _e; void _p; void _i;
      // Object.assign, not a spread into this long literal: V8 builds the latter ~50x slower.
      const spec: JobSpec = Object.assign(definition, {
        name: instance?.name ?? job.name,
        base_name: job.name,
        stage_idx: config.stages.indexOf(job.stage),
        when: decision.when,
        allow_failure: decision.allowFailure,
        start_in: decision.startIn,
        variables,
        needs: null,
        tags: job.tags.map((t) => expandVariables(t, expandWith)),
        resource_group: job.resource_group === null ? null : expandVariables(job.resource_group, expandWith),
        environment: job.environment
          ? { ...job.environment, name: expandVariables(job.environment.name, expandWith), ...(job.environment.url ? { url: expandVariables(job.environment.url, expandWith) } : {}) }
          : null,
        parallel: instance ? { index: instance.index, total: instance.total, ...(instance.matrix ? { matrix: instance.matrix } : {}) } : null,
      });
      jobs.push(spec);
      pendingNeeds.set(spec, decision.needs);
    }
  }
  const instancesOf = new Map<string, JobSpec[]>();
  for (const job of jobs) instancesOf.set(job.base_name, [...(instancesOf.get(job.base_name) ?? []), job]);
  const errors: string[] = [];
  for (const job of jobs) job.needs = resolveNeeds(job, pendingNeeds.get(job) ?? null, instancesOf, errors);
  if (errors.length > 0) return { status: 'invalid', errors, warnings: config.warnings };
  if (jobs.length === 0) return { status: 'invalid', errors: [NO_JOBS], warnings: config.warnings };
  jobs.sort((a, b) => a.stage_idx - b.stage_idx || a.index - b.index);
  return {
    status: 'created',
    pipeline: {
      stages: config.stages,
      jobs,
      workflow: { name: config.workflowName === null ? null : expandVariables(config.workflowName, base), variables: globals, auto_cancel: config.workflowAutoCancel },
      variables: globals,
      warnings: config.warnings,
    },
  };
}
