import type { JobDefinition, YamlVariable } from './types.js';

export interface ParallelInstance {
  name: string;
  index: number;
  total: number;
  matrix?: Record<string, string>;
}

function product(row: Record<string, string[]>): Array<Record<string, string>> {
  let combos: Array<Record<string, string>> = [{}];
  for (const [key, values] of Object.entries(row)) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
  }
  return combos;
}

/** GitLab's names: `test 1/3` for `parallel: 3`, `test: [ruby, 3.2]` for a matrix instance. */
export function parallelInstances(job: JobDefinition): ParallelInstance[] | null {
  const spec = job.parallel;
  if (!spec) return null;
  if ('total' in spec) {
    return Array.from({ length: spec.total }, (_, i) => ({ name: `${job.name} ${i + 1}/${spec.total}`, index: i + 1, total: spec.total }));
  }
  const combos = spec.matrix.flatMap(product);
  return combos.map((matrix, i) => ({
    name: `${job.name}: [${Object.values(matrix).join(', ')}]`,
    index: i + 1,
    total: combos.length,
    matrix,
  }));
}

export function matrixVariables(instance: ParallelInstance): YamlVariable[] {
  return Object.entries(instance.matrix ?? {}).map(([key, value]) => ({ key, value, expand: true }));
}

/**
 * The instance names a `needs:parallel:matrix` selection stands for, built from the need's own matrix
 * as GitLab's Normalizer does (so they follow the order the need lists them in).
 */
export function matrixNeedNames(jobName: string, matrix: Array<Record<string, string | string[]>>): string[] {
  const rows = matrix.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])));
  return parallelInstances({ name: jobName, parallel: { matrix: rows } } as JobDefinition)?.map((i) => i.name) ?? [];
}
