import { loadConfig, planPipeline, type PipelineContext } from '../../ci-config/index.js';
import { lintJob, mergedYaml, staticLintJobs, type LintResult } from '../../ci-config/lint.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import type { ServiceContext } from '../context.js';
import { NULL_SHA, predefinedVariables } from '../pipelines/predefined-variables.js';
import { authorizeProject } from '../projects/projects.js';

export interface LintInput {
  content: string;
  dryRun: boolean;
  ref?: string;
}

/**
 * GitLab's CI Lint: static validation (every job the config defines, in stage order, with its
 * only/except) or, with `dry_run`, a simulated pipeline for the ref (rules and workflow applied).
 * Developers and above may lint, as `create_pipeline` requires in GitLab.
 */
export async function lintConfig(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, input: LintInput): Promise<LintResult> {
  return lintContent(ctx, await authorizeProject(ctx, actor, projectIdOrPath, 'create_pipeline'), input);
}

async function lintContent(ctx: ServiceContext, project: Project, input: LintInput): Promise<LintResult> {
  const ref = input.ref ?? project.defaultBranch ?? 'main';
  // A dry run simulates what a push of the ref would create.
  const source = 'push';
  const pipelineContext: PipelineContext = {
    ref,
    tag: false,
    source,
    sha: NULL_SHA,
    commitMessage: '',
    changedPaths: null,
    predefinedVariables: predefinedVariables(ctx.externalUrl, project, { ref, tag: false, sha: NULL_SHA, source }),
    projectVariables: {},
    pipelineVariables: {},
  };
  // Repositories arrive with the pipelines issue; until then a project's commit holds no files.
  const files = { read: async () => null, list: async () => [] };
  const loaded = await loadConfig(input.content, files, pipelineContext);
  if (loaded.status === 'invalid') {
    return { valid: false, errors: loaded.errors, warnings: loaded.warnings, mergedYaml: null, includes: null, jobs: [] };
  }
  const config = loaded.config;
  const base = { mergedYaml: mergedYaml(config), includes: config.includes };
  if (input.dryRun) {
    const plan = planPipeline(config, pipelineContext, []);
    if (plan.status !== 'created') {
      const errors = plan.status === 'filtered' ? [plan.message] : plan.errors;
      return { valid: false, errors, warnings: config.warnings, ...base, jobs: [] };
    }
    return { valid: true, errors: [], warnings: plan.pipeline.warnings, ...base, jobs: plan.pipeline.jobs.map((j) => lintJob(j.name, j)) };
  }
  return { valid: true, errors: [], warnings: config.warnings, ...base, jobs: staticLintJobs(config) };
}

/**
 * `GET /projects/:id/ci/lint`: lints the config stored in the project's repository at its default branch.
 * Until repositories are hosted (the pipelines issue), every project is an empty repository, and GitLab
 * answers an empty repository exactly so: no content.
 */
export async function lintProjectConfig(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, input: { dryRun: boolean; ref?: string }): Promise<LintResult> {
  const project = await authorizeProject(ctx, actor, projectIdOrPath, 'download_code');
  return lintContent(ctx, project, { content: '', dryRun: input.dryRun, ref: input.ref });
}
