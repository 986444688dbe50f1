import fs from 'node:fs/promises';
import { repositoryPath } from '../../git/paths.js';
import { isValidBranchName } from '../../git/refs.js';
import { GitRepository } from '../../git/repository.js';
import type { Project } from '../../store/projects-repository.js';
import type { ServiceContext } from '../context.js';
import { lockRepository } from './repository-lock.js';

export function projectRepository(ctx: ServiceContext, projectId: number): GitRepository {
  return new GitRepository(repositoryPath(ctx.dataDir, projectId));
}

/** The branch an empty repository's HEAD names until the first push: the project's chosen default, else `main`. */
function initialBranch(project: Project): string {
  return project.defaultBranch && isValidBranchName(project.defaultBranch) ? project.defaultBranch : 'main';
}

export async function createRepository(ctx: ServiceContext, project: Project): Promise<GitRepository> {
  const repository = projectRepository(ctx, project.id);
  await repository.init(initialBranch(project));
  return repository;
}

/**
 * The project's repository, created on first use for projects made before repositories existed.
 * Creation happens under the push lock, so two first requests never run `git init` together.
 */
export async function ensureRepository(ctx: ServiceContext, project: Project): Promise<GitRepository> {
  const repository = projectRepository(ctx, project.id);
  if (await repository.exists()) return repository;
  const release = await lockRepository(ctx, project.id, repository.path);
  try {
    if (!(await repository.exists())) await repository.init(initialBranch(project));
  } finally {
    release();
  }
  return repository;
}

export async function removeRepository(ctx: ServiceContext, projectId: number): Promise<void> {
  await fs.rm(projectRepository(ctx, projectId).path, { recursive: true, force: true });
}
