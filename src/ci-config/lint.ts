import { stringify } from 'yaml';
import { parallelInstances } from './parallel.js';
import type { IncludeRecord, JobSpec, LoadedConfig } from './types.js';

/** One job as GitLab's lint lists it. */
export interface LintJob {
  name: string;
  stage: string;
  before_script: string[];
  script: string[];
  after_script: string[];
  tag_list: string[];
  only?: { refs?: string[]; variables?: string[]; changes?: string[] } | null;
  except?: { refs?: string[]; variables?: string[]; changes?: string[] } | null;
  environment: string | null;
  when: string;
  allow_failure: boolean;
  needs: Array<{ name: string; artifacts: boolean; optional: boolean }> | null;
}

export interface LintResult {
  valid: boolean;
  errors: string[];
  warnings: string[];
  mergedYaml: string | null;
  includes: IncludeRecord[] | null;
  jobs: LintJob[];
}

type LintJobSource = Pick<JobSpec, 'stage' | 'before_script' | 'script' | 'after_script' | 'tags' | 'environment' | 'when' | 'allow_failure' | 'needs'>;

export function lintJob(name: string, job: LintJobSource, policies: Pick<LintJob, 'only' | 'except'> = {}): LintJob {
  return {
    name,
    stage: job.stage,
    before_script: job.before_script,
    script: job.script,
    after_script: job.after_script,
    tag_list: job.tags,
    ...policies,
    environment: job.environment?.name ?? null,
    when: job.when,
    allow_failure: job.allow_failure,
    needs: job.needs?.map((n) => ({ name: n.name, artifacts: n.artifacts, optional: n.optional })) ?? null,
  };
}

/** The config after includes, extends and references, as YAML (GitLab's `merged_yaml`). */
export function mergedYaml(config: LoadedConfig): string {
  return stringify(config.merged, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** Static lint lists every defined job (parallel ones expanded), in stage order, before any rule is applied. */
export function staticLintJobs(config: LoadedConfig): LintJob[] {
  const ordered = [...config.jobs].sort((a, b) => config.stages.indexOf(a.stage) - config.stages.indexOf(b.stage) || a.index - b.index);
  return ordered.flatMap((job) => {
    const usesRules = job.rules !== null || config.workflowRules !== null;
    const policies = usesRules ? {} : { only: job.only ?? { refs: ['branches', 'tags'] }, except: job.except };
    const source = { ...job, when: job.when === 'never' ? ('on_success' as const) : job.when, allow_failure: job.allow_failure ?? job.when === 'manual' };
    const names = parallelInstances(job)?.map((i) => i.name) ?? [job.name];
    return names.map((name) => lintJob(name, source, policies));
  });
}

