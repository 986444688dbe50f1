import type { StoredCommit as CommitInfo } from '../store/commits-repository.js';
import type { RenderContext } from './render-context.js';

export type { CommitInfo };

/** API::Entities::Commit: `created_at` is the committed date, as GitLab shows it. */
export function commitEntity(commit: CommitInfo, projectPath: string, rc: RenderContext) {
  return {
    id: commit.id,
    short_id: commit.short_id,
    created_at: commit.committed_date,
    parent_ids: commit.parent_ids,
    title: commit.title,
    message: commit.message,
    author_name: commit.author_name,
    author_email: commit.author_email,
    authored_date: commit.authored_date,
    committer_name: commit.committer_name,
    committer_email: commit.committer_email,
    committed_date: commit.committed_date,
    trailers: {},
    extended_trailers: {},
    web_url: `${rc.externalUrl}/${projectPath}/-/commit/${commit.id}`,
  };
}

/** API::Entities::Branch */
export function branchEntity(
  branch: { name: string; commit: CommitInfo; protected: boolean; developersCanPush: boolean; isDefault: boolean },
  projectPath: string,
  rc: RenderContext,
) {
  return {
    name: branch.name,
    commit: commitEntity(branch.commit, projectPath, rc),
    merged: false,
    protected: branch.protected,
    developers_can_push: branch.developersCanPush,
    developers_can_merge: branch.developersCanPush,
    can_push: true,
    default: branch.isDefault,
    web_url: `${rc.externalUrl}/${projectPath}/-/tree/${branch.name}`,
  };
}

/** API::Entities::Tag */
export function tagEntity(tag: { name: string; commit: CommitInfo; message: string | null }, projectPath: string, rc: RenderContext) {
  return {
    name: tag.name,
    message: tag.message,
    target: tag.commit.id,
    commit: commitEntity(tag.commit, projectPath, rc),
    release: null,
    protected: false,
    created_at: null,
  };
}
