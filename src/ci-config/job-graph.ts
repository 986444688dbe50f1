import { matrixNeedNames, parallelInstances } from './parallel.js';
import type { Problems } from './problems.js';
import type { JobDefinition, NeedSpec } from './types.js';

/** A job as GitLab's Normalizer leaves it: parallel jobs expanded, needs and dependencies renamed to match. */
interface NormalizedJob {
  name: string;
  job: JobDefinition;
  needs: NeedSpec[] | null;
  dependencies: string[] | null;
}

class GraphError extends Error {}

function normalize(jobs: JobDefinition[]): NormalizedJob[] {
  const instances = new Map(jobs.map((j) => [j.name, parallelInstances(j)?.map((i) => i.name) ?? null]));
  const expand = (name: string) => instances.get(name) ?? [name];
  const expandNeed = (need: NeedSpec): NeedSpec[] => {
    if (!instances.get(need.name)) return [need];
    const names = need.parallel ? matrixNeedNames(need.name, need.parallel.matrix) : expand(need.name);
    return names.map((name) => ({ name, artifacts: need.artifacts, optional: need.optional }));
  };
  return jobs.flatMap((job) =>
    expand(job.name).map((name) => ({
      name,
      job,
      needs: job.needs === null ? null : job.needs.flatMap(expandNeed),
      dependencies: job.dependencies === null ? null : job.dependencies.flatMap(expand),
    })),
  );
}

/**
 * Ruby's TSort over the needs graph, in job order (Tarjan, as tsort_each does it): the first strongly
 * connected component with more than one job is reported with its jobs in visiting order; a job
 * needing itself is reported when it is visited (GitLab's Dag raises "self-dependency").
 */
function checkCircular(jobs: NormalizedJob[]): void {
  const children = new Map(jobs.map((j) => [j.name, (j.needs ?? []).map((n) => n.name)]));
  const ids = new Map<string, number | null>();
  const stack: string[] = [];
  const visit = (node: string): number => {
    const id = ids.size;
    let minimum = id;
    ids.set(node, id);
    const start = stack.length;
    stack.push(node);
    const next = children.get(node) ?? [];
    if (next.includes(node)) throw new GraphError(`The pipeline has circular dependencies: self-dependency: ${node}`);
    for (const child of next) {
      if (ids.has(child)) {
        const childId = ids.get(child);
        if (childId !== null && childId !== undefined && childId < minimum) minimum = childId;
      } else minimum = Math.min(minimum, visit(child));
    }
    if (id === minimum) {
      const component = stack.splice(start);
      component.forEach((n) => ids.set(n, null));
      if (component.length > 1) {
        throw new GraphError(`The pipeline has circular dependencies: topological sort failed: [${component.map((n) => JSON.stringify(n)).join(', ')}]`);
      }
    }
    return minimum;
  };
  for (const node of children.keys()) if (!ids.has(node)) visit(node);
}

/**
 * GitLab's YamlProcessor#run_logical_validations!, on the normalized jobs: each job's stage, then its
 * dependencies, needs (its own and each rule's), child-pipeline artifact jobs and `environment:on_stop`;
 * then circular needs. Like GitLab it stops at the first failure and reports only that one.
 */
export function validateJobGraph(jobs: JobDefinition[], stages: string[], problems: Problems): void {
  // YamlProcessor runs these only on a config whose entries are all valid.
  if (!problems.ok) return;
  const normalized = normalize(jobs);
  const byName = new Map(normalized.map((j) => [j.name, j]));
  const stageIndex = (name: string) => {
    const index = stages.indexOf(byName.get(name)?.job.stage ?? '');
    return index === -1 ? null : index;
  };
  const fail = (message: string): never => {
    throw new GraphError(message);
  };
  const checkDependency = (name: string, dependency: string, type: 'dependency' | 'need', optional = false) => {
    if (!byName.has(dependency)) {
      if (!optional) fail(`${name} job: undefined ${type}: ${dependency}`);
      return;
    }
    if (type === 'need' && dependency.length > 255) fail(`${name} job: need \`${dependency}\` name is too long (maximum is 255 characters)`);
    const own = stageIndex(name);
    const other = stageIndex(dependency);
    if (other === null || own === null || other > own) fail(`${name} job: ${type} ${dependency} is not defined in current or prior stages`);
  };
  const checkNeeds = (name: string, needs: NeedSpec[] | null | undefined) => {
    if (!needs) return;
    for (const need of needs) checkDependency(name, need.name, 'need', need.optional);
    const names = needs.map((n) => n.name);
    const duplicated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
    if (duplicated.length > 0) fail(`${name} has the following needs duplicated: ${duplicated.join(', ')}.`);
  };
  try {
    for (const { name, job, needs, dependencies } of normalized) {
      if (!stages.includes(job.stage)) fail(`${name} job: chosen stage ${job.stage} does not exist; available stages are ${stages.join(', ')}`);
      for (const dependency of dependencies ?? []) checkDependency(name, dependency, 'dependency');
      checkNeeds(name, needs);
      // Rules' needs are not renamed by the Normalizer, so they name jobs as written.
      for (const rule of job.rules ?? []) checkNeeds(name, rule.needs);
      if (job.trigger?.kind === 'child') {
        for (const include of job.trigger.include) if (include.type === 'artifact') checkDependency(name, include.job, 'dependency');
      }
      const env = job.environment;
      if (env?.on_stop) {
        const stop = byName.get(env.on_stop)?.job;
        if (!stop) fail(`${name} job: on_stop job ${env.on_stop} is not defined`);
        else if (!stop.environment) fail(`${name} job: on_stop job ${env.on_stop} does not have environment defined`);
        else if (stop.environment.name !== env.name) fail(`${name} job: on_stop job ${env.on_stop} have different environment name`);
        else if (stop.environment.action !== 'stop') fail(`${name} job: on_stop job ${env.on_stop} needs to have action stop defined`);
      }
    }
    checkCircular(normalized);
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    problems.plain(error.message);
  }
}
