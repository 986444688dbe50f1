import { invalidParam, modelInvalid } from '../../errors/api-error.js';
import type { ConfigFiles } from '../../ci-config/index.js';
import type { Pipeline, PipelineVariable } from '../../store/pipelines-repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import type { ServiceContext } from '../context.js';
import { authorizeProject } from '../projects/projects.js';
import { isProtectedBranch } from '../repositories/protected-branches.js';
import { ensureRepository } from '../repositories/repositories.js';
import { createPipeline, type CreationResult } from './create-pipeline.js';
import { ciVariablesForPipeline } from './job-variables.js';
import { NULL_SHA } from './predefined-variables.js';

export interface CommitPipelineInput {
  ref: string;
  tag: boolean;
  sha: string;
  beforeSha: string;
  source: string;
  userId: number;
  variables: PipelineVariable[];
  parent?: { pipelineId: number; jobId: number };
  /** For child pipelines: the config to use instead of the project's config file. */
  configOverride?: string | null;
}

/** Files of one commit for the compiler (includes, `rules:exists`), read lazily from the repository. */
export function commitFiles(repository: Awaited<ReturnType<typeof ensureRepository>>, sha: string): ConfigFiles {
  let listing: Promise<string[]> | undefined;
  return {
    read: async (path) => {
      const content = await repository.readFile(sha, path).catch(() => null);
      return content === null ? null : content.toString('utf8');
    },
    list: () => (listing ??= repository.listFiles(sha)),
  };
}

/** Builds the compiler's facts for a commit of the project and creates the pipeline. */
export async function createPipelineForCommit(ctx: ServiceContext, project: Project, input: CommitPipelineInput, options: { keepFailed: boolean }): Promise<CreationResult> {
  const repository = await ensureRepository(ctx, project);
  const commit = await repository.commit(input.sha);
  if (commit) await ctx.store.commits.remember(project.id, commit);
  const configPath = project.ciConfigPath ?? '.gitlab-ci.yml';
  const files = commitFiles(repository, input.sha);
  const configText = input.configOverride !== undefined ? input.configOverride : await files.read(configPath);
  const protectedRef = !input.tag && (await isProtectedBranch(ctx, project.id, input.ref));
  const changedPaths = input.source === 'push' && input.beforeSha !== NULL_SHA ? await repository.changedPaths(input.beforeSha, input.sha) : null;
  const result = await createPipeline(ctx, {
    project,
    userId: input.userId,
    ref: input.ref,
    tag: input.tag,
    sha: input.sha,
    beforeSha: input.beforeSha,
    source: input.source,
    commitMessage: commit?.message ?? '',
    committedAt: commit?.committed_date ?? null,
    configText,
    files,
    changedPaths,
    variables: input.variables,
    projectVariables: await ciVariablesForPipeline(ctx, project, protectedRef),
    protectedRef,
    parent: input.parent,
  }, options);
  if (result.status === 'created' && commit) await repository.createPipelineRef(result.pipeline.id, input.sha);
  return result;
}

/**
 * `POST /projects/:id/pipeline`: a pipeline for a branch or tag (branches win when both exist), source `api`.
 * Every refusal is GitLab's `400 {"message": {"base": [...]}}`.
 */
export async function createPipelineFromApi(
  ctx: ServiceContext,
  actor: Actor,
  projectIdOrPath: string,
  input: { ref: string; variables?: Array<{ key: string; value?: string; variable_type?: 'env_var' | 'file' }> },
): Promise<Pipeline> {
  const project = await authorizeProject(ctx, actor, projectIdOrPath, 'create_pipeline');
  const variables: PipelineVariable[] = (input.variables ?? []).map((v, i) => {
    if (!/^[a-zA-Z0-9_]+$/.test(v.key)) throw invalidParam(`variables[${i}][key]`);
    return { key: v.key, value: v.value ?? '', variable_type: v.variable_type ?? 'env_var' };
  });
  const repository = await ensureRepository(ctx, project);
  const branchSha = await repository.resolveRef(`refs/heads/${input.ref}`).catch(() => null);
  const tagSha = branchSha ? null : await repository.resolveRef(`refs/tags/${input.ref}`).catch(() => null);
  const sha = branchSha ?? tagSha;
  if (!sha) throw modelInvalid({ base: ['Reference not found'] });
  const result = await createPipelineForCommit(ctx, project, {
    ref: input.ref,
    tag: tagSha !== null,
    sha,
    beforeSha: NULL_SHA,
    source: 'api',
    userId: actor.user!.id,
    variables,
  }, { keepFailed: false });
  if (result.status === 'rejected') throw modelInvalid({ base: result.errors });
  return result.pipeline;
}
