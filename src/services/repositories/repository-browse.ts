import { invalidParam, notFound } from '../../errors/api-error.js';
import type { CommitInfo } from '../../git/commit-object.js';
import type { Project } from '../../store/projects-repository.js';
import type { Actor } from '../access/actor.js';
import type { ServiceContext } from '../context.js';
import { authorizeProject } from '../projects/projects.js';
import { matchesBranchPattern } from './branch-patterns.js';
import { ensureRepository } from './repositories.js';

export interface BranchView {
  name: string;
  commit: CommitInfo;
  protected: boolean;
  developersCanPush: boolean;
  isDefault: boolean;
}

async function readable(ctx: ServiceContext, actor: Actor, idOrPath: string) {
  const project = await authorizeProject(ctx, actor, idOrPath, 'download_code');
  return { project, repository: await ensureRepository(ctx, project) };
}

/** A sha, a branch or a tag, as GitLab resolves `:sha` in the commits API. */
async function resolve(repository: Awaited<ReturnType<typeof ensureRepository>>, ref: string): Promise<string | null> {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`, ref]) {
    const sha = await repository.resolveRef(candidate).catch(() => null);
    if (sha) return sha;
  }
  return null;
}

export async function getCommit(ctx: ServiceContext, actor: Actor, idOrPath: string, ref: string): Promise<{ project: Project; commit: CommitInfo }> {
  const { project, repository } = await readable(ctx, actor, idOrPath);
  const sha = await resolve(repository, ref);
  const commit = sha ? await repository.commit(sha).catch(() => null) : null;
  if (!commit) throw notFound('Commit');
  return { project, commit };
}

export async function listCommits(ctx: ServiceContext, actor: Actor, idOrPath: string, refName: string | undefined, page: number, perPage: number) {
  const { project, repository } = await readable(ctx, actor, idOrPath);
  const ref = refName ?? project.defaultBranch ?? 'main';
  const sha = await resolve(repository, ref);
  if (!sha) return { project, commits: [] as CommitInfo[], hasMore: false };
  const commits = await repository.commits(sha, { page, perPage: perPage + 1 });
  return { project, commits: commits.slice(0, perPage), hasMore: commits.length > perPage };
}

export async function listBranches(ctx: ServiceContext, actor: Actor, idOrPath: string): Promise<{ project: Project; branches: BranchView[] }> {
  const { project, repository } = await readable(ctx, actor, idOrPath);
  const rules = await ctx.store.protectedBranches.listByProject(project.id);
  const branches: BranchView[] = [];
  for (const ref of await repository.branches()) {
    const commit = await repository.commit(ref.sha);
    if (!commit) continue;
    const rule = rules.find((r) => matchesBranchPattern(r.name, ref.name));
    branches.push({
      name: ref.name,
      commit,
      protected: rule !== undefined,
      developersCanPush: rule === undefined || rule.pushAccessLevel === 30,
      isDefault: ref.name === project.defaultBranch,
    });
  }
  return { project, branches };
}

export async function listTags(ctx: ServiceContext, actor: Actor, idOrPath: string) {
  const { project, repository } = await readable(ctx, actor, idOrPath);
  const tags: Array<{ name: string; commit: CommitInfo; message: string | null }> = [];
  for (const ref of await repository.tags()) {
    const commit = await repository.commit(ref.sha);
    if (commit) tags.push({ name: ref.name, commit, message: null });
  }
  return { project, tags };
}

/** `GET /repository/files/:file_path/raw?ref=`; the path is checked by the repository before git sees it. */
export async function rawFile(ctx: ServiceContext, actor: Actor, idOrPath: string, filePath: string, ref: string | undefined): Promise<Buffer> {
  const { project, repository } = await readable(ctx, actor, idOrPath);
  if (filePath === '' || filePath.includes('\0')) throw invalidParam('file_path');
  const sha = await resolve(repository, ref ?? project.defaultBranch ?? 'main');
  const content = sha ? await repository.readFile(sha, filePath).catch(() => null) : null;
  if (content === null) throw notFound('File');
  return content;
}
