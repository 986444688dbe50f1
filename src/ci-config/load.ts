import type { Hash } from './deep-merge.js';
import { mergeVariables } from './evaluate/variables.js';
import { resolveExtends } from './extends.js';
import { resolveIncludes } from './includes.js';
import { checkJobs, jobEntries } from './jobs-entry.js';
import { parseJob } from './keywords/job.js';
import { parseVariables, ROOT_VARIABLE_DATA } from './keywords/variables.js';
import { Problems } from './problems.js';
import { resolveReferences } from './references.js';
import { parseDefaults, parseStages, parseWorkflow } from './root.js';
import type { ConfigFiles, JobDefinition, LoadResult, PipelineContext } from './types.js';
import { loadYaml } from './yaml-loader.js';
import { validateJobGraph } from './job-graph.js';

export { DEFAULT_STAGES } from './root.js';

/**
 * Reads a `.gitlab-ci.yml` into validated job definitions the way GitLab's Ci::Config does: YAML,
 * includes, `extends`, `!reference`, `.pre`/`.post`; then the root entries (default, variables,
 * stages, workflow), the jobs, and the cross-job checks. Errors raised by the first steps stop
 * everything (one message); entry errors are collected.
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
  const facts = {
    variables: mergeVariables(ctx.predefinedVariables, ctx.projectVariables, ctx.pipelineVariables),
    changedPaths: ctx.changedPaths,
    files: (await files.list?.()) ?? null,
  };
  const included = await resolveIncludes(parsed.value as Hash, files, facts, problems);
  if (!problems.ok) return invalid();
  // GitLab's order: includes, then `extends`, then `!reference`.
  const extended = resolveExtends(included.config, problems);
  if (!problems.ok) return invalid();
  const config = resolveReferences(extended, problems);
  if (!problems.ok) return invalid();

  const entries = jobEntries(config);
  // `default:` or `workflow:` shaped like a job is a job (Root#filter_jobs!), not the root entry.
  const rootOnly = { ...config };
  for (const [name] of entries) delete rootOnly[name];
  const { defaults, conflict } = parseDefaults(rootOnly, problems);
  if (conflict) {
    // An InheritError is raised, not collected: it is the only message.
    return { status: 'invalid', errors: [conflict], warnings: [] };
  }
  const variables = parseVariables(config.variables, 'variables', problems, ROOT_VARIABLE_DATA);
  const stages = parseStages(config.stages, problems);
  const workflow = parseWorkflow(rootOnly.workflow, problems);

  const jobs: JobDefinition[] = [];
  if (checkJobs(entries, problems)) {
    let index = 0;
    for (const [name, value] of entries) {
      if (name.startsWith('.')) continue;
      if (name.length > 255) problems.error(`jobs:${name}`, 'name is too long (maximum is 255 characters)');
      jobs.push(parseJob(name, value as Hash, index++, defaults, problems));
    }
  }
  // YamlProcessor runs its cross-job checks only on a config that is otherwise valid.
  if (!problems.ok) return invalid();
  validateJobGraph(jobs, stages, problems);
  if (!problems.ok) return invalid();
  return {
    status: 'loaded',
    config: {
      stages,
      jobs,
      variables,
      workflowRules: workflow.rules,
      workflowName: workflow.name,
      workflowAutoCancel: workflow.autoCancel,
      includes: included.includes,
      merged: config,
      warnings: problems.warnings,
    },
  };
}
