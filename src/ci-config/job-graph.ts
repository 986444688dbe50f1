import type { Problems } from './problems.js';
import type { JobDefinition } from './types.js';

/**
 * GitLab's YamlProcessor checks across jobs: each stage exists, needs and dependencies name jobs
 * of the current or prior stages (dependencies: prior only, and within needs when needs is used),
 * no need is listed twice, and `environment:on_stop` names a real job.
 */
export function validateJobGraph(jobs: JobDefinition[], stages: string[], problems: Problems): void {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const stageIndex = (job: JobDefinition) => stages.indexOf(job.stage);
  for (const job of jobs) {
    if (!stages.includes(job.stage)) {
      problems.plain(`${job.name} job: chosen stage ${job.stage} does not exist; available stages are ${stages.join(', ')}`);
      continue;
    }
    const needs = job.needs ?? [];
    const names = needs.map((n) => n.name);
    const duplicated = names.filter((n, i) => names.indexOf(n) !== i);
    if (duplicated.length > 0) problems.plain(`${job.name} has the following needs duplicated: ${[...new Set(duplicated)].join(', ')}.`);
    for (const need of needs) {
      const target = byName.get(need.name);
      if (!target) {
        if (!need.optional) problems.plain(`${job.name} job: undefined need: ${need.name}`);
        continue;
      }
      if (!stages.includes(target.stage) || stageIndex(target) > stageIndex(job)) {
        problems.plain(`${job.name} job: need ${need.name} is not defined in current or prior stages`);
      }
    }
    for (const dependency of job.dependencies ?? []) {
      const target = byName.get(dependency);
      if (!target) {
        problems.plain(`${job.name} job: undefined dependency: ${dependency}`);
        continue;
      }
      if (!stages.includes(target.stage) || stageIndex(target) > stageIndex(job)) {
        problems.plain(`${job.name} job: dependency ${dependency} is not defined in current or prior stages`);
      }
    }
    const onStop = job.environment?.on_stop;
    if (onStop) {
      const stopJob = byName.get(onStop);
      if (!stopJob) problems.plain(`${job.name} job: on_stop job ${onStop} is not defined`);
      else if (!stopJob.environment) problems.plain(`${job.name} job: on_stop job ${onStop} does not have environment defined`);
      else if (stopJob.environment.name !== job.environment!.name) problems.plain(`${job.name} job: on_stop job ${onStop} have different environment name`);
      else if (stopJob.environment.action !== 'stop') problems.plain(`${job.name} job: on_stop job ${onStop} needs to have action stop defined`);
    }
  }
}
