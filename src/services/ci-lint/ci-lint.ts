import { loadConfig, planPipeline, type ConfigFiles, type PipelineContext } from '../../ci-config/index.js';
import { commitFiles } from '../pipelines/pipeline-from-commit.js';
import { ensureRepository } from '../repositories/repositories.js';
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
  const project = await authorizeProject(ctx, actor, projectIdOrPath, 'create_pipeline');
  // Includes in posted content resolve against the head of the default branch, as GitLab's lint does.
  const repository = await ensureRepository(ctx, project);
  const sha = await repository.resolveRef(`refs/heads/${project.defaultBranch ?? 'main'}`).catch(() => null);
  return lintContent(ctx, project, input, sha ? commitFiles(repository, sha) : EMPTY_COMMIT);
}

const EMPTY_COMMIT: ConfigFiles = { read: async () => null, list: async () => [] };

async function lintContent(ctx: ServiceContext, project: Project, input: LintInput, files: ConfigFiles = EMPTY_COMMIT): Promise<LintResult> {
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
  const loaded = await loadConfig(input.content, files, pipelineContext);
  if (loaded.status === 'invalid') {
    return { valid: false, errors: loaded.errors, warnings: loaded.warnings, mergedYaml: null, includes: null, jobs: [] };
  }
  const config = loaded.config;
  const base = { mergedYaml: mergedYaml(config), includes: config.includes };
  if (input.dryRun) {
    const plan = planPipeline(config, pipelineContext, (await files.list?.()) ?? []);
    if (plan.status !== 'created') {
      const errors = plan.status === 'filtered' ? [plan.message] : plan.errors;
      return { valid: false, errors, warnings: config.warnings, ...base, jobs: [] };
    }
    return { valid: true, errors: [], warnings: plan.pipeline.warnings, ...base, jobs: plan.pipeline.jobs.map((j) => lintJob(j.name, j)) };
  }
  return { valid: true, errors: [], warnings: config.warnings, ...base, jobs: staticLintJobs(config) };
}

/**
 * `GET /projects/:id/ci/lint`: lints the config file stored at the head of the default branch (an empty
 * repository has no content, and GitLab answers exactly so).
 */
export async function lintProjectConfig(ctx: ServiceContext, actor: Actor, projectIdOrPath: string, input: { dryRun: boolean; ref?: string }): Promise<LintResult> {
  const project = await authorizeProject(ctx, actor, projectIdOrPath, 'download_code');
  const repository = await ensureRepository(ctx, project);
  const sha = await repository.resolveRef(`refs/heads/${project.defaultBranch ?? 'main'}`).catch(() => null);
  const content = sha ? await repository.readFile(sha, project.ciConfigPath ?? '.gitlab-ci.yml').catch(() => null) : null;
  const files = sha ? commitFiles(repository, sha) : EMPTY_COMMIT;
  return lintContent(ctx, project, { content: content?.toString('utf8') ?? '', dryRun: input.dryRun, ref: input.ref }, files);
}
