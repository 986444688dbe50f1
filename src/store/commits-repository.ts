import type { Kysely, Selectable } from 'kysely';
import type { CommitsTable, Database } from './schema.js';

import type { CommitInfo } from '../git/commit-object.js';
import { compiledLookup, rowsByKeys } from './compiled-lookup.js';

/** The commit facts a Job or Pipeline entity shows, kept once per project and sha (read from git once). */
export type StoredCommit = CommitInfo;

export const commitKey = (projectId: number, sha: string): string => `${projectId}:${sha}`;

function toCommit(r: Selectable<CommitsTable>): StoredCommit {
  return {
    id: r.sha,
    short_id: r.sha.slice(0, 8),
    parent_ids: JSON.parse(r.parent_ids) as string[],
    title: r.title,
    message: r.message,
    author_name: r.author_name,
    author_email: r.author_email,
    authored_date: r.authored_date,
    committer_name: r.committer_name,
    committer_email: r.committer_email,
    committed_date: r.committed_date,
  };
}

export class CommitsRepository {
  private readonly rowBySha = compiledLookup(() => this.db, (db, projectId: number, sha: string) => db.selectFrom('commits').selectAll().where('project_id', '=', projectId).where('sha', '=', sha));

  constructor(private readonly db: Kysely<Database>) {}

  /** Records a commit unless it is known already. */
  async remember(projectId: number, c: StoredCommit): Promise<void> {
    const known = await this.db.selectFrom('commits').select('id').where('project_id', '=', projectId).where('sha', '=', c.id).executeTakeFirst();
    if (known) return;
    await this.db
      .insertInto('commits')
      .values({
        project_id: projectId,
        sha: c.id,
        parent_ids: JSON.stringify(c.parent_ids),
        title: c.title,
        message: c.message,
        author_name: c.author_name,
        author_email: c.author_email,
        authored_date: c.authored_date,
        committer_name: c.committer_name,
        committer_email: c.committer_email,
        committed_date: c.committed_date,
      })
      .onConflict((oc) => oc.columns(['project_id', 'sha']).doNothing())
      .execute();
  }

  /** Commits by sha for one page of jobs, in one query. */
  async findMany(projectId: number, shas: string[]): Promise<Map<string, StoredCommit>> {
    const rows = await rowsByKeys(
      shas,
      (sha) => this.rowBySha(projectId, sha),
      (unique) => this.db.selectFrom('commits').selectAll().where('project_id', '=', projectId).where('sha', 'in', unique).execute(),
    );
    return new Map(rows.map((r) => [r.sha, toCommit(r)]));
  }

  /** Commits of several projects (a page of a runner's jobs) in one query, keyed by `commitKey(projectId, sha)`. */
  async findManyAcrossProjects(pairs: Array<{ projectId: number; sha: string }>): Promise<Map<string, StoredCommit>> {
    if (pairs.length === 0) return new Map();
    const wanted = new Set(pairs.map((p) => commitKey(p.projectId, p.sha)));
    const rows = await this.db
      .selectFrom('commits')
      .selectAll()
      .where('project_id', 'in', [...new Set(pairs.map((p) => p.projectId))])
      .where('sha', 'in', [...new Set(pairs.map((p) => p.sha))])
      .execute();
    return new Map(rows.filter((r) => wanted.has(commitKey(r.project_id, r.sha))).map((r) => [commitKey(r.project_id, r.sha), toCommit(r)]));
  }
}
