import path from 'node:path';

/** Where every bare repository lives: one folder, so `git http-backend` can use it as GIT_PROJECT_ROOT. */
export function repositoriesRoot(dataDir: string): string {
  return path.join(dataDir, 'repositories');
}

/**
 * A project's repository is named by its id, never by its user-chosen path: renames and transfers
 * leave the filesystem alone, and no request text reaches a file name.
 */
export function repositoryPath(dataDir: string, projectId: number): string {
  return path.join(repositoriesRoot(dataDir), repositoryName(projectId));
}

/** `<id>.git`, the name below GIT_PROJECT_ROOT. */
export function repositoryName(projectId: number): string {
  if (!Number.isSafeInteger(projectId) || projectId <= 0) throw new RangeError(`invalid project id ${projectId}`);
  return `${projectId}.git`;
}
